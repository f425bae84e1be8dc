/**
 * The chair's sign-in sheet exports, `GET /api/meetings/{id}/sign-in-sheet.pdf` and `.csv`, and the invitees route
 * they share their list with. Each export is recorded in the audit log (format and counts, no names) and carries
 * that record's hash: the head of the chain at export, covering every acknowledgement on the sheet.
 */
import { Readable } from 'node:stream';

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import type { Level } from '../core/levels';
import type { InviteeList } from '../shared/api';
import { reminderSha256 } from './acknowledge';
import type { Caller } from './auth';
import type { GraphDirectory } from './graph';
import { caller, HttpError, loadMeeting, MEETING_PARAMS, type MeetingRow, requireChair, sendInSlices } from './http';
import { bearerOf, createInviteeLookup, type InviteeLookup, registerInviteeRoutes } from './invitees';
import { choosePdfFonts, type PdfFontChoice } from './pdf-font';
import { csvAcknowledgedRows, csvHead, csvTail } from './sign-in-sheet-csv';
import {
  contentDisposition,
  MAX_SHEET_ROWS,
  RowsHasher,
  type SheetAttendee,
  sheetFileNames,
  type SignInSheet,
} from './sign-in-sheet-model';
import { BUSY_RETRY_AFTER_S, type SheetPdfLimits, SheetPdfPool } from './sign-in-sheet-pdf-worker';
import { appendAudit, chainPending } from './store/audit';
import type { Db, Queryable } from './store/db';

export interface SignInSheetDeps {
  readonly db: Db;
  readonly invitees: InviteeLookup;
  /** The font found at start-up; a function so an app built without one looks for the system's on first use. */
  readonly fonts: () => PdfFontChoice;
  readonly now?: () => Date;
  /** Bounds on PDF threads of this app's own; by default the process's shared ones (DEFAULT_SHEET_PDF_LIMITS). */
  readonly pdfLimits?: Partial<SheetPdfLimits>;
}

let processPdfs: SheetPdfPool | undefined;
/**
 * The process's PDF threads, shared by every app it builds: the bound on PDFs at once is the machine's, not one app's,
 * and a thread started for one export serves the next. An idle thread does not keep the process alive, and ends after
 * a while on its own.
 */
const processPdfPool = (): SheetPdfPool => (processPdfs ??= new SheetPdfPool());

/** Exports per chair per minute: a PDF of a large meeting is real work. */
const EXPORTS_PER_MINUTE = 20;

let systemFonts: PdfFontChoice | undefined;
/** The system's font, looked for once per process (for apps built without a resolution, such as tests). */
export const systemPdfFonts = (): PdfFontChoice => (systemFonts ??= choosePdfFonts(null));

/**
 * Rows read from the store per query. Each page's rows arrive on the server's thread in one piece (from PGlite's thread
 * or PostgreSQL's socket) and are decoded and turned into the sheet's there (a thousand rows cost tens of ms on a busy
 * machine), so pages are small: acknowledgements and /healthz never wait long.
 */
export const PAGE_ROWS = 250;

/** Run in an export's transaction, so its page queries keep to the sheet-order index (see pageQuery). */
export const KEEP_TO_INDEX = 'SET LOCAL enable_sort = off';

/**
 * One page's query, run so it walks the sheet-order index. PGlite has no autovacuum, so its tables have no statistics
 * and the planner, guessing one row per meeting, took the primary key and sorted the whole meeting on every page (300
 * ms a page at 50,000 rows); with sorting off for the query it keeps to the index. Inside a transaction (the export's
 * repeatable read) the caller has set it for the whole transaction.
 */
async function pageQuery<Row>(db: Queryable | Db, sql: string, params: readonly unknown[]): Promise<Row[]> {
  if ('transaction' in db) {
    return db.transaction(async (tx) => {
      await tx.query(KEEP_TO_INDEX);
      return (await tx.query<Row>(sql, params)).rows;
    });
  }
  return (await db.query<Row>(sql, params)).rows;
}

/**
 * Where a page of acknowledgements ends, in the sheet's order (time, then oid). The time is kept as PostgreSQL's own
 * text, to the microsecond, since a JavaScript Date keeps only milliseconds and two rows may fall in one.
 */
export interface AcknowledgementKey {
  readonly at: string;
  readonly oid: string;
}

/**
 * Acknowledgements of one meeting in the sheet's order, a page at a time (keyset: after `after`, up to and including
 * `through`), each marked current (given for the meeting's level and reminder now) and invited (on `invitees`).
 */
export async function* acknowledgementPages(
  db: Queryable | Db,
  meeting: MeetingRow,
  options: {
    readonly invitees?: InviteeList;
    readonly after?: AcknowledgementKey | null;
    readonly through?: AcknowledgementKey | null;
    readonly pageRows?: number;
    /** Stop after this many rows. */
    readonly limit?: number;
  } = {},
): AsyncGenerator<{ readonly rows: SheetAttendee[]; readonly last: AcknowledgementKey }> {
  const invitees = options.invitees?.invitees ?? [];
  const oids = invitees.flatMap((i) => (i.oid ? [i.oid] : []));
  const upns = invitees.flatMap((i) => (i.upn ? [i.upn.toLowerCase()] : []));
  const pageRows = options.pageRows ?? PAGE_ROWS;
  const through = options.through ?? null;
  let after = options.after ?? null;
  let left = options.limit ?? Number.POSITIVE_INFINITY;
  while (left > 0) {
    if (after) {
      // A turn of the event loop between pages, whatever the store: one that answers within the turn (PGlite when it
      // ran on this thread) would otherwise run a whole meeting's pages as one long task, as one big read did.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const params: unknown[] = [
      meeting.id,
      Math.min(pageRows, left),
      meeting.level,
      reminderSha256(meeting.reminder),
      oids,
      upns,
      meeting.tenant_id,
    ];
    const key = (k: AcknowledgementKey): string => {
      params.push(k.at, k.oid);
      return `($${params.length - 1}::timestamptz, $${params.length}::text)`;
    };
    const rows = await pageQuery<{
      user_oid: string;
      display_name: string;
      upn: string | null;
      acknowledged_at: Date | string;
      at_key: string;
      level: string | null;
      reminder_sha256: string | null;
      current: boolean;
      invited: boolean;
    }>(
      db,
      `SELECT user_oid, display_name, upn, acknowledged_at, acknowledged_at::text AS at_key, level, reminder_sha256,
                coalesce(level = $3 AND reminder_sha256 = $4, false) AS current,
                coalesce(user_oid = ANY($5::text[]) OR lower(upn) = ANY($6::text[]), false) AS invited
           FROM acknowledgements
          WHERE tenant_id = $7 AND meeting_id = $1
            ${after ? `AND (acknowledged_at, user_oid) > ${key(after)}` : ''}
            ${through ? `AND (acknowledged_at, user_oid) <= ${key(through)}` : ''}
          ORDER BY acknowledged_at, user_oid LIMIT $2`,
      params,
    );
    const last = rows[rows.length - 1];
    if (!last) {
      return;
    }
    after = { at: last.at_key, oid: last.user_oid };
    left -= rows.length;
    yield {
      rows: rows.map((r) => ({
        oid: r.user_oid,
        name: r.display_name,
        upn: r.upn,
        acknowledgedAt: new Date(r.acknowledged_at),
        level: r.level,
        reminderSha256: r.reminder_sha256,
        current: r.current,
        invited: r.invited,
      })),
      last: after,
    };
    if (rows.length < pageRows) {
      return;
    }
  }
}

/** What one read of the store gives an export: the sheet less its audit record, and where its list ends. */
export interface LoadedSheet {
  readonly content: Omit<SignInSheet, 'generatedAt' | 'audit'>;
  /** SHA-256 over every acknowledgement, in order (RowsHasher). */
  readonly rowsSha256: string;
  /** The last acknowledgement's key: the CSV streams up to here, so a row added since is not listed. */
  readonly through: AcknowledgementKey | null;
}

/**
 * The sheet's contents, keeping the first `keep` acknowledgements (the PDF's; the CSV keeps none and streams them).
 * Run it in one repeatable-read transaction (with {@link KEEP_TO_INDEX}), so its reads see the same acknowledgements.
 * Every acknowledgement is read, a page at a time, for the rows hash and the totals; no window over every row.
 */
export async function loadSignInSheet(
  db: Queryable,
  meeting: MeetingRow,
  me: Caller,
  invitees: InviteeList,
  keep: number,
): Promise<LoadedSheet> {
  // Who is invited, by id or else by account, asked of the whole table (not just the rows listed).
  const oids = invitees.invitees.flatMap((i) => (i.oid ? [i.oid] : []));
  const upns = invitees.invitees.flatMap((i) => (i.upn ? [i.upn.toLowerCase()] : []));
  const hasher = new RowsHasher();
  const kept: SheetAttendee[] = [];
  let through: AcknowledgementKey | null = null;
  // The totals are counted from the same pages: a separate count would read every row once more.
  let total = 0;
  let earlier = 0;
  let uninvited = 0;
  let span = null as { first: Date; last: Date } | null;
  for await (const page of acknowledgementPages(db, meeting, { invitees })) {
    hasher.update(page.rows);
    if (kept.length < keep) {
      kept.push(...page.rows.slice(0, keep - kept.length));
    }
    for (const r of page.rows) {
      total++;
      earlier += r.current ? 0 : 1;
      uninvited += r.invited ? 0 : 1;
      span = { first: span?.first ?? r.acknowledgedAt, last: r.acknowledgedAt };
    }
    through = page.last;
  }
  const matched = (
    await db.query<{ user_oid: string; upn: string | null }>(
      `SELECT user_oid, lower(upn) AS upn FROM acknowledgements
        WHERE tenant_id = $4 AND meeting_id = $1 AND (user_oid = ANY($2::text[]) OR lower(upn) = ANY($3::text[]))`,
      [meeting.id, oids, upns, meeting.tenant_id],
    )
  ).rows;
  const ackOids = new Set(matched.map((r) => r.user_oid));
  const ackUpns = new Set(matched.flatMap((r) => (r.upn ? [r.upn] : [])));
  const pending = invitees.invitees.filter(
    (i) => !(i.oid && ackOids.has(i.oid)) && !(i.upn && ackUpns.has(i.upn.toLowerCase())),
  );
  return {
    content: {
      meeting: {
        id: meeting.id,
        title: meeting.title,
        level: meeting.level as Level,
        reminder: meeting.reminder,
        reminderSha256: reminderSha256(meeting.reminder),
        spokesperson: meeting.spokesperson,
        configuredAt: new Date(meeting.created_at ?? Date.now()),
        startsAt: meeting.starts_at === null ? null : new Date(meeting.starts_at),
        endsAt: meeting.ends_at === null ? null : new Date(meeting.ends_at),
        place: meeting.place,
      },
      chair: { name: me.name, upn: me.upn },
      acknowledged: kept,
      acknowledgedTotal: total,
      acknowledgedSpan: span,
      earlierVersionTotal: earlier,
      uninvitedTotal: uninvited,
      unacknowledged: pending,
      unacknowledgedTotal: pending.length,
      inviteeTotal: invitees.invitees.length,
      inviteeSource: invitees.source,
      inviteesTruncated: invitees.truncated === true,
    },
    rowsSha256: hasher.digest(),
    through,
  };
}

/**
 * Records the export and returns its audit event. Acknowledgements wait in audit_pending for the chainer; they are
 * chained first, so the hash printed on the sheet covers every acknowledgement the sheet lists.
 */
async function recordExport(
  db: Db,
  me: Caller,
  sheet: Omit<SignInSheet, 'generatedAt' | 'audit'>,
  rowsSha256: string,
  format: 'pdf' | 'csv',
  now: Date,
): Promise<SignInSheet['audit']> {
  for (let round = 0; round < 10 && (await chainPending(db)) >= 2000; round++) {
    // a backlog: keep chaining, within a bound
  }
  const event = await appendAudit(
    db,
    {
      tenantId: me.tenantId,
      actorOid: me.oid,
      kind: 'sign-in-sheet.exported',
      data: {
        meetingId: sheet.meeting.id,
        format,
        acknowledged: sheet.acknowledgedTotal,
        earlierVersion: sheet.earlierVersionTotal,
        uninvited: sheet.uninvitedTotal,
        unacknowledged: sheet.unacknowledgedTotal,
        expected: sheet.inviteeTotal,
        inviteeSource: sheet.inviteeSource,
        ...(sheet.inviteesTruncated ? { inviteesTruncated: true } : {}),
        rowsSha256,
      },
    },
    () => now,
  );
  return { hash: event.hash, seq: event.seq, rowsSha256 };
}

/**
 * The CSV, streamed: the head, then the acknowledgements a page at a time from the store (each page its own short
 * read, so the store is not held while a slow client downloads), then the invitees not yet acknowledged. The rows are
 * hashed again as they go; if any changed since the head's hash was taken, the CSV says so at the end of the list.
 */
async function* csvChunks(
  db: Db,
  meeting: MeetingRow,
  sheet: SignInSheet,
  invitees: InviteeList,
  through: AcknowledgementKey | null,
): AsyncGenerator<Buffer> {
  yield Buffer.from(csvHead(sheet), 'utf8');
  const hasher = new RowsHasher();
  let listed = 0;
  if (through !== null) {
    for await (const page of acknowledgementPages(db, meeting, { invitees, through })) {
      hasher.update(page.rows);
      yield Buffer.from(csvAcknowledgedRows(page.rows, listed), 'utf8');
      listed += page.rows.length;
    }
  }
  const changed = hasher.digest() !== sheet.audit.rowsSha256;
  yield Buffer.from(csvTail(sheet, listed, changed), 'utf8');
}

export function registerSignInSheetRoutes(app: FastifyInstance, deps: SignInSheetDeps): void {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());
  registerInviteeRoutes(app, db, deps.invitees);

  /** The chair's meeting, or 401/404/403 before anything else is looked at. */
  const chairsMeeting = async (
    request: FastifyRequest<{ Params: { meetingId: string } }>,
  ): Promise<{ me: Caller; meeting: MeetingRow }> => {
    const me = caller(request);
    const meeting = await loadMeeting(db, me, request.params.meetingId);
    requireChair(me, meeting);
    return { me, meeting };
  };
  const own = deps.pdfLimits ? new SheetPdfPool(deps.pdfLimits) : null;
  if (own) {
    app.addHook('onClose', async () => own.close());
  }
  const pdfs = own ?? processPdfPool();

  const prepare = async (
    request: FastifyRequest,
    me: Caller,
    meeting: MeetingRow,
    format: 'pdf' | 'csv',
  ): Promise<{ sheet: SignInSheet; invitees: InviteeList; through: AcknowledgementKey | null }> => {
    const invitees = await deps.invitees.list(meeting, me, bearerOf(request));
    const loaded = await db.transaction(async (tx) => {
      await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await tx.query(KEEP_TO_INDEX);
      return loadSignInSheet(tx, meeting, me, invitees, format === 'pdf' ? MAX_SHEET_ROWS : 0);
    });
    const generatedAt = now();
    // The PDF lists a bounded part of each list; the CSV, streamed, every invitee not yet acknowledged.
    const content =
      format === 'pdf'
        ? { ...loaded.content, unacknowledged: loaded.content.unacknowledged.slice(0, MAX_SHEET_ROWS) }
        : loaded.content;
    const audit = await recordExport(db, me, content, loaded.rowsSha256, format, generatedAt);
    return { sheet: { ...content, generatedAt, audit }, invitees, through: loaded.through };
  };
  const headers = (reply: FastifyReply, sheet: SignInSheet, type: string, ext: 'pdf' | 'csv'): FastifyReply =>
    reply
      .header('content-type', type)
      .header('content-disposition', contentDisposition(sheetFileNames(sheet, ext)))
      .header('cache-control', 'no-store');
  const routeOptions = {
    schema: { params: MEETING_PARAMS },
    // A HEAD would make (and audit) an export just to throw it away.
    exposeHeadRoute: false,
    config: { rateLimit: { max: EXPORTS_PER_MINUTE, timeWindow: 60_000 } },
  };

  app.get<{ Params: { meetingId: string } }>(
    '/api/meetings/:meetingId/sign-in-sheet.pdf',
    routeOptions,
    async (request, reply) => {
      const { me, meeting } = await chairsMeeting(request);
      const fonts = deps.fonts();
      // Before anything is read or recorded: without a font there is no export to audit.
      if (fonts.status !== 'found') {
        throw new HttpError(
          503,
          'pdf_font_missing',
          '伺服器未安裝中文字型，無法產生 PDF；CSV 仍可下載。請安裝 fonts-cns11643-sung 或設定 PDF_FONT / ' +
            'No Chinese font is installed, so the PDF cannot be made; the CSV still works. Install ' +
            'fonts-cns11643-sung or set PDF_FONT.',
        );
      }
      // A turn before anything is read or recorded: an export turned away leaves no audit event.
      let release: () => void;
      try {
        release = await pdfs.turn();
      } catch (e) {
        reply.header('retry-after', String(BUSY_RETRY_AFTER_S));
        throw e;
      }
      try {
        const { sheet } = await prepare(request, me, meeting, 'pdf');
        const pdf = await pdfs.render(sheet, fonts.sources);
        return sendInSlices(
          headers(reply, sheet, 'application/pdf', 'pdf'),
          Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength),
        );
      } finally {
        release();
      }
    },
  );

  app.get<{ Params: { meetingId: string } }>(
    '/api/meetings/:meetingId/sign-in-sheet.csv',
    routeOptions,
    async (request, reply) => {
      const { me, meeting } = await chairsMeeting(request);
      const { sheet, invitees, through } = await prepare(request, me, meeting, 'csv');
      const body = Readable.from(csvChunks(db, meeting, sheet, invitees, through));
      // Past the head the status is sent: a read that fails then cuts the download short (the client sees an
      // incomplete transfer, never a shorter list that looks whole), and the server says why.
      body.on('error', (err) => request.log.error({ err }, 'sign-in sheet CSV: stream failed'));
      return headers(reply, sheet, 'text/csv; charset=utf-8', 'csv').send(body);
    },
  );
}

/** Who is expected at each meeting, for the invitee and sign-in sheet routes and the meeting's 應到 count. */
export function meetingInvitees(
  app: FastifyInstance,
  deps: { readonly db: Db; readonly graph: GraphDirectory | null },
): InviteeLookup {
  return createInviteeLookup({
    db: deps.db,
    graph: deps.graph,
    onFallback: (meetingId, reason, detail) =>
      app.log.info(
        { meetingId, reason, detail },
        'invitees: Microsoft Graph not used, falling back to the chair’s list',
      ),
  });
}

/**
 * Registers the invitees and sign-in sheet routes on the API. `pdfFonts` is what start-up found (without it, the
 * system's font is looked for on the first PDF request).
 */
export function registerMeetingRecords(
  app: FastifyInstance,
  deps: { readonly db: Db; readonly pdfFonts?: PdfFontChoice; readonly invitees: InviteeLookup },
): void {
  const { pdfFonts, invitees } = deps;
  registerSignInSheetRoutes(app, { db: deps.db, invitees, fonts: pdfFonts ? () => pdfFonts : systemPdfFonts });
}
