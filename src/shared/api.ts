/**
 * The server's API as the add-in and the Teams pages see it: request and response types, and one typed client.
 * The client never decides who the caller is: identity is the bearer token, which the server verifies.
 *
 * It runs in browsers, in the task pane and, compiled to ES2016, in classic Outlook's JS-only runtime, so it uses only
 * `fetch` (passed in, so tests and hosts can supply their own) and no DOM.
 */
import type { Level } from '../core/levels';
import type { VerdictKind } from '../core/types';
import { fileNameFromContentDisposition } from './content-disposition';

/** `PUT /api/meetings/{id}`: what the chair sets. */
export interface MeetingSettings {
  readonly title: string;
  readonly level: Level;
  /** The reminder shown to every attendee; the guidance's default is {@link DEFAULT_REMINDER}. */
  readonly reminder: string;
  /** The only person who speaks to the press about the meeting. */
  readonly spokesperson?: string;
  /** @default true */
  readonly sensitive?: boolean;
  /** When the meeting starts and ends (RFC 3339, with an offset): both or neither. Printed on the sign-in sheet. */
  readonly startsAt?: string;
  readonly endsAt?: string;
  /** Where it is held (a room, 「視訊會議」): printed on the sign-in sheet. */
  readonly place?: string;
}

/** The sentence the guidance puts on every sign-in sheet of a sensitive meeting. */
export const DEFAULT_REMINDER = '本會議因具機敏性質，與會人員應行保密。';

/** `GET /api/meetings/{id}`: the meeting as the caller sees it. */
export interface MeetingView {
  readonly id: string;
  readonly title: string;
  readonly sensitive: boolean;
  readonly level: Level;
  readonly reminder: string;
  /** SHA-256 (hex) of `reminder`: with `level`, the version an acknowledgement is given for. */
  readonly reminderSha256: string;
  readonly spokesperson: string | null;
  /** ISO 8601 (UTC), or null when the chair has not given them. */
  readonly startsAt: string | null;
  readonly endsAt: string | null;
  readonly place: string | null;
  /** True when the caller is the chair (from the token, as the server judges it). */
  readonly isChair: boolean;
  /**
   * The caller's own acknowledgement, if any. `current` is false when it was given for an earlier level or reminder
   * (the chair changed them since): the attendee is asked again.
   */
  readonly acknowledgement: { readonly acknowledgedAt: string; readonly current: boolean } | null;
  /**
   * How many have acknowledged the current level and reminder (`GET` only). Everyone may see the number, for the
   * stage's live count; who acknowledged is the chair's roster alone.
   */
  readonly acknowledgementCount?: number;
  /**
   * How many are expected (應到), once the server knows who was invited (Graph's member list as the chair last read
   * it, or the chair's own list; `GET` only); absent while unknown or when Graph's list was cut off. For the stage's
   * 「已確認 3／應到 5」; who they are stays with the chair.
   */
  readonly inviteeCount?: number;
}

/**
 * `GET /api/meetings/{id}/prefill` (the chair, or before the meeting is configured its organizer): what Teams knows of
 * the meeting, through Microsoft Graph, for the configuration page to fill into fields the chair left empty.
 * `prefilled: false` names why not (Graph not configured or refused, not the organizer, nothing known); the page
 * then fills nothing and says so quietly.
 */
export type MeetingPrefill =
  | {
      readonly prefilled: true;
      readonly title: string | null;
      /** ISO 8601 UTC, both or neither. */
      readonly startsAt: string | null;
      readonly endsAt: string | null;
    }
  | { readonly prefilled: false; readonly reason: string };

/** What an attendee's page showed when they acknowledged: the meeting's `level` and `reminderSha256`. */
export type ReminderVersion = Pick<MeetingView, 'level' | 'reminderSha256'>;

/** One row of the chair's roster. */
export interface RosterEntry {
  readonly oid: string;
  readonly name: string;
  readonly upn: string | null;
  readonly acknowledgedAt: string;
  /**
   * False when given for an earlier level or reminder than the meeting's current one (the roster route says; the
   * event stream delivers only acknowledgements of the version current when they were made).
   */
  readonly current?: boolean;
}

/** What the chair's event stream delivers as each acknowledgement lands. */
export interface AcknowledgementEvent extends RosterEntry {
  readonly meetingId: string;
}

/** Someone expected at the meeting, for the roster's "not yet acknowledged" list and the sign-in sheet. */
export interface Invitee {
  /** Entra object id, when known (Graph gives it; a bare address does not). */
  readonly oid: string | null;
  readonly name: string;
  readonly upn: string | null;
}

/** One person on the list the chair gives (`PUT /api/meetings/{id}/invitees`); the server checks it as a name. */
export interface InviteeInput {
  readonly name: string;
  readonly upn?: string;
  readonly oid?: string;
}

/** The bounds of that list, in code points as JSON Schema counts them: the server enforces them, the page names them. */
export const INVITEE_LIMITS = { count: 5000, name: 200, upn: 320 } as const;

/** An invitee's address (as a receipt's recipients): no spaces, no second @, no control or invisible characters. */
export const INVITEE_ADDRESS_PATTERN = '^[^\\s@\\p{C}]+@[^\\s@\\p{C}]+$';

/**
 * `GET /api/meetings/{id}/invitees` (the chair): the meeting's invitees from Microsoft Graph when the server could
 * read them (`source: 'graph'`), otherwise the list the chair gave with `PUT` (`source: 'chair'`, empty until given),
 * which the pages must label as such. Opening a meeting or acknowledging never puts anyone on it.
 */
export interface InviteeList {
  readonly source: 'graph' | 'chair';
  readonly invitees: readonly Invitee[];
  /**
   * Present when the list was cut off (a bound on members, pages or participants, or a Graph page that could not be
   * followed): people may be missing from it, so "everyone has acknowledged" cannot be said.
   */
  readonly truncated?: true;
}

/** A downloaded sign-in sheet. */
export interface SignInSheetFile {
  readonly bytes: ArrayBuffer;
  /** From the server's `content-disposition`; null if it named none the client could read. */
  readonly fileName: string | null;
}

/**
 * A part removed by stripping, as the server is told of it: its level, its length rounded up to a power of two, and a
 * salted commitment, never its text, its plain hash or its exact length (each of which lets a short part be guessed
 * back). See src/core/commitment.ts; the salt stays on the sender's machine and on the printed 簽收單.
 */
export interface RemovedPart {
  readonly level: Level;
  /** The length rounded up by `lengthBucket`: characters for a stretch of the body, bytes for an attachment. */
  readonly lengthAtMost: number;
  /** HMAC-SHA256(salt, SHA-256(content)), lower-case hex. */
  readonly commitment: string;
  /** What was removed: a stretch of the body or a whole attachment. */
  readonly kind: 'text' | 'attachment';
}

/**
 * A part as add-ins before the salted commitment recorded it. They sent its exact length and plain SHA-256, which let
 * a short part be guessed back; migration 14 keeps only its level, kind and length bucket and marks it `legacy`, and
 * the server shows it so (「舊格式：無核對值」): there is nothing left to match a paper copy against. Audit events
 * written then are left as they are (see the README's "What the server knows about a removed part"). No route
 * accepts this shape.
 */
export interface LegacyRemovedPart {
  readonly level: Level;
  /** The recorded length rounded up by `lengthBucket`; null when the row held no number. */
  readonly lengthAtMost: number | null;
  readonly kind: 'text' | 'attachment';
  readonly legacy: true;
}

export type StoredRemovedPart = RemovedPart | LegacyRemovedPart;

export function isLegacyRemovedPart(p: StoredRemovedPart): p is LegacyRemovedPart {
  return (p as Partial<LegacyRemovedPart>).legacy === true;
}

/**
 * The attribute of the printed 簽收單's salt cell for part `n` (1-based): the server leaves the cell blank (it never
 * has the salt) and the sender's task pane writes the salt into it before printing.
 */
export const SALT_CELL_ATTRIBUTE = 'data-salt-part';

/**
 * The attribute of the printed 簽收單's cells that only the sender's machine can fill: `subject`, `reference` (the
 * agency's 文號), `recipient-name:n` (a recipient's display name, 1-based in the receipt's order) and `part-name:n`
 * (a removed attachment's file name). The server never receives these (a subject, a name or a file name is message
 * content); its page leaves the cells blank and the task pane writes them in before printing, as with the salts.
 */
export const LOCAL_CELL_ATTRIBUTE = 'data-local-field';

/**
 * Bounds of an override justification: long enough to say why, too short to carry a document. The server also
 * refuses one that carries a classification mark; the task pane also refuses one that repeats the mail's words.
 */
export const JUSTIFICATION_LIMITS = { minLength: 10, maxLength: 300 } as const;

/**
 * Rule ids as an audit event may name them: a built-in id (`portion`, `level.standalone`, `pii.national-id`) or a policy's
 * custom rule (`custom.` and the policy's id). Anything else could be a message's words in lower case.
 */
export const AUDIT_RULE_PATTERN = '^(?:[a-z]{2,16}(?:\\.[a-z0-9-]{1,40})?|custom\\.[a-z0-9][a-z0-9-]{0,63})$';

/** Together, an event's rule ids name at most this many characters: enough for every rule one mail hits. */
export const AUDIT_RULES_MAX_CHARS = 2048;

/**
 * The rule ids of findings as an audit event carries them: each once, in shape, first come first kept, within
 * {@link AUDIT_RULES_MAX_CHARS} (a mail hitting more custom rules than that names the first ones; the count of
 * findings still says how many). ES2016 (the on-send runtime uses it).
 */
export function auditRules(rules: readonly string[]): string[] {
  const shape = new RegExp(AUDIT_RULE_PATTERN);
  const out: string[] = [];
  let chars = 0;
  for (const r of rules) {
    if (out.indexOf(r) !== -1 || !shape.test(r) || chars + r.length > AUDIT_RULES_MAX_CHARS) {
      continue;
    }
    out.push(r);
    chars += r.length;
  }
  return out;
}

/** `POST /api/audit`: a decision event. There is deliberately no field a message's words could go in. */
export const AUDIT_POLICY_SOURCES = ['server', 'cached', 'default'] as const;
export type AuditPolicySource = (typeof AUDIT_POLICY_SOURCES)[number];

export interface AuditDecisionEvent {
  readonly kind: 'decision' | 'override' | 'strip' | 'scan-error';
  readonly verdict: VerdictKind;
  readonly level?: Level | null;
  readonly scope?: 'internal' | 'external';
  /** Rule ids (`field.classification`, `custom.project-x` …), as {@link auditRules} makes them. */
  readonly rules?: readonly string[];
  /** Unscannable reasons (`encrypted`, `timeout` …). */
  readonly unscannable?: readonly string[];
  readonly findingCount?: number;
  readonly attachmentCount?: number;
  readonly recipientCount?: number;
  readonly externalRecipientCount?: number;
  readonly bodyBytes?: number;
  readonly removed?: readonly RemovedPart[];
  /** SHA-256 of the Internet message id or item id, so events of one mail can be joined without naming it. */
  readonly messageIdHash?: string;
  readonly policyVersion?: number;
  /** Where the add-in got the policy it judged under: the server, its roaming-settings copy, or the bundled default. */
  readonly policySource?: AuditPolicySource;
  /** The first 16 hex digits of the SHA-256 of that policy document, to tell apart two policies of one version. */
  readonly policyFingerprint?: string;
  readonly client?: string;
  /**
   * Only with `kind: 'override'`: why the sender overrode a warning, in their own words (bounded by
   * {@link JUSTIFICATION_LIMITS}); it is not message content, and text that looks like content is refused.
   */
  readonly justification?: string;
}

export const RECEIPT_STATUSES = ['pending', 'sent', 'signed', 'cancelled'] as const;
export type ReceiptStatus = (typeof RECEIPT_STATUSES)[number];

/**
 * `POST /api/receipts`: a paper-delivery receipt (簽收單) for the parts stripped from a mail. The server gives the
 * number (the answer's `id`), so that no one can learn whether a number they chose is already someone else's.
 */
export interface ReceiptInput {
  readonly recipients: readonly string[];
  readonly parts: readonly RemovedPart[];
}

export interface Receipt {
  /** The 簽收單 number, as printed in the mail's placeholder. */
  readonly id: string;
  readonly recipients: readonly string[];
  readonly parts: readonly StoredRemovedPart[];
  readonly status: ReceiptStatus;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Every error the API returns has this shape; `code` is stable, `message` is for people (zh-TW / en). */
export interface ApiErrorBody {
  readonly code: string;
  readonly message: string;
}

export class ApiError extends Error {
  constructor(
    /** HTTP status, or 0 when the server could not be reached. */
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

/** A token for the API; `forceRefresh` after the server refused the previous one. */
export type TokenProvider = (options: { readonly forceRefresh: boolean }) => Promise<string>;

/** The subset of `fetch` the client needs, so hosts and tests can supply their own. */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal },
) => Promise<{
  readonly status: number;
  readonly ok: boolean;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
  arrayBuffer(): Promise<ArrayBuffer>;
  readonly body?: ReadableStream<Uint8Array> | null;
}>;

export interface ApiClientOptions {
  /** The server's origin, e.g. `https://secrecy-guard.example.gov.tw`; absolute, as the JS-only runtime needs. */
  readonly baseUrl: string;
  readonly getToken: TokenProvider;
  readonly fetch: FetchLike;
  /** Names the caller in audit events and acknowledgements (`outlook-addin/1.0`, `teams/side-panel`). */
  readonly client?: string;
  /** @default 15000 */
  readonly timeoutMs?: number;
}

export interface ApiClient {
  getMeeting(meetingId: string): Promise<MeetingView>;
  /** What Teams knows of the meeting, for the configuration page (the chair or organizer only). */
  meetingPrefill(meetingId: string): Promise<MeetingPrefill>;
  putMeeting(meetingId: string, settings: MeetingSettings): Promise<MeetingView>;
  /**
   * Acknowledges the meeting's reminder as `shown`; the server answers 409 `meeting_changed` when the chair has
   * changed it since (reload the meeting and show it again).
   */
  acknowledge(meetingId: string, shown?: ReminderVersion): Promise<{ readonly acknowledgedAt: string }>;
  roster(meetingId: string): Promise<readonly RosterEntry[]>;
  invitees(meetingId: string): Promise<InviteeList>;
  /** The chair says who is expected (應到), replacing any list given before; the answer is the list as stored. */
  setInvitees(meetingId: string, invitees: readonly InviteeInput[]): Promise<InviteeList>;
  /** The chair's sign-in sheet (`pdf` or `csv`): its bytes and the file name the server gives it. */
  signInSheet(meetingId: string, format: 'pdf' | 'csv'): Promise<SignInSheetFile>;
  audit(event: AuditDecisionEvent): Promise<void>;
  createReceipt(receipt: ReceiptInput): Promise<{ readonly id: string; readonly status: ReceiptStatus }>;
  receipts(): Promise<readonly Receipt[]>;
  setReceiptStatus(id: string, status: Exclude<ReceiptStatus, 'pending'>): Promise<void>;
  /** The policy document; validate it with `parsePolicy` from the core before trusting it. */
  policy(): Promise<unknown>;
  /** A raw authenticated request, for routes without a typed method. */
  request(method: string, path: string, body?: unknown, accept?: string): Promise<ApiResponse>;
}

export interface ApiResponse {
  readonly status: number;
  readonly contentType: string;
  /** A response header, or null. */
  header(name: string): string | null;
  text(): Promise<string>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

const enc = encodeURIComponent;

export function createApiClient(options: ApiClientOptions): ApiClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 15000;

  async function send(method: string, path: string, body?: unknown, accept = 'application/json'): Promise<ApiResponse> {
    const attempt = async (forceRefresh: boolean): Promise<Awaited<ReturnType<FetchLike>>> => {
      let token: string;
      try {
        token = await options.getToken({ forceRefresh });
      } catch (e) {
        throw new ApiError(401, 'no_token', `無法取得登入權杖 / Could not get a sign-in token: ${String(e)}`);
      }
      const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept };
      if (body !== undefined) {
        headers['content-type'] = 'application/json';
      }
      const controller = typeof AbortController === 'function' ? new AbortController() : null;
      const timer = setTimeout(() => controller?.abort(), timeoutMs);
      try {
        return await options.fetch(`${base}${path}`, {
          method,
          headers,
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          ...(controller ? { signal: controller.signal } : {}),
        });
      } catch (e) {
        throw new ApiError(0, 'unreachable', `無法連線至伺服器 / The server could not be reached: ${String(e)}`);
      } finally {
        clearTimeout(timer);
      }
    };
    let res = await attempt(false);
    if (res.status === 401) {
      // The host may have handed out a cached token the server no longer accepts; one fresh try, no more.
      res = await attempt(true);
    }
    if (!res.ok) {
      let parsed: Partial<ApiErrorBody> = {};
      try {
        parsed = JSON.parse(await res.text()) as Partial<ApiErrorBody>;
      } catch {
        // not JSON: keep the status
      }
      throw new ApiError(
        res.status,
        typeof parsed.code === 'string' ? parsed.code : `http_${res.status}`,
        typeof parsed.message === 'string'
          ? parsed.message
          : `伺服器回應 ${res.status} / Server answered ${res.status}`,
      );
    }
    const r = res;
    return {
      status: r.status,
      contentType: r.headers.get('content-type') ?? '',
      header: (name) => r.headers.get(name),
      text: () => r.text(),
      arrayBuffer: () => r.arrayBuffer(),
    };
  }

  const json = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await send(method, path, body);
    const text = await res.text();
    try {
      return (text ? JSON.parse(text) : undefined) as T;
    } catch {
      // A proxy's or captive portal's HTML page with a 200: callers handle ApiError, not a bare SyntaxError.
      throw new ApiError(
        res.status,
        'invalid_response',
        `伺服器的回應無法解讀 / The server's answer could not be read (${res.contentType || 'no content type'})`,
      );
    }
  };
  const withClient = options.client ? { client: options.client } : {};

  return {
    getMeeting: (id) => json<MeetingView>('GET', `/api/meetings/${enc(id)}`),
    meetingPrefill: (id) => json<MeetingPrefill>('GET', `/api/meetings/${enc(id)}/prefill`),
    putMeeting: (id, settings) => json<MeetingView>('PUT', `/api/meetings/${enc(id)}`, settings),
    acknowledge: (id, shown) =>
      json<{ acknowledgedAt: string }>('POST', `/api/meetings/${enc(id)}/acknowledgements`, {
        ...withClient,
        ...(shown ? { level: shown.level, reminderSha256: shown.reminderSha256 } : {}),
      }),
    roster: async (id) =>
      (await json<{ acknowledgements: RosterEntry[] }>('GET', `/api/meetings/${enc(id)}/acknowledgements`))
        .acknowledgements,
    invitees: (id) => json<InviteeList>('GET', `/api/meetings/${enc(id)}/invitees`),
    setInvitees: (id, invitees) => json<InviteeList>('PUT', `/api/meetings/${enc(id)}/invitees`, { invitees }),
    signInSheet: async (id, format) => {
      const res = await send(
        'GET',
        `/api/meetings/${enc(id)}/sign-in-sheet.${format}`,
        undefined,
        format === 'pdf' ? 'application/pdf' : 'text/csv',
      );
      return {
        bytes: await res.arrayBuffer(),
        fileName: fileNameFromContentDisposition(res.header('content-disposition')),
      };
    },
    audit: async (event) => {
      await json('POST', '/api/audit', { ...withClient, ...event });
    },
    createReceipt: (receipt) => json<{ id: string; status: ReceiptStatus }>('POST', '/api/receipts', receipt),
    receipts: async () => (await json<{ receipts: Receipt[] }>('GET', '/api/receipts')).receipts,
    setReceiptStatus: async (id, status) => {
      await json('PUT', `/api/receipts/${enc(id)}/status`, { status });
    },
    policy: () => json<unknown>('GET', '/api/policy'),
    request: send,
  };
}
