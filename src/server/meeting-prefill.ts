/**
 * `GET /api/meetings/{id}/prefill`: the meeting's name, and its date and times where Teams knows them, for the chair's
 * configuration page to fill in (teams-js has no public meeting-details call; Microsoft Graph does, on the chair's
 * behalf: see graph.ts `meetingDetails`). Only the chair of a configured meeting, or before it is configured only
 * its organizer (as the meeting chat names them), gets anything: a name and a time are the meeting's, not everyone's.
 *
 * Every Graph failure (no consent, 403, 404, throttled, slow) answers 200 with `prefilled: false` and the reason,
 * which the page shows as a quiet hint at most: prefilling is a convenience, never a step the chair waits on.
 */
import type { FastifyInstance } from 'fastify';

import type { MeetingPrefill } from '../shared/api';
import { type GraphDirectory, GraphUnavailable } from './graph';
import { caller, HttpError, loadMeeting, MEETING_PARAMS, requireChair } from './http';
import { bearerOf } from './invitees';
import type { Queryable } from './store/db';
import { badTitleOrName } from './text-input';

export function registerMeetingPrefill(
  app: FastifyInstance,
  deps: { readonly db: Queryable; readonly directory: GraphDirectory | null },
): void {
  const { directory } = deps;
  app.get<{ Params: { meetingId: string } }>(
    '/api/meetings/:meetingId/prefill',
    { schema: { params: MEETING_PARAMS } },
    async (request): Promise<MeetingPrefill> => {
      const me = caller(request);
      let configured = true;
      try {
        requireChair(me, await loadMeeting(deps.db, me, request.params.meetingId));
      } catch (e) {
        if (!(e instanceof HttpError) || e.status !== 404) {
          throw e;
        }
        configured = false;
      }
      if (directory === null) {
        return { prefilled: false, reason: 'not_configured' };
      }
      try {
        const details = await directory.meetingDetails({
          bearer: bearerOf(request),
          tenantId: me.tenantId,
          meetingId: request.params.meetingId,
        });
        if (!configured && details.organizerOid !== me.oid) {
          return { prefilled: false, reason: 'not_organizer' };
        }
        // A name the configuration page would refuse (a control or invisible character) is not offered.
        const title = details.title !== null && !badTitleOrName(details.title) ? details.title : null;
        if (title === null && details.startsAt === null) {
          return { prefilled: false, reason: 'nothing_known' };
        }
        return { prefilled: true, title, startsAt: details.startsAt, endsAt: details.endsAt };
      } catch (e) {
        const failure = e instanceof GraphUnavailable ? e : new GraphUnavailable('unavailable', String(e));
        request.log.info(
          { meetingId: request.params.meetingId, reason: failure.reason, detail: failure.message },
          'prefill: Microsoft Graph not used',
        );
        return { prefilled: false, reason: failure.reason };
      }
    },
  );
}
