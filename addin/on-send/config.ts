/**
 * Build-time settings and the time limits of the send path. Outlook shows its "taking longer" dialog 5 s after Send,
 * and that 5 s includes loading this script (office-js #6816), so the handler decides well inside it.
 */
declare const __PUBLIC_URL__: string | undefined;

/** The server's origin, fixed at build time from `PUBLIC_URL`: the JS-only runtime needs absolute URLs. */
export const SERVER_URL: string = typeof __PUBLIC_URL__ === 'string' ? __PUBLIC_URL__ : 'https://localhost:3000';

/** Names this script in audit events. */
export const CLIENT_NAME = 'outlook-addin/on-send';

/**
 * The latest a send is decided, from the handler's start; the policy's `scanTimeoutMs` may make it earlier, never
 * later. What is unscanned then is `unscannable: timeout`. About 1.5 s of the 5 s is left for loading the script,
 * queueing the audit event and Outlook's own work.
 */
export const SEND_DEADLINE_MS = 3500;

/** Time kept back from the scan budget for deciding and completing after the last attachment. */
export const DECIDE_MARGIN_MS = 150;

/** How long a send waits for the server's policy when the cached one is stale or missing. */
export const POLICY_WAIT_MS = 1000;

/**
 * A cached policy younger than this is used without asking the server, so most events make no request for it; an
 * administrator's change reaches every mailbox within this time.
 */
export const POLICY_FRESH_MS = 10 * 60 * 1000;

/** How long a send waits for its audit event to be queued before completing. */
export const AUDIT_QUEUE_WAIT_MS = 250;

/** How long the other events wait for queued audit events to go out before completing. */
export const AUDIT_FLUSH_WAIT_MS = 3000;

/** Timeout of one API request (the client's own abort). */
export const API_TIMEOUT_MS = 5000;

/** The latest a non-send event (attachments or recipients changed) completes. */
export const BACKGROUND_DEADLINE_MS = 20000;
