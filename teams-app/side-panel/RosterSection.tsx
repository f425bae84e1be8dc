/** The chair's live roster: who acknowledged and when, who has not yet, and the counts; arrivals are announced. */
import {
  Badge,
  Button,
  makeStyles,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  tokens,
} from '@fluentui/react-components';
import * as React from 'react';

import type { ApiClient, TokenProvider } from '../../src/shared/api';
import { isApiError } from '../../src/shared/api';
import type { Locale } from '../../src/shared/i18n';
import { describeError } from '../shared/errors';
import { formatAcknowledgedAt, formatTimeOfDay } from '../shared/format';
import { useLayoutStyles } from '../shared/layout.styles';
import type { TeamsMessages } from '../shared/messages';
import { buildRoster } from '../shared/roster';
import { InviteeListEditor } from './InviteeListEditor';
import { useRoster } from './useRoster';

export type RosterSectionProps = {
  api: ApiClient;
  getToken: TokenProvider;
  locale: Locale;
  meetingId: string;
  origin: string;
  t: TeamsMessages;
  /** The meeting's current level and reminder, as a key: a change reads the roster again. */
  version: string;
};

const useStyles = makeStyles({
  header: { display: 'flex', alignItems: 'center', justifyContent: 'space-between', gap: tokens.spacingHorizontalS },
  summary: { margin: 0, fontSize: tokens.fontSizeBase300, fontWeight: tokens.fontWeightSemibold },
  list: { listStyle: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column' },
  item: {
    display: 'grid',
    gridTemplateColumns: '1fr auto',
    columnGap: tokens.spacingHorizontalS,
    padding: `${tokens.spacingVerticalXS} 0`,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  name: { fontWeight: tokens.fontWeightSemibold, overflowWrap: 'anywhere' },
  upn: {
    gridColumn: '1 / -1',
    color: tokens.colorNeutralForeground2,
    fontSize: tokens.fontSizeBase200,
    overflowWrap: 'anywhere',
  },
  time: { fontVariantNumeric: 'tabular-nums', color: tokens.colorNeutralForeground2 },
  flag: { gridColumn: '1 / -1', fontSize: tokens.fontSizeBase200, color: tokens.colorNeutralForeground2 },
  earlier: {
    gridColumn: '1 / -1',
    fontSize: tokens.fontSizeBase200,
    fontWeight: tokens.fontWeightSemibold,
    color: tokens.colorPaletteDarkOrangeForeground1,
  },
});

export function RosterSection({
  api,
  getToken,
  locale,
  meetingId,
  origin,
  t,
  version,
}: RosterSectionProps): React.JSX.Element {
  const layout = useLayoutStyles();
  const s = useStyles();
  const roster = useRoster(api, getToken, origin, meetingId, version);
  const view = buildRoster(roster.entries, roster.invitees);
  const headingId = React.useId();
  const inviteesMissing = !roster.inviteesError
    ? null
    : isApiError(roster.inviteesError) && roster.inviteesError.status === 404
      ? t.featureUnavailable
      : describeError(roster.inviteesError, t);

  return (
    <section className={layout.section} aria-labelledby={headingId} data-testid="roster">
      <div className={s.header}>
        <h3 id={headingId} className={layout.h3}>
          {t.rosterHeading}
        </h3>
        <Badge
          appearance="tint"
          color={roster.connection === 'live' ? 'success' : 'warning'}
          role="status"
          aria-live="polite"
          data-testid="roster-connection"
        >
          {roster.connection === 'live'
            ? t.rosterLive
            : roster.connection === 'connecting'
              ? t.rosterConnecting
              : t.rosterReconnecting}
        </Badge>
      </div>
      <p className={s.summary} data-testid="roster-summary">
        {t.rosterSummary(
          view.counts.acknowledged,
          view.counts.expected === null ? null : view.counts.pending,
          view.truncated,
        )}
      </p>
      {roster.rosterError ? (
        <MessageBar intent="error" role="alert">
          <MessageBarBody>{t.rosterLoadFailed(describeError(roster.rosterError, t))}</MessageBarBody>
          <MessageBarActions>
            <Button onClick={roster.retry}>{t.retry}</Button>
          </MessageBarActions>
        </MessageBar>
      ) : null}
      {view.counts.expected !== null ? (
        <p className={layout.caption} data-testid="roster-expected">
          {t.rosterExpected(view.counts.expected, view.truncated)}
        </p>
      ) : null}
      {view.source === 'chair' ? (
        <>
          <MessageBar intent="info">
            <MessageBarBody>{t.rosterChairNote}</MessageBarBody>
          </MessageBar>
          <InviteeListEditor
            api={api}
            meetingId={meetingId}
            current={roster.invitees}
            t={t}
            onSaved={roster.showInvitees}
          />
        </>
      ) : null}
      {view.truncated ? (
        <MessageBar intent="warning" data-testid="roster-truncated">
          <MessageBarBody>{t.rosterTruncated}</MessageBarBody>
        </MessageBar>
      ) : null}
      {view.source === null && roster.inviteesError ? (
        <MessageBar intent="warning">
          <MessageBarBody>{t.rosterInviteesUnavailable(inviteesMissing ?? '')}</MessageBarBody>
        </MessageBar>
      ) : null}

      <h4 className={layout.h4}>{t.rosterAcknowledged(view.counts.acknowledged)}</h4>
      {view.acknowledged.length === 0 ? (
        <p className={layout.caption}>{t.rosterEmpty}</p>
      ) : (
        <ol className={s.list} data-testid="roster-acknowledged">
          {view.acknowledged.map((row) => (
            <li key={row.key} className={s.item} data-oid={row.key}>
              <span className={s.name}>{row.name}</span>
              {/* The time of day fits the panel; screen readers get the full date and zone as text (a title
                  attribute reaches neither keyboard nor most screen-reader users). */}
              <time className={s.time} dateTime={row.acknowledgedAt}>
                <span aria-hidden="true">{formatTimeOfDay(row.acknowledgedAt)}</span>
                <span className={layout.visuallyHidden} data-testid="roster-acknowledged-at">
                  {formatAcknowledgedAt(row.acknowledgedAt, locale)}
                </span>
              </time>
              {row.upn ? <span className={s.upn}>{row.upn}</span> : null}
              {view.source !== null && !row.expected ? <span className={s.flag}>{t.rosterNotExpected}</span> : null}
              {row.current ? null : (
                <span className={s.earlier} data-testid="roster-earlier-version">
                  {t.rosterEarlierVersion}
                </span>
              )}
            </li>
          ))}
        </ol>
      )}

      {view.source !== null ? (
        <>
          <h4 className={layout.h4}>
            {view.source === 'chair' ? t.rosterPendingChair(view.counts.pending) : t.rosterPending(view.counts.pending)}
          </h4>
          {view.pending.length === 0 ? (
            <p className={layout.caption}>{view.truncated ? t.rosterAllListedDone : t.rosterAllDone}</p>
          ) : (
            <ul className={s.list} data-testid="roster-pending">
              {view.pending.map((row) => (
                <li key={row.key} className={s.item}>
                  <span className={s.name}>{row.name}</span>
                  {row.upn ? <span className={s.upn}>{row.upn}</span> : null}
                </li>
              ))}
            </ul>
          )}
        </>
      ) : null}
      <div role="status" aria-live="polite" className={layout.visuallyHidden} data-testid="roster-announcement">
        {roster.arrival ? t.rosterAnnounce(roster.arrival.entry.name) : ''}
      </div>
    </section>
  );
}
