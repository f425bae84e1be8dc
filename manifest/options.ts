/**
 * Build-time options of the manifests, read from the environment the build runs in: where the pages are served
 * (`PUBLIC_URL`), the Entra app the Teams pages and the add-in sign in with (`AUTH_CLIENT_ID`), and how Outlook treats
 * a send when the check fails or cannot run (`SEND_MODE`). A bad value stops the build with a message that names the
 * variable, because a manifest with a wrong origin or send mode deploys cleanly and then fails in every mailbox.
 */

/**
 * Send modes the build accepts. `promptUser` is left out on purpose: it lets the sender send anyway when the check
 * finds a mark, which the agency guidance does not allow.
 */
export const SEND_MODES = ['block', 'softBlock'] as const;
export type SendMode = (typeof SEND_MODES)[number];

/** The nil GUID: no tenant has an app with it, so a package built without `AUTH_CLIENT_ID` cannot be mistaken for real. */
export const PLACEHOLDER_CLIENT_ID = '00000000-0000-0000-0000-000000000000';

export interface ManifestOptions {
  /** The HTTPS origin the server serves `dist/` from, without a trailing slash (no path: see `publicUrlOf`). */
  readonly publicUrl: string;
  /** `host[:port]` of `publicUrl`: the Teams valid domain and the SSO resource's authority. */
  readonly host: string;
  readonly clientId: string;
  readonly clientIdIsPlaceholder: boolean;
  readonly sendMode: SendMode;
}

export class ManifestOptionError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`資訊清單設定錯誤 / Manifest build error: ${variable}: ${message}`);
    this.name = 'ManifestOptionError';
  }
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function value(env: Readonly<Record<string, string | undefined>>, name: string): string | null {
  const v = env[name];
  return v === undefined || v.trim() === '' ? null : v.trim();
}

function publicUrlOf(text: string): { publicUrl: string; host: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ManifestOptionError('PUBLIC_URL', `not a URL: ${JSON.stringify(text.slice(0, 100))}`);
  }
  // Outlook and Teams load add-in and tab pages over HTTPS only; the unified schema rejects any other scheme.
  if (url.protocol !== 'https:') {
    throw new ManifestOptionError(
      'PUBLIC_URL',
      `must be an https:// URL (Outlook and Teams load pages over HTTPS only)`,
    );
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new ManifestOptionError('PUBLIC_URL', 'must be an origin, without query, fragment or credentials');
  }
  // The pages reach the API and each other at their own origin (the server serves dist/ and /api at its root), so a
  // path here would deploy manifests whose pages then call the wrong URLs.
  if (url.pathname !== '/') {
    throw new ManifestOptionError(
      'PUBLIC_URL',
      `must be an origin without a path, e.g. ${url.origin}, not ${JSON.stringify(text.slice(0, 100))}: the server ` +
        'serves the pages and the API at the root of its origin; give it its own host name',
    );
  }
  return { publicUrl: url.origin, host: url.host };
}

/** Reads and validates the options. @throws {ManifestOptionError} naming the variable. */
export function readManifestOptions(env: Readonly<Record<string, string | undefined>>): ManifestOptions {
  // Unset, the local server `npm start` runs, on its PORT (scripts/build/public-url.cjs says the same).
  const { publicUrl, host } = publicUrlOf(
    value(env, 'PUBLIC_URL') ?? `https://localhost:${value(env, 'PORT') ?? '3000'}`,
  );
  const clientId = value(env, 'AUTH_CLIENT_ID');
  if (clientId !== null && !GUID.test(clientId)) {
    throw new ManifestOptionError('AUTH_CLIENT_ID', 'must be the Entra application (client) GUID');
  }
  const sendMode = value(env, 'SEND_MODE') ?? 'block';
  if (!(SEND_MODES as readonly string[]).includes(sendMode)) {
    throw new ManifestOptionError(
      'SEND_MODE',
      `must be one of ${SEND_MODES.join(', ')}, not ${JSON.stringify(sendMode.slice(0, 40))} ` +
        '(block: nothing is sent when the check fails or cannot run; softBlock: for pilots, see manifest/README.md)',
    );
  }
  return {
    publicUrl,
    host,
    clientId: (clientId ?? PLACEHOLDER_CLIENT_ID).toLowerCase(),
    clientIdIsPlaceholder: clientId === null,
    sendMode: sendMode as SendMode,
  };
}

/** The absolute URL of a path served from `dist/`. */
export function publicUrl(options: Pick<ManifestOptions, 'publicUrl'>, path: string): string {
  return `${options.publicUrl}${path}`;
}
