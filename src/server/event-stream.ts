/**
 * `GET /api/meetings/{id}/events`: the chair's live feed of acknowledgements (SSE), bounded. A user holds at most a
 * few streams (a chair has the side panel and the stage open, perhaps twice), an instance a bounded number; a stream
 * ends when the token that opened it expires (the client reconnects with a fresh one, so a revoked or departed chair
 * stops receiving names); a client that stops reading is cut off once a little is buffered for it, instead of the
 * server holding every event in memory; and closing the server ends every stream, so shutdown is not held open.
 */
import type { ServerResponse } from 'node:http';

import type { FastifyInstance } from 'fastify';

import type { AcknowledgementEvent, EventBus } from './app';
import { caller, HttpError, loadMeeting, MEETING_PARAMS, requireChair } from './http';
import type { Queryable } from './store/db';

export interface EventStreamLimits {
  /** Open streams per user (tenant and oid). */
  readonly perUser: number;
  /** Open streams on this instance. */
  readonly perInstance: number;
  /** Bytes written but not yet taken by a slow client, beyond which its stream is closed. */
  readonly maxBufferedBytes: number;
  /** A comment line this often keeps proxies from closing an idle stream. */
  readonly keepAliveMs: number;
}

export const DEFAULT_EVENT_STREAM_LIMITS: EventStreamLimits = {
  perUser: 5,
  perInstance: 1000,
  maxBufferedBytes: 256 * 1024,
  keepAliveMs: 25_000,
};

export function registerEventStream(
  app: FastifyInstance,
  deps: { readonly db: Queryable; readonly events: EventBus; readonly limits?: Partial<EventStreamLimits> },
): void {
  const limits = { ...DEFAULT_EVENT_STREAM_LIMITS, ...deps.limits };
  /** Every open stream, with what ends it. */
  const open = new Map<ServerResponse, () => void>();
  const perUser = new Map<string, number>();

  app.addHook('preClose', async () => {
    for (const end of [...open.values()]) {
      end();
    }
  });

  app.get<{ Params: { meetingId: string } }>(
    '/api/meetings/:meetingId/events',
    { schema: { params: MEETING_PARAMS } },
    async (request, reply) => {
      const me = caller(request);
      const meeting = await loadMeeting(deps.db, me, request.params.meetingId);
      requireChair(me, meeting);
      const user = `${me.tenantId}:${me.oid}`;
      if ((perUser.get(user) ?? 0) >= limits.perUser) {
        throw new HttpError(
          429,
          'too_many_streams',
          `同時開啟的即時更新過多（上限 ${limits.perUser}）/ Too many live streams open (at most ${limits.perUser})`,
        );
      }
      if (open.size >= limits.perInstance) {
        throw new HttpError(503, 'server_busy', '伺服器忙碌，請稍後再試 / The server is busy; try again shortly');
      }
      if (deps.events.isLive?.() === false) {
        // A stream now would miss events; the client retries with backoff and refetches the roster when it gets in.
        throw new HttpError(
          503,
          'events_unavailable',
          '即時更新暫時中斷，將自動重新連線 / Live updates are briefly unavailable; reconnecting',
        );
      }
      const res = reply.raw;
      reply.hijack();
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      perUser.set(user, (perUser.get(user) ?? 0) + 1);
      let ended = false;
      const timers: { keepAlive?: NodeJS.Timeout; expiry?: NodeJS.Timeout } = {};
      let unsubscribe = (): void => undefined;
      const end = (): void => {
        if (ended) {
          return;
        }
        ended = true;
        clearInterval(timers.keepAlive);
        clearTimeout(timers.expiry);
        unsubscribe();
        open.delete(res);
        const left = (perUser.get(user) ?? 1) - 1;
        if (left > 0) {
          perUser.set(user, left);
        } else {
          perUser.delete(user);
        }
        res.end();
      };
      const write = (text: string): void => {
        if (ended) {
          return;
        }
        if (res.writableLength > limits.maxBufferedBytes) {
          // Not reading: what it missed it gets from the roster when it reconnects.
          end();
          res.destroy();
          return;
        }
        res.write(text);
      };
      open.set(res, end);
      request.raw.on('close', end);
      res.on('close', end);
      write(': connected\n\n');
      unsubscribe = deps.events.subscribe(
        meeting.tenant_id,
        meeting.id,
        ({ tenantId: _tenant, ...event }: AcknowledgementEvent) => {
          write(`event: acknowledgement\ndata: ${JSON.stringify(event)}\n\n`);
        },
        // The bus lost its feed (PostgreSQL LISTEN): ending the stream makes the client reconnect and refetch.
        end,
      );
      timers.keepAlive = setInterval(() => write(': keep-alive\n\n'), limits.keepAliveMs);
      if (me.expiresAt) {
        timers.expiry = setTimeout(end, Math.max(0, me.expiresAt.getTime() - Date.now()));
      }
    },
  );
}
