/**
 * The meeting side panel (and the meeting chat tab): every attendee sees the chair's reminder and acknowledges it;
 * the chair, as the server judges from the token, also gets the live roster, stage sharing and the sign-in sheet.
 *
 * This page is the tab's contentUrl, so Teams' own "Share to stage" button puts this very page on the stage (frame
 * `meetingStage`): there it is the stage page, large and for everyone, never the chair's tools on a shared screen.
 */
import { Divider, MessageBar, MessageBarBody } from '@fluentui/react-components';
import * as React from 'react';

import { AcknowledgeControl } from '../shared/AcknowledgeControl';
import { useLayoutStyles } from '../shared/layout.styles';
import { MeetingStatus, RequireMeeting } from '../shared/PageStates';
import { ReminderCard } from '../shared/ReminderCard';
import type { PageServices } from '../shared/TeamsPage';
import { useMeetingAcknowledgement } from '../shared/useAcknowledgement';
import { SIDE_PANEL_REFRESH_MS } from '../shared/useMeeting';
import { StagePage } from '../stage/StagePage';
import { RosterSection } from './RosterSection';
import { SignInSheetSection } from './SignInSheetSection';
import { StageShareSection } from './StageShareSection';

export function SidePanelPage({ services }: { services: PageServices }): React.JSX.Element {
  const layout = useLayoutStyles();
  if (services.context.frame === 'meetingStage') {
    return <StagePage services={services} />;
  }
  return (
    <RequireMeeting services={services} className={layout.page}>
      {(meetingId) => <MeetingPanel services={services} meetingId={meetingId} />}
    </RequireMeeting>
  );
}

function MeetingPanel({ services, meetingId }: { services: PageServices; meetingId: string }): React.JSX.Element {
  const layout = useLayoutStyles();
  const { api, getToken, locale, origin, t } = services;
  const { state, reload, ack } = useMeetingAcknowledgement(api, meetingId, { pollMs: SIDE_PANEL_REFRESH_MS });
  const chairHeadingId = React.useId();

  if (state.phase !== 'ready') {
    return <MeetingStatus state={state} reload={reload} t={t} className={layout.page} />;
  }
  const { meeting } = state;
  return (
    <main className={layout.page}>
      {meeting.sensitive ? (
        <ReminderCard meeting={meeting} locale={locale} t={t}>
          <AcknowledgeControl ack={ack} locale={locale} t={t} />
        </ReminderCard>
      ) : (
        <MessageBar intent="info">
          <MessageBarBody>{t.notSensitive}</MessageBarBody>
        </MessageBar>
      )}
      {meeting.isChair ? (
        <section className={layout.section} aria-labelledby={chairHeadingId} data-testid="chair-tools">
          <Divider />
          <h2 id={chairHeadingId} className={layout.h2}>
            {t.chairHeading}
          </h2>
          <RosterSection
            api={api}
            getToken={getToken}
            origin={origin}
            meetingId={meetingId}
            locale={locale}
            t={t}
            version={`${meeting.level}:${meeting.reminderSha256}`}
          />
          <Divider />
          {meeting.sensitive ? <StageShareSection origin={origin} t={t} /> : null}
          <Divider />
          <SignInSheetSection api={api} meetingId={meetingId} title={meeting.title} t={t} />
        </section>
      ) : null}
    </main>
  );
}
