/**
 * Everything the manifest build writes under `dist/`, from the environment: the unified manifest and its English
 * localisation, the add-in only manifest for Mac, the icons, the support page, the app package and the Entra app
 * registration. webpack
 * (`webpack.config.js`, configuration `manifest`) emits these; the tests call it directly too.
 */
import { zipSync } from 'fflate';

import { OFFICE_ADDINS_ALLOWED_PATH } from '../src/shared/app-ids';
import { appRegistration } from '../src/shared/entra-registration';
import {
  ENGLISH_FILE,
  EVENT_RUNTIME,
  MAC_ICON_SIZES,
  macIconPath,
  OUTPUT,
  PACKAGE_ICONS,
  RIBBON_ICON_SIZES,
  ribbonIconPath,
} from './app';
import { colorIcon, macIcon, outlineIcon, ribbonIcon } from './icons';
import { type ManifestOptions, publicUrl, readManifestOptions } from './options';
import { supportPage } from './support-page';
import { englishLocalisation, unifiedManifest } from './unified';
import { addinOnlyManifest } from './xml';

export { ManifestOptionError } from './options';

/** The app package's path under `dist/` (served at `PAGE_PATHS.appPackage`). */
export const APP_PACKAGE = 'app-package.zip';

/**
 * The well-known file under `dist/` that lets classic Outlook's JS-only runtime give the on-send script SSO tokens and
 * make its requests to our API; without it every policy fetch and audit event from classic Outlook fails.
 */
export const OFFICE_ADDINS_ALLOWED = OFFICE_ADDINS_ALLOWED_PATH.replace(/^\//, '');

/** The well-known file's content: the script URL exactly as both manifests give it. */
export function officeAddinsAllowed(options: Pick<ManifestOptions, 'publicUrl'>): { allowed: string[] } {
  return { allowed: [publicUrl(options, EVENT_RUNTIME.script)] };
}

/**
 * The Entra app registration under `dist/`, in Microsoft's app manifest format (Microsoft Graph format): what the
 * agency imports into the app's Manifest page, and what `secrecy-guard entra check` expects.
 */
export const ENTRA_REGISTRATION = 'entra/app-registration.json';

/** A fixed timestamp for the zip entries, so the same inputs give the same bytes. */
const PACKAGE_MTIME = new Date('2025-01-01T00:00:00Z');

export interface ManifestBuild {
  readonly options: ManifestOptions;
  /** Output path under `dist/` → content. */
  readonly files: Readonly<Record<string, Buffer>>;
  /** Things the person building must know (a placeholder client id), printed by webpack as warnings. */
  readonly warnings: readonly string[];
}

const json = (value: unknown): Buffer => Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
const stripSlash = (p: string): string => p.replace(/^\//, '');

/** @throws {ManifestOptionError} for a bad PUBLIC_URL, AUTH_CLIENT_ID or SEND_MODE. */
export function buildManifestFiles(env: Readonly<Record<string, string | undefined>>): ManifestBuild {
  const options = readManifestOptions(env);
  const manifest = json(unifiedManifest(options));
  const english = json(englishLocalisation());
  const files: Record<string, Buffer> = {
    [OUTPUT.unified]: manifest,
    [OUTPUT.english]: english,
    [OUTPUT.xml]: Buffer.from(addinOnlyManifest(options), 'utf8'),
    [OUTPUT.supportPage]: Buffer.from(supportPage(), 'utf8'),
    [OFFICE_ADDINS_ALLOWED]: json(officeAddinsAllowed(options)),
    [ENTRA_REGISTRATION]: json(appRegistration(options)),
  };
  for (const size of RIBBON_ICON_SIZES) {
    files[stripSlash(ribbonIconPath(size))] = ribbonIcon(size);
  }
  for (const size of Object.values(MAC_ICON_SIZES)) {
    files[stripSlash(macIconPath(size))] = macIcon(size);
  }
  files[APP_PACKAGE] = Buffer.from(
    zipSync(
      {
        'manifest.json': manifest,
        [ENGLISH_FILE]: english,
        [PACKAGE_ICONS.color]: colorIcon(),
        [PACKAGE_ICONS.outline]: outlineIcon(),
      },
      { level: 9, mtime: PACKAGE_MTIME },
    ),
  );
  const warnings: string[] = [];
  if (options.clientIdIsPlaceholder) {
    warnings.push(
      `AUTH_CLIENT_ID is not set: the manifests carry the placeholder client id ${options.clientId}. ` +
        'Teams SSO and the add-in sign-in will not work until you build with your Entra app id ' +
        '(AUTH_CLIENT_ID=<client GUID> npm run build). / 未設定 AUTH_CLIENT_ID：資訊清單使用預留的用戶端識別碼。',
    );
  }
  return { options, files, warnings };
}
