/**
 * Starts the server: configuration from the environment, the store (embedded PGlite in DATA_DIR unless DATABASE_URL
 * names a PostgreSQL), migrations, HTTPS (generated development certificates on localhost), the API, and static
 * hosting of the built add-in and Teams pages with headers that still let Outlook and Teams frame them.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';

import helmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

import { nodeVersionProblem, requiredRange } from '../../scripts/check-node.cjs';
import { PAGE_PATHS } from '../shared/app-ids';
import { type AppDeps, buildApp, inProcessEventBus } from './app';
import { type AuditKey, GENERATED_PUBLIC_KEY_FILE, loadAuditKey } from './audit-key';
import { AuthError, createTokenVerifier, type TokenVerifier } from './auth';
import { ConfigError, readConfig, type ServerConfig } from './config';
import { type ClosableEventBus, postgresEventBus } from './events';
import { createLocalIssuer, type LocalIssuer, registerLocalMode, staticPathAllowed } from './local-mode';
import { choosePdfFonts, type PdfFontChoice } from './pdf-font';
import {
  type AuditSealRefused,
  type RejectedPending,
  startAuditChainer,
  startAuditSealer,
  watchAuditHead,
  withAuditKey,
} from './store/audit';
import { assertWritableDir } from './store/data-dir';
import { type Db, openDb, type PgliteRestartOptions, type PgliteThreadEvent, storeTarget } from './store/db';
import { loggableError, storeErrorSummary } from './store/failure';
import { storeHealthCheck } from './store/health';
import { migrate } from './store/migrations';
import { lockEmbeddedStore } from './store/store-lock';
import { devCertificate, tlsFromFiles } from './tls';

/** Origins that frame our pages: Teams (classic and new) and Outlook on the web, Windows and Mac. */
export const FRAME_ANCESTORS = [
  "'self'",
  'https://teams.microsoft.com',
  'https://*.teams.microsoft.com',
  'https://teams.cloud.microsoft',
  'https://*.cloud.microsoft',
  'https://*.skype.com',
  'https://outlook.office.com',
  'https://outlook.office365.com',
  'https://*.office.com',
  'https://*.office365.com',
  'https://*.microsoft365.com',
  'https://*.officeapps.live.com',
];

/** The app package under the static root (`PAGE_PATHS.appPackage`), and the name a download saves it as. */
const APP_PACKAGE_FILE = PAGE_PATHS.appPackage.replace(/^\//, '');
export const APP_PACKAGE_DOWNLOAD_NAME = 'secrecy-guard-app-package.zip';

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly url: string;
  readonly db: Db;
  readonly auditKey: AuditKey;
  /** Local mode's development issuer; null when `AUTH_*` is configured. */
  readonly localIssuer: LocalIssuer | null;
  close(): Promise<void>;
}

/** A verifier that turns every request away with a clear reason, for a server started without auth settings. */
function unconfiguredVerifier(): TokenVerifier {
  return {
    verify: async () => {
      throw new AuthError(
        'invalid_token',
        '伺服器未設定 AUTH_CLIENT_ID / The server has no AUTH_CLIENT_ID or AUTH_AUDIENCE configured',
      );
    },
  };
}

export interface StartOptions {
  staticDir?: string;
  /** Fastify's logger: on (stdout), off, or a stream for its lines (tests). @default true */
  logger?: boolean | { readonly stream: { write(line: string): void } };
  /** How a stopped PGlite thread is started again (tries, first wait); tests shorten or hold it. */
  pgliteRestart?: Omit<PgliteRestartOptions, 'onEvent'>;
  /** How often the audit chain's head is logged when it changed. @default 60000 */
  auditHeadLogMs?: number;
  /** How often the audit sealer looks at the head (it seals per `config.audit`). @default 1000 */
  auditSealPollMs?: number;
  /** The fonts found for the sign-in sheet PDF; by default looked for as `config.pdfFont` and the system say. */
  pdfFonts?: PdfFontChoice;
}

/** One line per event of PGlite's thread: why it stopped (no SQL, no data), or how its restart went. */
function pgliteThreadMessage(e: PgliteThreadEvent): string {
  switch (e.kind) {
    case 'stopped':
      return `內建資料庫執行緒已停止（${e.why}），重新啟動前的請求回覆 503 / PGlite thread stopped (${e.why}); requests get 503 until it is restarted`;
    case 'restarted':
      return `內建資料庫執行緒已重新啟動（第 ${e.attempt} 次嘗試）/ PGlite thread restarted (attempt ${e.attempt})`;
    case 'gave-up':
      return `內建資料庫執行緒重新啟動 ${e.attempts} 次皆失敗，請重新啟動服務 / PGlite thread not restarted after ${e.attempts} attempts (${e.error.code ?? ''} ${e.error.message}); restart the service`;
  }
}

export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  // Checked once, first: a bad PDF_FONT stops start-up before anything opens. Only the paths are kept: each PDF thread
  // parses its own copy, so this thread holding a parsed one too would be 35 MB and more for nothing.
  const pdfFonts = options.pdfFonts ?? choosePdfFonts(config.pdfFont);
  // DATA_DIR holds PGlite's files, the generated development certificate and the generated audit signing key; when any
  // of them is used, a folder that cannot be written stops start-up here, named, instead of failing on the first write.
  const target = storeTarget(config);
  if (target.dataDir || !(config.tls.cert && config.tls.key) || config.audit.signingKey === null) {
    assertWritableDir(config.dataDir);
  }
  if (target.dataDir) {
    assertWritableDir(target.dataDir);
  }
  // What start-up has opened, to be closed in reverse order if a later step fails (an unreadable TLS file, the port in
  // use): a store lock left behind would refuse the next start on this DATA_DIR, and an open Db, bus or timer would
  // keep a caller that handles the error (tests, a supervisor in-process) from exiting.
  const opened: (() => unknown)[] = [];
  try {
    return await startOpened(config, options, pdfFonts, target, opened);
  } catch (e) {
    for (const close of opened.reverse()) {
      try {
        await close();
      } catch {
        // The start-up error is the one to report; a close failing after it says nothing new.
      }
    }
    throw e;
  }
}

async function startOpened(
  config: ServerConfig,
  options: StartOptions,
  pdfFonts: PdfFontChoice,
  target: ReturnType<typeof storeTarget>,
  opened: (() => unknown)[],
): Promise<RunningServer> {
  // The app (and its logger) comes after the store; until then a lost connection is written to stderr.
  let logStoreError = (e: Error): void => {
    process.stderr.write(`secrecy-guard: PostgreSQL connection lost: ${JSON.stringify(storeErrorSummary(e))}\n`);
  };
  let logPgliteThread = (e: PgliteThreadEvent): void => {
    process.stderr.write(`secrecy-guard: ${pgliteThreadMessage(e)}\n`);
  };
  // Before anything opens the folder: a second process on one PGlite folder aborts or corrupts it.
  const unlockStore = target.dataDir ? lockEmbeddedStore(target.dataDir, 'the server') : () => undefined;
  opened.push(unlockStore);
  const auditKey = loadAuditKey({ file: config.audit.signingKey, dataDir: config.dataDir });
  const rawDb = await openDb({
    ...target,
    onError: (e) => logStoreError(e),
    pgliteRestart: { ...options.pgliteRestart, onEvent: (e) => logPgliteThread(e) },
  });
  opened.push(() => rawDb.close());
  await migrate(rawDb);
  const db = withAuditKey(rawDb, auditKey);
  // The bus starts before the app (and its logger) exists; its trouble is logged once the app is there.
  let logBusError = (_e: Error): void => undefined;
  const events: ClosableEventBus = config.databaseUrl
    ? await postgresEventBus(config.databaseUrl, (e) => logBusError(e))
    : { ...inProcessEventBus(), close: async () => undefined };
  opened.push(() => events.close());
  const configured = config.auth.audience !== null || config.auth.clientId !== null;
  const { clientId, clientSecret } = config.auth;
  // Local mode's issuer is accepted by the verifier made with it, and by no other.
  const localIssuer = config.localMode ? await createLocalIssuer() : null;
  const deps: AppDeps = {
    db,
    events,
    verifier: localIssuer
      ? localIssuer.verifier
      : configured
        ? createTokenVerifier(config.auth)
        : unconfiguredVerifier(),
    logger: options.logger ?? true,
    pdfFonts,
    graph:
      clientId && clientSecret
        ? { clientId, clientSecret, tokenUrl: config.auth.tokenUrl, baseUrl: config.graph.baseUrl }
        : null,
  };
  const tls =
    config.tls.cert && config.tls.key
      ? tlsFromFiles(config.tls.cert, config.tls.key)
      : await devCertificate(config.dataDir, config.host);
  const app = await buildApp(deps, {
    https: { cert: tls.cert, key: tls.key },
    connections: config.connections,
    ...(config.trustProxy !== null ? { trustProxy: config.trustProxy } : {}),
  });
  opened.push(() => app.close());
  // Summaries only: pg-pool hangs the failed client on the error (its cancel secretKey, the query's SQL and values).
  logStoreError = (e) =>
    app.log.warn({ err: loggableError(e) }, 'PostgreSQL: an idle pooled connection was lost; it is replaced');
  logPgliteThread = (e) =>
    e.kind === 'restarted' ? app.log.info(pgliteThreadMessage(e)) : app.log.error(pgliteThreadMessage(e));
  logBusError = (e) =>
    app.log.warn(
      { err: loggableError(e) },
      'acknowledgement events: LISTEN connection lost or failing; streams end, reconnecting',
    );
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        // Outlook's office.js host files load MicrosoftAjax.js from ajax.aspnetcdn.com before they can talk to Outlook
        // (not in the npm package; see the README for serving it from here instead).
        scriptSrc: [
          "'self'",
          'https://appsforoffice.microsoft.com',
          'https://res.cdn.office.net',
          'https://ajax.aspnetcdn.com',
        ],
        // teams-js fetches its list of valid Teams origins from res.cdn.office.net (it falls back to a built-in list).
        connectSrc: [
          "'self'",
          'https://login.microsoftonline.com',
          'https://graph.microsoft.com',
          'https://res.cdn.office.net',
        ],
        imgSrc: ["'self'", 'data:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        frameAncestors: FRAME_ANCESTORS,
      },
    },
    // Framing is governed by CSP frame-ancestors; X-Frame-Options would forbid Teams and Outlook outright.
    frameguard: false,
    crossOriginEmbedderPolicy: false,
    // MSAL's popup fallback (sign-in when nested app auth is unavailable) reads the popup it opened; same-origin would
    // sever that link as soon as the popup goes to login.microsoftonline.com.
    crossOriginOpenerPolicy: { policy: 'same-origin-allow-popups' },
  });
  const staticDir = options.staticDir ?? path.resolve(__dirname, '..', '..', 'dist');
  if (existsSync(staticDir)) {
    await app.register(fastifyStatic, {
      root: staticDir,
      prefix: '/',
      index: ['index.html'],
      allowedPath: (pathname) => staticPathAllowed(config.localMode, pathname),
      setHeaders: (res, file) => {
        // Outlook on the web and Teams load the manifest's icons and our pages from their own origins; the API's
        // answers keep helmet's same-origin.
        res.setHeader('cross-origin-resource-policy', 'cross-origin');
        // Administrators download the package to upload it in the Teams or Microsoft 365 admin center.
        if (path.resolve(file) === path.join(path.resolve(staticDir), APP_PACKAGE_FILE)) {
          res.setHeader('content-disposition', `attachment; filename="${APP_PACKAGE_DOWNLOAD_NAME}"`);
        }
      },
    });
  }
  if (localIssuer) {
    registerLocalMode(app, localIssuer, staticDir);
  }
  const storeHealth = storeHealthCheck(db);
  app.get('/healthz', async (_request, reply) => {
    const health = await storeHealth();
    return reply.code(health.ok ? 200 : 503).send({ ok: health.ok, store: db.kind, storeHealth: health });
  });
  if (pdfFonts.status === 'found') {
    app.log.info(
      {
        font: pdfFonts.sources[0]?.path,
        face: pdfFonts.face,
        from: pdfFonts.source,
        fallbacks: pdfFonts.sources.slice(1).map((s) => s.path),
      },
      `sign-in sheet PDF font: ${pdfFonts.face}`,
    );
  } else {
    app.log.warn(
      { searched: pdfFonts.searched },
      'sign-in sheet PDF: NO Chinese font found, PDF exports answer 503 (CSV works); install fonts-cns11643-sung or set PDF_FONT',
    );
  }
  app.log.info(
    deps.graph
      ? "invitees: from Microsoft Graph (on-behalf-of the chair, ChatMember.Read), the chair's list as fallback; configuration prefill: Chat.ReadBasic, OnlineMeetings.Read"
      : "invitees: the chair's list (set AUTH_CLIENT_ID and AUTH_CLIENT_SECRET to read them from Microsoft Graph)",
  );
  app.log.info(
    {
      auditKey: {
        keyId: auditKey.keyId,
        privateKeyFile: auditKey.source.file,
        source: auditKey.source.kind,
        publicKeyFile:
          auditKey.source.kind === 'configured'
            ? null
            : path.join(path.dirname(auditKey.source.file), GENERATED_PUBLIC_KEY_FILE),
      },
    },
    `audit signing key ${auditKey.keyId} (${auditKey.source.kind === 'generated' ? 'generated now' : auditKey.source.kind}); ` +
      `the 政風 office keeps this public key for audit-log verify --public-key:\n${auditKey.publicPem}`,
  );
  const onRejected = (rejected: readonly RejectedPending[]): void =>
    app.log.error(
      { rejected },
      `AUDIT TAMPERING: ${rejected.length} pending audit row(s) do not verify and were NOT chained (kept in audit_pending_rejected; the chain records each)`,
    );
  const onRefused = (e: AuditSealRefused): void => app.log.error({ err: e }, `AUDIT CHAIN TAMPERING: ${e.message}`);
  const sealer = startAuditSealer(db, auditKey, {
    everyEvents: config.audit.checkpointEvents,
    everyMs: config.audit.checkpointSeconds * 1000,
    pollMs: options.auditSealPollMs ?? 1000,
    onSealed: (c, unkeyedEvents) => {
      app.log.info(
        { auditCheckpoint: { n: c.n, seq: c.seq, head: c.head } },
        `audit checkpoint #${c.n} seals event ${c.seq}`,
      );
      if (unkeyedEvents > 0) {
        app.log.warn(
          `audit checkpoint #${c.n} seals ${unkeyedEvents} event(s) written before signed checkpoints, checked by their links only`,
        );
      }
    },
    onRefused,
    onError: (e) => app.log.error({ err: loggableError(e) }, 'audit sealer'),
  });
  opened.push(() => sealer.stop());
  const chainer = startAuditChainer(
    db,
    50,
    (e) => app.log.error({ err: loggableError(e) }, 'audit chainer'),
    onRejected,
  );
  opened.push(() => chainer.stop());
  // Rows left waiting by a crash are chained before the first request, then sealed, so nothing waits unsigned in
  // the chain while the server serves.
  await chainer.catchUp();
  await sealer.sealNow();
  const headLog = watchAuditHead(
    db,
    options.auditHeadLogMs ?? 60_000,
    (auditHead) =>
      app.log.info(
        { auditHead },
        `audit chain head #${auditHead.seq} ${auditHead.hash} (audit-log verify --expect-head)`,
      ),
    (e) => app.log.warn({ err: loggableError(e) }, 'audit chain head not read'),
  );
  opened.push(() => headLog.stop());
  // The kernel's queue of connections not yet accepted: Node's default of 511 overflowed in a storm's first second,
  // and a legitimate client's dropped SYN is only sent again 1, 3, 7 s later (SYN retransmission), whatever the
  // server does next. Linux caps it at net.core.somaxconn.
  await app.listen({ port: config.port, host: config.host, backlog: 4096 });
  const url = `https://${config.host}:${(app.server.address() as { port: number }).port}`;
  app.log.info(
    {
      url,
      store: db.kind,
      tls: tls.generated ? 'generated development certificate' : 'configured',
      auth: localIssuer ? 'LOCAL MODE' : configured ? 'configured' : 'NOT CONFIGURED',
    },
    'Secrecy Guard server started',
  );
  if (localIssuer) {
    app.log.warn(
      `本機模式：未設定 AUTH_*，僅供本機試用，請開啟 ${url}/playground/ ` +
        `(local mode: no AUTH_* setting, for this machine only; open ${url}/playground/)`,
    );
  }
  return {
    app,
    url,
    db,
    auditKey,
    localIssuer,
    close: async () => {
      await app.close();
      headLog.stop();
      await chainer.stop();
      // The shutdown checkpoint: after the last events are chained, so a clean stop leaves nothing unsealed.
      await sealer.stop();
      await events.close();
      await db.close();
      unlockStore();
    },
  };
}

if (require.main === module) {
  // Before anything else can fail in a way that hides the cause: an older Node fails later with an obscure error.
  const tooOld = nodeVersionProblem(process.version, requiredRange());
  if (tooOld) {
    process.stderr.write(`secrecy-guard: ${tooOld}\n`);
    process.exit(2);
  }
  let config: ServerConfig;
  try {
    config = readConfig();
  } catch (e) {
    process.stderr.write(`secrecy-guard: ${(e as ConfigError).message}\n`);
    process.exit(2);
  }
  startServer(config).then(
    (server) => {
      const stop = (): void => {
        void server.close().then(() => process.exit(0));
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    },
    (e: unknown) => {
      if (e instanceof ConfigError) {
        // A configuration found unusable only when used (PDF_FONT that is not a Chinese font): same as readConfig's.
        process.stderr.write(`secrecy-guard: ${e.message}\n`);
        process.exit(2);
      }
      process.stderr.write(
        `secrecy-guard: 無法啟動伺服器 / cannot start the server: ${(e as Error).stack ?? String(e)}\n`,
      );
      process.exit(1);
    },
  );
}
