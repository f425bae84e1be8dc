/**
 * The chair's sign-in sheet exports, `GET /api/meetings/{id}/sign-in-sheet.pdf` and `.csv`, and the invitees route
 * they share their list with. Each export is recorded in the audit log (format and counts, no names) and carries
 * that record's hash: the head of the chain at export, covering every acknowledgement on the sheet.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import type { Level } from '../core';
import type { InviteeList } from '../shared/api';
import { reminderSha256 } from './acknowledge';
import type { Caller } from './auth';
import { createGraphDirectory, type GraphOptions } from './graph';
import { caller, HttpError, loadMeeting, MEETING_PARAMS, type MeetingRow, requireChair } from './http';
import { bearerOf, createInviteeLookup, type InviteeLookup, registerInviteeRoutes } from './invitees';
import { type PdfFontResolution, resolvePdfFonts } from './pdf-font';
import { renderSignInSheetCsv } from './sign-in-sheet-csv';
import {
  contentDisposition,
  listedRowsSha256,
  MAX_SHEET_ROWS,
  sheetFileNames,
  type SignInSheet,
} from './sign-in-sheet-model';
import { renderSignInSheetPdf } from './sign-in-sheet-pdf';
import { appendAudit, chainPending } from './store/audit';
import type { Db, Queryable } from './store/db';

export interface SignInSheetDeps {
  readonly db: Db;
  readonly invitees: InviteeLookup;
  /** The font found at start-up; a function so an app built without one looks for the system's on first use. */
  readonly fonts: () => PdfFontResolution;
  readonly now?: () => Date;
}

/** Exports per chair per minute: a PDF of a large meeting is real work. */
const EXPORTS_PER_MINUTE = 20;

let systemFonts: PdfFontResolution | undefined;
/** The system's font, looked for once per process (for apps built without a resolution, such as tests). */
export const systemPdfFonts = (): PdfFontResolution => (systemFonts ??= resolvePdfFonts(null));

/** The sheet's contents. Run it in one repeatable-read transaction, so its two reads see the same acknowledgements. */
export async function loadSignInSheet(
  db: Queryable,
  meeting: MeetingRow,
  me: Caller,
  invitees: InviteeList,
): Promise<Omit<SignInSheet, 'generatedAt' | 'audit'>> {
  // Who is invited, by id or else by account, asked of the whole table (not just the rows listed).
  const oids = invitees.invitees.flatMap((i) => (i.oid ? [i.oid] : []));
  const upns = invitees.invitees.flatMap((i) => (i.upn ? [i.upn.toLowerCase()] : []));
  const rows = (
    await db.query<{
      user_oid: string;
      display_name: string;
      upn: string | null;
      acknowledged_at: Date | string;
      level: string | null;
      reminder_sha256: string | null;
      current: boolean;
      invited: boolean;
      total: string | number;
      earlier: string | number;
      uninvited: string | number;
    }>(
      `SELECT user_oid, display_name, upn, acknowledged_at, level, reminder_sha256, current, invited,
              count(*) OVER () AS total, count(*) FILTER (WHERE NOT current) OVER () AS earlier,
              count(*) FILTER (WHERE NOT invited) OVER () AS uninvited
         FROM (SELECT a.*, coalesce(a.level = $3 AND a.reminder_sha256 = $4, false) AS current,
                      coalesce(a.user_oid = ANY($5::text[]) OR lower(a.upn) = ANY($6::text[]), false) AS invited
                 FROM acknowledgements a WHERE a.tenant_id = $7 AND a.meeting_id = $1) s
        ORDER BY acknowledged_at, user_oid LIMIT $2`,
      [meeting.id, MAX_SHEET_ROWS, meeting.level, reminderSha256(meeting.reminder), oids, upns, meeting.tenant_id],
    )
  ).rows;
  const total = (column: 'total' | 'earlier' | 'uninvited'): number =>
    rows.length > 0 ? Number(rows[0]?.[column]) : 0;
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
    meeting: {
      id: meeting.id,
      title: meeting.title,
      level: meeting.level as Level,
      reminder: meeting.reminder,
      reminderSha256: reminderSha256(meeting.reminder),
      spokesperson: meeting.spokesperson,
      configuredAt: new Date(meeting.created_at ?? Date.now()),
    },
    chair: { name: me.name, upn: me.upn },
    acknowledged: rows.map((r) => ({
      oid: r.user_oid,
      name: r.display_name,
      upn: r.upn,
      acknowledgedAt: new Date(r.acknowledged_at),
      level: r.level,
      reminderSha256: r.reminder_sha256,
      current: r.current,
      invited: r.invited,
    })),
    acknowledgedTotal: total('total'),
    earlierVersionTotal: total('earlier'),
    uninvitedTotal: total('uninvited'),
    unacknowledged: pending.slice(0, MAX_SHEET_ROWS),
    unacknowledgedTotal: pending.length,
    inviteeTotal: invitees.invitees.length,
    inviteeSource: invitees.source,
    inviteesTruncated: invitees.truncated === true,
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
  format: 'pdf' | 'csv',
  now: Date,
): Promise<SignInSheet['audit']> {
  for (let round = 0; round < 10 && (await chainPending(db)) >= 2000; round++) {
    // a backlog: keep chaining, within a bound
  }
  const rowsSha256 = listedRowsSha256(sheet.acknowledged);
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
  const prepare = async (
    request: FastifyRequest,
    me: Caller,
    meeting: MeetingRow,
    format: 'pdf' | 'csv',
  ): Promise<SignInSheet> => {
    const invitees = await deps.invitees.list(meeting, me, bearerOf(request));
    const content = await db.transaction(async (tx) => {
      await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
      return loadSignInSheet(tx, meeting, me, invitees);
    });
    const generatedAt = now();
    return { ...content, generatedAt, audit: await recordExport(db, me, content, format, generatedAt) };
  };
  const send = (
    reply: FastifyReply,
    sheet: SignInSheet,
    type: string,
    body: Uint8Array,
    ext: 'pdf' | 'csv',
  ): FastifyReply =>
    reply
      .header('content-type', type)
      .header('content-disposition', contentDisposition(sheetFileNames(sheet, ext)))
      .header('cache-control', 'no-store')
      .send(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
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
      const sheet = await prepare(request, me, meeting, 'pdf');
      return send(reply, sheet, 'application/pdf', await renderSignInSheetPdf(sheet, fonts.fonts), 'pdf');
    },
  );

  app.get<{ Params: { meetingId: string } }>(
    '/api/meetings/:meetingId/sign-in-sheet.csv',
    routeOptions,
    async (request, reply) => {
      const { me, meeting } = await chairsMeeting(request);
      const sheet = await prepare(request, me, meeting, 'csv');
      return send(reply, sheet, 'text/csv; charset=utf-8', renderSignInSheetCsv(sheet), 'csv');
    },
  );
}

/**
 * Registers the invitees and sign-in sheet routes on the API. `pdfFonts` is what start-up found (without it, the
 * system's font is looked for on the first PDF request); `graph` is null when the server cannot ask Graph.
 */
export function registerMeetingRecords(
  app: FastifyInstance,
  deps: { readonly db: Db; readonly pdfFonts?: PdfFontResolution; readonly graph?: GraphOptions | null },
): void {
  const invitees = createInviteeLookup({
    db: deps.db,
    graph: deps.graph ? createGraphDirectory(deps.graph) : null,
    onFallback: (meetingId, reason, detail) =>
      app.log.info(
        { meetingId, reason, detail },
        'invitees: Microsoft Graph not used, falling back to the chair’s list',
      ),
  });
  const { pdfFonts } = deps;
  registerSignInSheetRoutes(app, { db: deps.db, invitees, fonts: pdfFonts ? () => pdfFonts : systemPdfFonts });
}
