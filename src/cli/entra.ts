/**
 * `secrecy-guard entra check FILE`: reads an app registration exported from the Entra admin center (its Manifest page,
 * in the Microsoft Graph or the older Azure AD Graph format) and says what is missing or wrong for this deployment's
 * PUBLIC_URL and AUTH_CLIENT_ID, before users meet it as 401s and a silent sign-in failure.
 */
import { promises as fs } from 'node:fs';

import {
  checkRegistration,
  type RegistrationCheck,
  RegistrationFormatError,
  type RegistrationTarget,
} from '../shared/entra-registration';
import type { Io } from './main';

export const ENTRA_USAGE = `用法 Usage: npx secrecy-guard entra check [--public-url URL] [--client-id GUID] FILE

  FILE              從 Entra 系統管理中心「資訊清單」下載的應用程式註冊 JSON（Microsoft Graph 或 Azure AD Graph 格式）
                    the app registration JSON downloaded from the Entra admin center's Manifest page (either format)
  --public-url URL  伺服器的公開網址（預設：PUBLIC_URL，未設定時 https://localhost:PORT）
                    the server's public origin (default: PUBLIC_URL, else https://localhost:PORT as the build uses)
  --client-id GUID  應用程式（用戶端）識別碼（預設：AUTH_CLIENT_ID） / the application (client) id (default: AUTH_CLIENT_ID)

結束代碼 Exit codes: 0 設定正確 all settings right; 1 有缺少或錯誤的設定 a setting missing or wrong;
  2 用法錯誤或檔案無法讀取 usage error, or the file cannot be read or is not an app registration
`;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

class EntraUsageError extends Error {}

interface CheckArgs {
  readonly file: string;
  readonly target: RegistrationTarget;
}

function value(env: NodeJS.ProcessEnv, name: string): string | null {
  const v = env[name];
  return v === undefined || v.trim() === '' ? null : v.trim();
}

function parseCheckArgs(argv: readonly string[], env: NodeJS.ProcessEnv): CheckArgs {
  let publicUrl: string | null = null;
  let clientId: string | null = null;
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) {
        throw new EntraUsageError(`${a} 需要一個值 / ${a} needs a value`);
      }
      return v;
    };
    if (a === '--public-url') {
      publicUrl = next();
    } else if (a.startsWith('--public-url=')) {
      publicUrl = a.slice('--public-url='.length);
    } else if (a === '--client-id') {
      clientId = next();
    } else if (a.startsWith('--client-id=')) {
      clientId = a.slice('--client-id='.length);
    } else if (a.startsWith('-') && a !== '-') {
      throw new EntraUsageError(`未知的選項 / Unknown option: ${a}`);
    } else {
      files.push(a);
    }
  }
  if (files.length !== 1) {
    throw new EntraUsageError('請指定一個註冊 JSON 檔 / Give exactly one registration JSON FILE');
  }
  // The same default the build bakes into the manifests (scripts/build/public-url.cjs), so both agree unconfigured.
  const url = publicUrl ?? value(env, 'PUBLIC_URL') ?? `https://localhost:${value(env, 'PORT') ?? '3000'}`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new EntraUsageError(
      `PUBLIC_URL / --public-url 不是網址 / is not a URL: ${JSON.stringify(url.slice(0, 100))}`,
    );
  }
  if (parsed.protocol !== 'https:') {
    throw new EntraUsageError('PUBLIC_URL / --public-url 須為 https:// / must be https://');
  }
  const id = clientId ?? value(env, 'AUTH_CLIENT_ID');
  if (id === null) {
    throw new EntraUsageError(
      '需要應用程式識別碼：設定 AUTH_CLIENT_ID 或使用 --client-id / The client id is needed: set AUTH_CLIENT_ID or give --client-id',
    );
  }
  if (!GUID.test(id)) {
    throw new EntraUsageError(
      `應用程式（用戶端）識別碼須為 GUID / The client id must be the application (client) GUID: ${JSON.stringify(id.slice(0, 60))}`,
    );
  }
  return { file: files[0] as string, target: { host: parsed.host, clientId: id.toLowerCase() } };
}

function report(check: RegistrationCheck, args: CheckArgs, io: Io): void {
  const format = check.format === 'microsoftGraph' ? 'Microsoft Graph' : 'Azure AD Graph';
  const subject = `${args.file}（${format} 格式 format；${args.target.host}，${args.target.clientId}）`;
  if (check.problems.length === 0) {
    io.stdout(`✓ 應用程式註冊設定正確 / The app registration has every setting Secrecy Guard needs: ${subject}\n`);
    return;
  }
  io.stdout(
    `✗ 應用程式註冊有 ${check.problems.length} 項缺少或錯誤 / ${check.problems.length} setting(s) missing or wrong: ${subject}\n`,
  );
  for (const p of check.problems) {
    io.stdout(`\n  [${p.setting}]\n  ${p.zh}\n  ${p.en}\n`);
  }
}

/** Runs `entra …` and returns the exit code. */
export async function runEntra(argv: readonly string[], io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h' || (sub === 'check' && (rest.includes('--help') || rest.includes('-h')))) {
    io.stdout(ENTRA_USAGE);
    return 0;
  }
  if (sub !== 'check') {
    io.stderr(
      `secrecy-guard: ${sub === undefined ? '請指定子指令 / Give a subcommand' : `未知的子指令 / Unknown subcommand: ${sub}`}\n\n${ENTRA_USAGE}`,
    );
    return 2;
  }
  let args: CheckArgs;
  try {
    args = parseCheckArgs(rest, env);
  } catch (e) {
    if (e instanceof EntraUsageError) {
      io.stderr(`secrecy-guard: ${e.message}\n\n${ENTRA_USAGE}`);
      return 2;
    }
    throw e;
  }
  let text: string;
  try {
    text = await fs.readFile(args.file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    io.stderr(`secrecy-guard: 無法讀取 / Cannot read ${args.file}: ${code || (e as Error).message}\n`);
    return 2;
  }
  let doc: unknown;
  try {
    // The portal's download may start with a byte order mark.
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    io.stderr(
      `secrecy-guard: ${args.file} 不是有效的 JSON / is not valid JSON: ${(e as Error).message.slice(0, 200)}\n`,
    );
    return 2;
  }
  let check: RegistrationCheck;
  try {
    check = checkRegistration(doc, args.target);
  } catch (e) {
    if (e instanceof RegistrationFormatError) {
      io.stderr(`secrecy-guard: ${args.file}: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  report(check, args, io);
  return check.problems.length === 0 ? 0 : 1;
}
