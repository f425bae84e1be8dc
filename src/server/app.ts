/**
 * The HTTP API (Fastify): meetings, acknowledgements, the roster, decision audit events and the policy. Every /api
 * route needs a valid bearer token; a chair sees only their own meetings, an attendee acknowledges only as
 * themselves (identity from the token, never from the body), and another tenant sees nothing. Bodies and parameters
 * are validated by JSON Schema and bounded; errors are `{ code, message }`.
 */
import { randomBytes } from 'node:crypto';

import rateLimit from '@fastify/rate-limit';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';

import {
  DEFAULT_POLICY,
  LENGTH_BUCKETS,
  LEVELS,
  MAX_POLICY_VERSION,
  parsePolicy,
  type Policy,
  POLICY_SCHEMA,
  type PolicyError,
  UNSCANNABLE_REASONS,
} from '../core';
import { AUDIT_POLICY_SOURCES, AUDIT_RULE_PATTERN, AUDIT_RULES_MAX_CHARS, type RemovedPart } from '../shared/api';
import { RECEIPT_CURSOR_SCHEMA_PATTERN, receiptNumber } from '../shared/receipt-number';
import { createAcknowledgementRecorder, reminderSha256 } from './acknowledge';
import { AuthError, type Caller, type TokenVerifier } from './auth';
import { type ConnectionLimits, DEFAULT_CONNECTION_LIMITS, limitConnections } from './connections';
import { type EventStreamLimits, registerEventStream } from './event-stream';
import { createGraphDirectory, type GraphOptions } from './graph';
import {
  caller,
  HttpError,
  iso,
  loadMeeting,
  MEETING_PARAMS,
  type MeetingRow,
  RECEIPT_PARAMS,
  requireChair,
  sendInSlices,
} from './http';
import { checkJustification, JUSTIFICATION_SCHEMA } from './justification';
import { registerMeetingPrefill } from './meeting-prefill';
import { DATE_TIME_PATTERN, meetingSchedule } from './meeting-schedule';
import type { PdfFontChoice } from './pdf-font';
import { sharedRateLimitStore } from './rate-limit-store';
import { registerReceiptPrint, storedRemovedPart } from './receipt-print';
import { acknowledgementPages, meetingInvitees, registerMeetingRecords } from './sign-in-sheet';
import { appendInTx, enqueueAudit } from './store/audit';
import type { Db, Queryable } from './store/db';
import { isStoreUnavailable, loggableError, storeErrorSummary } from './store/failure';
import { requireCleanText, requireTitleOrName } from './text-input';

export interface AcknowledgementEvent {
  /** With the meeting id, names the meeting: ids are unique within a tenant only. Not sent to the browser. */
  readonly tenantId: string;
  readonly meetingId: string;
  readonly oid: string;
  readonly name: string;
  readonly upn: string | null;
  readonly acknowledgedAt: string;
}

/** Where acknowledgement events go after they are durable (in-process now; LISTEN/NOTIFY across instances later). */
export interface EventBus {
  /**
   * The PostgreSQL channel the bus listens on, when it is one: the acknowledgement statement then sends the
   * notification itself, so it goes out exactly when the row commits, with no extra round trip.
   */
  readonly channel?: string;
  publish(event: AcknowledgementEvent): void;
  /**
   * `onLost` is called when the bus can no longer promise every event (its database connection dropped): the
   * subscriber ends its stream, so the client reconnects and refetches what it missed.
   */
  subscribe(
    tenantId: string,
    meetingId: string,
    listener: (event: AcknowledgementEvent) => void,
    onLost?: () => void,
  ): () => void;
  /** False while the bus cannot deliver (getting its database connection back): new streams are refused then. */
  isLive?(): boolean;
}

export interface AppDeps {
  readonly db: Db;
  readonly verifier: TokenVerifier;
  readonly events: EventBus;
  /** The CJK font for PDF sign-in sheets, found at start-up; when absent, the system's is looked for on first use. */
  readonly pdfFonts?: PdfFontChoice;
  /** Microsoft Graph for the meeting's invitees; null or absent: the chair's list stands in. */
  readonly graph?: GraphOptions | null;
  /** Bounds on the chairs' live event streams. @default DEFAULT_EVENT_STREAM_LIMITS */
  readonly eventStreams?: Partial<EventStreamLimits>;
  /** Meetings one user may create in 24 hours (changing one does not count). @default 200 */
  readonly meetingsPerDay?: number;
  /** Most acknowledgements one roster answer lists. @default 10000 */
  readonly rosterLimit?: number;
  /** Requests per minute per user. @default 600 */
  readonly rateLimitPerMinute?: number;
  /** Fastify's logger: on (stdout), off, or pino options such as a `stream` to write the lines to. */
  readonly logger?: boolean | { readonly level?: string; readonly stream: { write(line: string): void } };
}

/**
 * The most one save may raise a tenant's policy version. Any date or clock scheme fits in one step (YYYYMMDDhhmmss
 * is about 2×10^13, Unix milliseconds 1.8×10^12), while a single save of the highest version, which would leave no
 * later version possible, is refused: using up the range takes some ninety saves made to do exactly that.
 */
export const MAX_POLICY_VERSION_STEP = 100_000_000_000_000;

/** Roles from the Entra app registration's app roles. */
const POLICY_ADMIN_ROLE = 'Policy.Admin';
/**
 * A part removed by stripping, as the add-in reports it: level, a length bucket and a salted commitment, never the
 * text. An exact length or a plain SHA-256 is refused (additionalProperties, and the bucket enum): with them a short
 * part is guessed back in a few thousand tries (src/core/commitment.ts).
 */
const REMOVED_PART = {
  type: 'object',
  additionalProperties: false,
  required: ['level', 'lengthAtMost', 'commitment', 'kind'],
  properties: {
    level: { enum: [...LEVELS] },
    lengthAtMost: { enum: [...LENGTH_BUCKETS] },
    commitment: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    /** A stretch of the body (length in characters) or a whole attachment (length in bytes). */
    kind: { enum: ['text', 'attachment'] },
  },
} as const;

/** Tries at a free 簽收單 number before giving up (30 random bits a day each: a second try is already rare). */
const RECEIPT_NUMBER_TRIES = 8;

export async function buildApp(
  deps: AppDeps,
  server: {
    https?: { cert: string; key: string };
    /** The proxies in front (TRUST_PROXY): their X-Forwarded-For names the client's address. */
    trustProxy?: number | readonly string[];
    /** How long a client gets to send its whole request, headers and body. @default 30000 */
    requestTimeoutMs?: number;
    /** How long a client gets to send its request's headers; at most `requestTimeoutMs`. @default 10000 */
    headersTimeoutMs?: number;
    /**
     * How long a connection may go without a byte either way (an event stream's keep-alive comes more often).
     * @default 60000
     */
    idleTimeoutMs?: number;
    /** Connections held at once, per client address and in total. @default DEFAULT_CONNECTION_LIMITS */
    connections?: ConnectionLimits;
  } = {},
): Promise<FastifyInstance> {
  const requestTimeout = server.requestTimeoutMs ?? 30_000;
  const headersTimeout = Math.min(server.headersTimeoutMs ?? 10_000, requestTimeout);
  const timing = {
    // Node's default headersTimeout (60 s) exceeded the request timeout, and Node then swaps the two: a body sent a
    // byte at a time was held for 60 s (plus the checking interval) instead of 30. Both are set, the smaller first.
    headersTimeout,
    requestTimeout,
    // Node looks for requests past their time only this often (30 s by default, which would double a short timeout).
    connectionsCheckingInterval: Math.min(Math.max(Math.ceil(headersTimeout / 4), 100), 5_000),
  };
  const app = Fastify({
    // A TLS handshake is bounded like the headers that follow it (Node's default lets one hang for 120 s).
    ...(server.https ? { https: { ...server.https, ...timing, handshakeTimeout: headersTimeout } } : { http: timing }),
    ...(server.trustProxy !== undefined
      ? { trustProxy: typeof server.trustProxy === 'number' ? server.trustProxy : [...server.trustProxy] }
      : {}),
    logger: deps.logger ?? false,
    bodyLimit: 64 * 1024,
    requestTimeout,
    connectionTimeout: server.idleTimeoutMs ?? 60_000,
    // Validation with the same Ajv strictness the policy uses; coercion off, so types are what they claim to be.
    ajv: { customOptions: { allErrors: false, coerceTypes: false, removeAdditional: false } },
    // A meeting id may be 512 ASCII characters (MEETING_ID_PATTERN), each at most one percent-escape in the path; the
    // router's default of 100 refused a long id (414, in its own shape) before the schema saw it.
    maxParamLength: 512 * 3,
    // The router's own refusals (a path that does not decode, e.g. %ED%A0%80) in the API's `{ code, message }`
    // shape; by default they bypass the error handler with Fastify's `{ error, code, message, statusCode }`.
    frameworkErrors: (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) =>
      reply
        .code(error.statusCode ?? 400)
        .send({ code: 'invalid_url', message: '網址不正確 / The path is not a valid URL' }),
  } as FastifyServerOptions) as unknown as FastifyInstance;
  limitConnections(app.server, server.connections ?? DEFAULT_CONNECTION_LIMITS, { greetingTimeoutMs: headersTimeout });
  const { db } = deps;
  const acknowledgements = createAcknowledgementRecorder(db, {
    concurrency: db.kind === 'postgres' ? 4 : 1,
    channel: deps.events.channel ?? null,
  });

  app.setErrorHandler((error: FastifyError | HttpError | AuthError, request, reply) => {
    if (error instanceof AuthError) {
      if (error.operatorNote) {
        request.log.warn({ code: error.code }, error.operatorNote);
      }
      return reply.code(401).header('www-authenticate', 'Bearer').send({ code: error.code, message: error.message });
    }
    if (error instanceof HttpError) {
      return reply.code(error.status).send({ code: error.code, message: error.message });
    }
    const fe = error as FastifyError;
    if (fe.validation) {
      return reply
        .code(400)
        .send({ code: 'invalid_request', message: `輸入不正確 / Invalid input: ${fe.message}`.slice(0, 500) });
    }
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
      return reply
        .code(fe.statusCode)
        .send({ code: fe.code?.toLowerCase() ?? 'bad_request', message: fe.message.slice(0, 500) });
    }
    if (isStoreUnavailable(error)) {
      // The store went away or cannot write. Nothing retries it here: the client hears that its write may not have
      // happened (a COMMIT cut off may still have landed; every write here is safe to send again).
      request.log.warn({ store: storeErrorSummary(error) }, 'store unavailable');
      return reply.code(503).header('retry-after', '5').send({
        code: 'store_unavailable',
        message:
          '資料庫暫時無法使用，本次操作可能未完成，請稍後再試 / The store is unavailable; this may not have been recorded, try again shortly',
      });
    }
    request.log.error({ err: loggableError(error) }, 'unhandled error');
    return reply.code(500).send({ code: 'internal', message: '伺服器錯誤 / Internal error' });
  });
  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).send({ code: 'not_found', message: '找不到 / Not found' }),
  );

  // Authentication, then the rate limit, then the refusal: a request with a bad token is counted (against its
  // address) before it is turned away, so a flood of them is limited like any other; one with a good token counts
  // against its user, whether it then fails validation or not.
  const refused = new WeakMap<FastifyRequest, unknown>();
  app.addHook('onRequest', async (request) => {
    if (isApiRequest(request)) {
      try {
        request.caller = await deps.verifier.verify(request.headers.authorization);
      } catch (e) {
        refused.set(request, e);
      }
    }
  });
  app.addHook('preParsing', async (request) => {
    if (refused.has(request)) {
      throw refused.get(request);
    }
  });
  app.addHook('preValidation', async (request) => {
    requireCleanText({ body: request.body, params: request.params, query: request.query });
  });
  await app.register(rateLimit, {
    hook: 'onRequest',
    max: deps.rateLimitPerMinute ?? 600,
    timeWindow: 60_000,
    // On PostgreSQL several instances share the store, so they share the count: each counting alone would let a user
    // make the limit once per instance. Embedded PGlite is one instance, and its own memory is the count.
    ...(db.kind === 'postgres'
      ? {
          store: sharedRateLimitStore(db, (e) =>
            app.log.warn({ err: loggableError(e) }, 'rate limits: expired counters not swept'),
          ),
        }
      : {}),
    // Pages, scripts, icons and the health check are not counted: behind an agency's NAT or load balancer every user
    // shares one address, and the Office and Teams hosts load many files per page.
    allowList: (request) => !isApiRequest(request),
    keyGenerator: (request) => (request.caller ? `${request.caller.tenantId}:${request.caller.oid}` : request.ip),
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      code: 'rate_limited',
      message: `請求過於頻繁，請於 ${Math.ceil(context.ttl / 1000)} 秒後再試 / Too many requests; retry in ${Math.ceil(context.ttl / 1000)} s`,
    }),
  });

  const rosterLimit = deps.rosterLimit ?? 10_000;
  // One Graph client for the invitee lists and the configuration prefill (both on the chair's behalf).
  const graphDirectory = deps.graph ? createGraphDirectory(deps.graph) : null;
  const invitees = meetingInvitees(app, { db, graph: graphDirectory });
  const meetingFor = (request: FastifyRequest, meetingId: string): Promise<MeetingRow> =>
    loadMeeting(db, caller(request), meetingId);

  app.put<{
    Params: { meetingId: string };
    Body: {
      title: string;
      level: string;
      reminder: string;
      spokesperson?: string;
      sensitive?: boolean;
      startsAt?: string;
      endsAt?: string;
      place?: string;
    };
  }>(
    '/api/meetings/:meetingId',
    {
      schema: {
        params: MEETING_PARAMS,
        body: {
          type: 'object',
          required: ['title', 'level', 'reminder'],
          additionalProperties: false,
          properties: {
            title: { type: 'string', minLength: 1, maxLength: 500 },
            level: { enum: [...LEVELS] },
            reminder: { type: 'string', minLength: 1, maxLength: 2000 },
            spokesperson: { type: 'string', maxLength: 200 },
            sensitive: { type: 'boolean' },
            startsAt: { type: 'string', maxLength: 40, pattern: DATE_TIME_PATTERN },
            endsAt: { type: 'string', maxLength: 40, pattern: DATE_TIME_PATTERN },
            place: { type: 'string', maxLength: 200 },
          },
        },
      },
    },
    async (request, reply) => {
      const me = caller(request);
      const { meetingId } = request.params;
      const b = request.body;
      requireTitleOrName('title', b.title);
      requireTitleOrName('spokesperson', b.spokesperson);
      requireTitleOrName('place', b.place);
      const schedule = meetingSchedule(b.startsAt, b.endsAt);
      const place = b.place?.trim() || null;
      const result = await db.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`meeting:${me.tenantId}:${meetingId}`]);
        const existing = (
          await tx.query<MeetingRow>('SELECT * FROM meetings WHERE tenant_id = $1 AND id = $2', [
            me.tenantId,
            meetingId,
          ])
        ).rows[0];
        if (existing && existing.chair_oid !== me.oid) {
          throw new HttpError(403, 'not_chair', '僅會議主席可設定 / Only the meeting chair can configure it');
        }
        if (!existing) {
          await requireMeetingAllowance(tx, me, deps.meetingsPerDay ?? 200);
        }
        const row = (
          await tx.query<MeetingRow>(
            `INSERT INTO meetings (id, tenant_id, title, sensitive, level, reminder, spokesperson, chair_oid, starts_at, ends_at, place)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             ON CONFLICT (tenant_id, id) DO UPDATE SET title = $3, sensitive = $4, level = $5, reminder = $6, spokesperson = $7,
               starts_at = $9, ends_at = $10, place = $11, updated_at = now()
             RETURNING *`,
            [
              meetingId,
              me.tenantId,
              b.title,
              b.sensitive ?? true,
              b.level,
              b.reminder,
              b.spokesperson ?? null,
              me.oid,
              schedule.startsAt,
              schedule.endsAt,
              place,
            ],
          )
        ).rows[0] as MeetingRow;
        // Until the bot brings the Teams meeting API, the first signed-in user to configure a meeting becomes chair.
        await appendInTx(tx, {
          tenantId: me.tenantId,
          actorOid: me.oid,
          kind: existing ? 'meeting.updated' : 'meeting.chair-assigned',
          data: { meetingId, level: b.level, sensitive: b.sensitive ?? true },
        });
        return { row, created: !existing };
      });
      return reply.code(result.created ? 201 : 200).send(meetingView(result.row, me, null));
    },
  );

  app.get<{ Params: { meetingId: string } }>(
    '/api/meetings/:meetingId',
    { schema: { params: MEETING_PARAMS } },
    async (request) => {
      // Opening a meeting records nothing: who was invited comes from Graph or the chair, never from who looked.
      const meeting = await meetingFor(request, request.params.meetingId);
      // The count is for everyone (the stage shows it to each viewer); who acknowledged stays with the chair. Both
      // count only acknowledgements of the meeting's current level and reminder.
      // The 應到 count may need its own query: both at once, not one after the other, on the route every viewer calls.
      const [ackRows, expected] = await Promise.all([
        db.query<{ count: number; mine: Date | string | null; mine_current: boolean | null }>(
          `SELECT count(*) FILTER (WHERE ${CURRENT_VERSION('$4', '$5')})::int AS count,
                  max(a.acknowledged_at) FILTER (WHERE a.user_oid = $2) AS mine,
                  bool_or(${CURRENT_VERSION('$4', '$5')}) FILTER (WHERE a.user_oid = $2) AS mine_current
             FROM acknowledgements a
            WHERE a.tenant_id = $3 AND a.meeting_id = $1`,
          [meeting.id, caller(request).oid, meeting.tenant_id, meeting.level, reminderSha256(meeting.reminder)],
        ),
        invitees.expectedCount(meeting),
      ]);
      const acks = ackRows.rows[0];
      const mine = acks?.mine ? { acknowledgedAt: iso(acks.mine), current: acks.mine_current === true } : null;
      return meetingView(meeting, caller(request), mine, {
        acknowledged: Number(acks?.count ?? 0),
        ...(expected !== null ? { expected } : {}),
      });
    },
  );

  app.post<{
    Params: { meetingId: string };
    Body: { client?: string; level?: string; reminderSha256?: string } | undefined;
  }>(
    '/api/meetings/:meetingId/acknowledgements',
    {
      schema: {
        params: MEETING_PARAMS,
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: {
            client: { type: 'string', maxLength: 64, pattern: '^[A-Za-z0-9 ._/-]*$' },
            // What the page showed (the meeting's `level` and `reminderSha256`): acknowledging text that has since
            // changed is refused, so nobody is recorded as acknowledging words they never saw.
            level: { enum: [...LEVELS] },
            reminderSha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
          },
          dependencies: { level: ['reminderSha256'], reminderSha256: ['level'] },
        },
      },
    },
    async (request, reply) => {
      const me = caller(request);
      const meetingId = request.params.meetingId;
      const { client, level, reminderSha256: shownSha256 } = request.body ?? {};
      // Durable before the reply: the recorder answers only after the statement holding this row has committed.
      const result = await acknowledgements.record({
        meetingId,
        tenantId: me.tenantId,
        oid: me.oid,
        name: me.name,
        upn: me.upn,
        client: client ?? null,
        shown: level && shownSha256 ? { level, reminderSha256: shownSha256 } : null,
      });
      if (result.meeting === 'not_found') {
        throw new HttpError(404, 'meeting_not_found', '找不到此會議 / Meeting not found');
      }
      if (result.meeting === 'stale') {
        throw new HttpError(
          409,
          'meeting_changed',
          '主席已更新密等或提醒內容，請閱讀新的內容後再確認 / The chair has changed the level or the reminder; read it again, then acknowledge',
        );
      }
      const { created } = result;
      const at = result.acknowledgedAt.toISOString();
      if (created && !deps.events.channel) {
        deps.events.publish({
          tenantId: me.tenantId,
          meetingId,
          oid: me.oid,
          name: me.name,
          upn: me.upn,
          acknowledgedAt: at,
        });
      }
      return reply.code(created ? 201 : 200).send({ acknowledgedAt: at });
    },
  );

  app.get<{ Params: { meetingId: string } }>(
    '/api/meetings/:meetingId/acknowledgements',
    { schema: { params: MEETING_PARAMS } },
    async (request, reply) => {
      const meeting = await meetingFor(request, request.params.meetingId);
      requireChair(caller(request), meeting);
      // A page at a time: one read of 10,000 rows held PGlite (and so the event loop) for a quarter of a second. Each
      // page is also serialised as it comes, between turns of the event loop, where the whole roster was serialised
      // in one slice at the end, and it is sent in slices. All of it is read before the answer starts, so a store
      // failure is still a 503, never a roster cut short.
      const json: Buffer[] = [Buffer.from('{"acknowledgements":[')];
      let listed = 0;
      let more = false;
      for await (const page of acknowledgementPages(db, meeting, { limit: rosterLimit + 1 })) {
        const rows = page.rows.slice(0, rosterLimit - listed);
        more ||= rows.length < page.rows.length;
        if (rows.length > 0) {
          const serialised = JSON.stringify(
            rows.map((r) => ({
              oid: r.oid,
              name: r.name,
              upn: r.upn,
              acknowledgedAt: r.acknowledgedAt.toISOString(),
              current: r.current,
            })),
          );
          json.push(Buffer.from(`${listed > 0 ? ',' : ''}${serialised.slice(1, -1)}`));
          listed += rows.length;
        }
      }
      // The first `rosterLimit` by time; the sign-in sheet export is the record of a meeting larger than that.
      json.push(Buffer.from(more ? '],"truncated":true}' : ']}'));
      return sendInSlices(reply.type('application/json; charset=utf-8'), json);
    },
  );

  registerEventStream(app, { db, events: deps.events, limits: deps.eventStreams ?? {} });

  app.post<{ Body: Record<string, unknown> }>(
    '/api/audit',
    {
      schema: {
        body: {
          // Identifiers, levels, counts, sizes and hashes; the one free-text field, an override's justification, is
          // bounded and refused when it carries a mark (justification.ts). No field takes a message's words.
          type: 'object',
          required: ['kind', 'verdict'],
          additionalProperties: false,
          properties: {
            kind: { enum: ['decision', 'override', 'strip', 'scan-error'] },
            verdict: { enum: ['allow', 'warn', 'strip', 'block'] },
            level: { anyOf: [{ enum: [...LEVELS] }, { type: 'null' }] },
            scope: { enum: ['internal', 'external'] },
            rules: {
              type: 'array',
              maxItems: 100,
              uniqueItems: true,
              items: { type: 'string', pattern: AUDIT_RULE_PATTERN },
            },
            unscannable: { type: 'array', uniqueItems: true, items: { enum: [...UNSCANNABLE_REASONS] } },
            findingCount: { type: 'integer', minimum: 0, maximum: 100000 },
            attachmentCount: { type: 'integer', minimum: 0, maximum: 1000 },
            recipientCount: { type: 'integer', minimum: 0, maximum: 10000 },
            externalRecipientCount: { type: 'integer', minimum: 0, maximum: 10000 },
            bodyBytes: { type: 'integer', minimum: 0, maximum: 1e9 },
            removed: {
              type: 'array',
              maxItems: 100,
              items: REMOVED_PART,
            },
            messageIdHash: { type: 'string', pattern: '^[0-9a-f]{64}$' },
            policyVersion: { type: 'integer', minimum: 1, maximum: MAX_POLICY_VERSION },
            policySource: { enum: [...AUDIT_POLICY_SOURCES] },
            policyFingerprint: { type: 'string', pattern: '^[0-9a-f]{16}$' },
            client: { type: 'string', pattern: '^[A-Za-z0-9 ._/-]{0,64}$' },
            justification: JUSTIFICATION_SCHEMA,
          },
        },
      },
    },
    async (request, reply) => {
      const me = caller(request);
      // Each id in shape, yet together they could still spell a paragraph: bound the sum too.
      const rules = (request.body.rules as string[] | undefined) ?? [];
      if (rules.reduce((n, r) => n + r.length, 0) > AUDIT_RULES_MAX_CHARS) {
        throw new HttpError(
          400,
          'invalid_request',
          `規則代碼總長超過 ${AUDIT_RULES_MAX_CHARS} 字元 / The rule ids exceed ${AUDIT_RULES_MAX_CHARS} characters together`,
        );
      }
      if (request.body.justification !== undefined) {
        checkJustification(
          request.body.kind as string,
          request.body.justification as string,
          await currentPolicy(db, me.tenantId),
        );
      }
      await db.transaction((tx) =>
        enqueueAudit(tx, {
          tenantId: me.tenantId,
          actorOid: me.oid,
          kind: `mail.${request.body.kind as string}`,
          data: request.body,
        }),
      );
      return reply.code(202).send({ recorded: true });
    },
  );

  /**
   * Paper-delivery receipts (簽收單): the parts stripped from a mail go on paper against a signature. The record holds
   * who sent to whom and each removed part's level, length bucket and salted commitment, never its text. The server
   * draws the number: were the client to choose it, a "taken" answer would tell one user that another holds it.
   */
  app.post<{ Body: { recipients: string[]; parts: RemovedPart[] } }>(
    '/api/receipts',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['recipients', 'parts'],
          properties: {
            recipients: {
              type: 'array',
              minItems: 1,
              maxItems: 500,
              // No spaces, controls or invisible format characters (zero-width, bidi): what prints is what is stored.
              items: { type: 'string', maxLength: 320, pattern: '^[^\\s@\\p{C}]+@[^\\s@\\p{C}]+$' },
            },
            parts: { type: 'array', minItems: 1, maxItems: 100, items: REMOVED_PART },
          },
        },
      },
    },
    async (request, reply) => {
      const me = caller(request);
      const b = request.body;
      const id = await db.transaction(async (tx) => {
        for (let attempt = 0; attempt < RECEIPT_NUMBER_TRIES; attempt++) {
          const row = (
            await tx.query<{ id: string }>(
              `INSERT INTO paper_receipts (id, tenant_id, sender, recipients, parts, status) VALUES ($1, $2, $3, $4, $5, 'pending')
               ON CONFLICT (tenant_id, id) DO NOTHING RETURNING id`,
              [
                receiptNumber(new Date(), randomBytes(6)),
                me.tenantId,
                me.oid,
                JSON.stringify(b.recipients),
                JSON.stringify(b.parts),
              ],
            )
          ).rows[0];
          if (row) {
            await appendInTx(tx, {
              tenantId: me.tenantId,
              actorOid: me.oid,
              kind: 'receipt.created',
              data: { id: row.id, parts: b.parts, recipientCount: b.recipients.length },
            });
            return row.id;
          }
        }
        return null;
      });
      if (id === null) {
        throw new HttpError(
          503,
          'receipt_number_unavailable',
          '暫時無法配發簽收單號，請重試 / No receipt number could be drawn; try again',
        );
      }
      return reply.code(201).send({ id, status: 'pending' });
    },
  );

  /** The sender's receipts, newest first, a page at a time: `next` is the cursor for the page after, if any. */
  app.get<{ Querystring: { limit?: string; before?: string } }>(
    '/api/receipts',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'string', pattern: '^(?:[1-9]\\d{0,1}|[1-4]\\d\\d|500)$' },
            before: { type: 'string', pattern: RECEIPT_CURSOR_SCHEMA_PATTERN },
          },
        },
      },
    },
    async (request) => {
      const me = caller(request);
      const limit = Number(request.query.limit ?? 500);
      const [beforeMicros = null, beforeId = null] = request.query.before?.split('~') ?? [];
      const rows = (
        await db.query<{
          id: string;
          recipients: unknown;
          parts: unknown;
          status: string;
          created_at: Date | string;
          updated_at: Date | string;
          micros: string;
        }>(
          // Microseconds since the epoch, exact (extract returns numeric), so a page boundary never skips or repeats.
          `SELECT id, recipients, parts, status, created_at, updated_at,
                  (extract(epoch FROM created_at) * 1000000)::bigint::text AS micros
             FROM paper_receipts
            WHERE tenant_id = $1 AND sender = $2
              AND ($3::bigint IS NULL OR ((extract(epoch FROM created_at) * 1000000)::bigint, id) < ($3::bigint, $4::text))
            ORDER BY created_at DESC, id DESC
            LIMIT $5`,
          [me.tenantId, me.oid, beforeMicros, beforeId, limit + 1],
        )
      ).rows;
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      const json = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v);
      return {
        receipts: page.map((r) => ({
          id: r.id,
          recipients: json(r.recipients),
          parts: (json(r.parts) as unknown[]).map(storedRemovedPart),
          status: r.status,
          createdAt: iso(r.created_at),
          updatedAt: iso(r.updated_at),
        })),
        ...(rows.length > limit && last ? { next: `${last.micros}~${last.id}` } : {}),
      };
    },
  );

  app.put<{ Params: { id: string }; Body: { status: 'sent' | 'signed' | 'cancelled' } }>(
    '/api/receipts/:id/status',
    {
      schema: {
        params: RECEIPT_PARAMS,
        body: {
          type: 'object',
          required: ['status'],
          additionalProperties: false,
          properties: { status: { enum: ['sent', 'signed', 'cancelled'] } },
        },
      },
    },
    async (request) => {
      const me = caller(request);
      const { id } = request.params;
      const { status } = request.body;
      await db.transaction(async (tx) => {
        const row = (
          await tx.query<{ status: string }>(
            'SELECT status FROM paper_receipts WHERE id = $1 AND tenant_id = $2 AND sender = $3 FOR UPDATE',
            [id, me.tenantId, me.oid],
          )
        ).rows[0];
        if (!row) {
          throw new HttpError(404, 'receipt_not_found', '找不到簽收單 / Receipt not found');
        }
        // Paper goes out, then comes back signed; a signed or cancelled receipt is final.
        const allowed: Record<string, string[]> = {
          pending: ['sent', 'cancelled'],
          sent: ['signed', 'cancelled'],
          signed: [],
          cancelled: [],
        };
        if (!(allowed[row.status] ?? []).includes(status)) {
          throw new HttpError(
            409,
            'invalid_transition',
            `無法由「${row.status}」改為「${status}」 / Cannot go from ${row.status} to ${status}`,
          );
        }
        await tx.query('UPDATE paper_receipts SET status = $1, updated_at = now() WHERE tenant_id = $2 AND id = $3', [
          status,
          me.tenantId,
          id,
        ]);
        await appendInTx(tx, { tenantId: me.tenantId, actorOid: me.oid, kind: `receipt.${status}`, data: { id } });
      });
      return { id, status };
    },
  );

  registerMeetingRecords(app, { ...deps, invitees });
  registerReceiptPrint(app, db);
  registerMeetingPrefill(app, { db, directory: graphDirectory });

  // Each tenant's own policy: one deployment may serve several agencies, and none enforces or sees another's.
  app.get('/api/policy', async (request) => currentPolicy(db, caller(request).tenantId));

  app.put<{ Body: unknown }>('/api/policy', { schema: { body: POLICY_SCHEMA } }, async (request, reply) => {
    const me = caller(request);
    if (!me.roles.includes(POLICY_ADMIN_ROLE)) {
      throw new HttpError(
        403,
        'not_policy_admin',
        '僅政策管理者可修改 / Only a policy administrator can change the policy',
      );
    }
    let policy: Policy;
    try {
      policy = parsePolicy(request.body);
    } catch (e) {
      throw new HttpError(400, 'invalid_policy', (e as PolicyError).message.slice(0, 1000));
    }
    // Shown in every user's task pane and on the audit trail: the same one-line rule as a meeting's title.
    requireTitleOrName('name', policy.name);
    policy.sensitivityLabels.forEach((label, i) => requireTitleOrName(`sensitivityLabels/${i}/name`, label.name));
    await db.transaction(async (tx) => {
      // Two admins saving at once: the second sees the first's version under the lock and gets 409, not a key clash.
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`policy:${me.tenantId}`]);
      const current = await currentPolicy(tx, me.tenantId);
      if (policy.version <= current.version) {
        throw new HttpError(
          409,
          'stale_policy_version',
          `版本須大於 ${current.version} / version must be greater than ${current.version}`,
        );
      }
      if (policy.version - current.version > MAX_POLICY_VERSION_STEP) {
        throw new HttpError(
          400,
          'policy_version_jump',
          `版本一次最多增加 ${MAX_POLICY_VERSION_STEP}（目前為 ${current.version}）/ A version may go up by at most ${MAX_POLICY_VERSION_STEP} at a time (now ${current.version})`,
        );
      }
      await tx.query('INSERT INTO policy_versions (tenant_id, version, document, created_by) VALUES ($1, $2, $3, $4)', [
        me.tenantId,
        policy.version,
        JSON.stringify(policy),
        me.oid,
      ]);
      await appendInTx(tx, {
        tenantId: me.tenantId,
        actorOid: me.oid,
        kind: 'policy.updated',
        data: { version: policy.version },
      });
    });
    return reply.code(200).send(policy);
  });

  return app;
}

/** A user creates a bounded number of meetings a day: each one is rows, audit events and roster space. */
async function requireMeetingAllowance(tx: Queryable, me: Caller, perDay: number): Promise<void> {
  const created = (
    await tx.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM meetings
        WHERE tenant_id = $1 AND chair_oid = $2 AND created_at > now() - interval '1 day'`,
      [me.tenantId, me.oid],
    )
  ).rows[0];
  if (Number(created?.n ?? 0) >= perDay) {
    throw new HttpError(
      429,
      'too_many_meetings',
      `一日內建立的會議已達上限 ${perDay} / At most ${perDay} new meetings a day`,
    );
  }
}

/**
 * Whether a request needs a verified caller. Decided by the route the router matched (its pattern, as registered),
 * not by the raw URL: the router decodes percent-escapes, so `/%61pi/policy` reaches the `/api/policy` handler while
 * its raw URL does not start with `/api/`. The raw URL still counts for paths no route matched (401 before 404).
 */
function isApiRequest(request: FastifyRequest): boolean {
  const route = request.routeOptions.url;
  return (route !== undefined && route.startsWith('/api/')) || request.url.startsWith('/api/');
}

/** The tenant's latest policy, or the default when its admins have set none. */
async function currentPolicy(db: Queryable, tenantId: string): Promise<Policy> {
  const row = (
    await db.query<{ document: unknown }>(
      'SELECT document FROM policy_versions WHERE tenant_id = $1 ORDER BY version DESC LIMIT 1',
      [tenantId],
    )
  ).rows[0];
  if (!row) {
    return DEFAULT_POLICY;
  }
  return (typeof row.document === 'string' ? JSON.parse(row.document) : row.document) as Policy;
}

/**
 * An acknowledgement `a` given for the meeting's current level and reminder hash, passed as parameters (NULL when
 * not recorded): the meeting is already loaded, so its reminder is hashed once, not once per row.
 */
const CURRENT_VERSION = (level: string, reminderHash: string): string =>
  `(a.level = ${level} AND a.reminder_sha256 = ${reminderHash})`;

function meetingView(
  m: MeetingRow,
  me: Caller,
  acknowledgement: { acknowledgedAt: string; current: boolean } | null,
  counts?: { acknowledged: number; expected?: number },
): Record<string, unknown> {
  return {
    id: m.id,
    title: m.title,
    sensitive: m.sensitive,
    level: m.level,
    reminder: m.reminder,
    reminderSha256: reminderSha256(m.reminder),
    spokesperson: m.spokesperson,
    startsAt: m.starts_at === null ? null : iso(m.starts_at),
    endsAt: m.ends_at === null ? null : iso(m.ends_at),
    place: m.place,
    isChair: m.chair_oid === me.oid,
    acknowledgement,
    ...(counts ? { acknowledgementCount: counts.acknowledged } : {}),
    ...(counts?.expected !== undefined ? { inviteeCount: counts.expected } : {}),
  };
}

interface Subscriber {
  readonly listener: (e: AcknowledgementEvent) => void;
  readonly onLost?: () => void;
}

/** The in-process event bus: one instance's subscribers (the PostgreSQL bus delivers through one of these). */
export function inProcessEventBus(): EventBus & {
  dropSubscribers(): void;
  /** How many meetings have a listener: a meeting whose last listener left holds no memory. */
  readonly meetingsListenedTo: () => number;
} {
  // Keyed by tenant and meeting id: two tenants' meetings may share an id.
  const subscribers = new Map<string, Set<Subscriber>>();
  const keyOf = (tenantId: string, meetingId: string): string => `${tenantId}\u0000${meetingId}`;
  return {
    meetingsListenedTo: () => subscribers.size,
    publish(event) {
      subscribers.get(keyOf(event.tenantId, event.meetingId))?.forEach((s) => s.listener(event));
    },
    subscribe(tenantId, meetingId, listener, onLost) {
      const key = keyOf(tenantId, meetingId);
      let set = subscribers.get(key);
      if (!set) {
        set = new Set();
        subscribers.set(key, set);
      }
      const subscriber: Subscriber = { listener, ...(onLost ? { onLost } : {}) };
      set.add(subscriber);
      return () => {
        set?.delete(subscriber);
        if (set?.size === 0 && subscribers.get(key) === set) {
          subscribers.delete(key);
        }
      };
    },
    /** Tells every subscriber its stream can no longer be promised every event, and forgets them all. */
    dropSubscribers() {
      const all = [...subscribers.values()].flatMap((set) => [...set]);
      subscribers.clear();
      for (const s of all) {
        s.onLost?.();
      }
    },
  };
}
