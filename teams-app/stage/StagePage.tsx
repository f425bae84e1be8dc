/**
 * The reminder on the meeting stage, large enough to read on a shared screen. Each viewer has their own
 * acknowledgement button (the page runs per viewer, with their own token) and sees how many have acknowledged.
 */
import { makeStyles, MessageBar, MessageBarBody, tokens } from '@fluentui/react-components';
import * as React from 'react';

import { AcknowledgeControl } from '../shared/AcknowledgeControl';
import { MeetingStatus, RequireMeeting } from '../shared/PageStates';
import { ReminderCard } from '../shared/ReminderCard';
import type { PageServices } from '../shared/TeamsPage';
import { useMeetingAcknowledgement } from '../shared/useAcknowledgement';

/** The count on the stage refreshes this often (the live stream is the chair's; the count is for everyone). */
export const STAGE_COUNT_REFRESH_MS = 3000;

const useStyles = makeStyles({
  page: {
    display: 'flex',
    flexDirection: 'column',
    justifyContent: 'center',
    minHeight: '100vh',
    boxSizing: 'border-box',
    padding: `${tokens.spacingVerticalXXL} clamp(16px, 5vw, 96px)`,
    gap: tokens.spacingVerticalXL,
  },
  footer: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    justifyContent: 'space-between',
    gap: tokens.spacingHorizontalXL,
  },
  notice: { fontSize: tokens.fontSizeBase500, lineHeight: tokens.lineHeightBase500 },
  count: {
    margin: 0,
    fontSize: tokens.fontSizeBase600,
    lineHeight: tokens.lineHeightBase600,
    fontWeight: tokens.fontWeightSemibold,
    fontVariantNumeric: 'tabular-nums',
  },
});

export function StagePage({ services }: { services: PageServices }): React.JSX.Element {
  const s = useStyles();
  return (
    <RequireMeeting services={services} className={s.page}>
      {(meetingId) => <StageReminder services={services} meetingId={meetingId} />}
    </RequireMeeting>
  );
}

function StageReminder({ services, meetingId }: { services: PageServices; meetingId: string }): React.JSX.Element {
  const s = useStyles();
  const { api, locale, t } = services;
  const { state, reload, ack } = useMeetingAcknowledgement(api, meetingId, { pollMs: STAGE_COUNT_REFRESH_MS });

  if (state.phase !== 'ready') {
    return <MeetingStatus state={state} reload={reload} t={t} className={s.page} spinnerSize="large" />;
  }
  const { meeting } = state;
  if (!meeting.sensitive) {
    // As in the side panel: nothing to acknowledge, so no reminder, no button and no count.
    return (
      <main className={s.page}>
        <MessageBar intent="info" layout="multiline">
          <MessageBarBody className={s.notice}>{t.notSensitive}</MessageBarBody>
        </MessageBar>
      </main>
    );
  }
  const count = meeting.acknowledgementCount;
  return (
    <main className={s.page}>
      <ReminderCard meeting={meeting} locale={locale} t={t} variant="stage">
        <div className={s.footer}>
          <AcknowledgeControl ack={ack} locale={locale} t={t} variant="stage" />
          {count !== undefined ? (
            <p className={s.count} role="status" aria-live="polite" data-testid="stage-count">
              {meeting.inviteeCount !== undefined ? t.stageCountOf(count, meeting.inviteeCount) : t.stageCount(count)}
            </p>
          ) : null}
        </div>
      </ReminderCard>
    </main>
  );
}
