/**
 * What every route module shares: the `{ code, message }` error, the caller from the verified token, and the meeting
 * lookups that enforce "another tenant sees nothing" (404) and "only the chair" (403).
 */
import { Readable } from 'node:stream';

import type { FastifyReply, FastifyRequest } from 'fastify';

import { RECEIPT_NUMBER_SCHEMA_PATTERN } from '../shared/receipt-number';
import type { Caller } from './auth';
import type { Queryable } from './store/db';

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
}

/** An error the API answers with as `{ code, message }` and this status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The verified caller of an `/api` route (set by the auth hook before any handler runs). */
export const caller = (request: FastifyRequest): Caller => {
  if (!request.caller) {
    throw new HttpError(401, 'invalid_token', '未登入 / Not signed in');
  }
  return request.caller;
};

export const MEETING_ID_PATTERN = '^[A-Za-z0-9:@._=+/-]{1,512}$';
export const MEETING_PARAMS = {
  type: 'object',
  required: ['meetingId'],
  additionalProperties: false,
  properties: { meetingId: { type: 'string', pattern: MEETING_ID_PATTERN } },
} as const;

export const RECEIPT_PARAMS = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  // A 簽收單 number, as the stripper's placeholder accepts it.
  properties: { id: { type: 'string', pattern: RECEIPT_NUMBER_SCHEMA_PATTERN } },
} as const;

export interface MeetingRow {
  id: string;
  tenant_id: string;
  title: string;
  sensitive: boolean;
  level: string;
  reminder: string;
  spokesperson: string | null;
  starts_at: Date | string | null;
  ends_at: Date | string | null;
  place: string | null;
  chair_oid: string;
  created_at?: Date | string;
  updated_at?: Date | string;
}

export const iso = (v: Date | string): string => (v instanceof Date ? v : new Date(v)).toISOString();

/** A meeting of the caller's tenant, or 404: another tenant's meetings do not exist for this caller. */
export async function loadMeeting(db: Queryable, me: Caller, meetingId: string): Promise<MeetingRow> {
  const row = (
    await db.query<MeetingRow>('SELECT * FROM meetings WHERE tenant_id = $1 AND id = $2', [me.tenantId, meetingId])
  ).rows[0];
  if (!row) {
    throw new HttpError(404, 'meeting_not_found', '找不到此會議 / Meeting not found');
  }
  return row;
}

export function requireChair(me: Caller, meeting: MeetingRow): void {
  if (meeting.chair_oid !== me.oid) {
    throw new HttpError(403, 'not_chair', '僅會議主席可使用 / Only the meeting chair can do this');
  }
}

/** The most of a large answer written to the socket in one turn of the event loop. */
export const SEND_SLICE_BYTES = 64 * 1024;

/**
 * Sends a large answer already made (a roster, a PDF) a slice at a time, with a turn of the event loop between
 * slices, and its Content-Length. Written whole, a 1.3 MB answer was encrypted for TLS in one synchronous write: the
 * longest task left on the main thread while a 10,000-row roster or sheet PDF was answered.
 */
export function sendInSlices(reply: FastifyReply, body: Buffer | readonly Buffer[]): FastifyReply {
  const parts = Buffer.isBuffer(body) ? [body] : body;
  const length = parts.reduce((n, b) => n + b.length, 0);
  async function* slices(): AsyncGenerator<Buffer> {
    for (const part of parts) {
      for (let at = 0; at < part.length; at += SEND_SLICE_BYTES) {
        yield part.subarray(at, at + SEND_SLICE_BYTES);
        await new Promise((r) => setImmediate(r));
      }
    }
  }
  return reply.header('content-length', String(length)).send(Readable.from(slices(), { objectMode: false }));
}
