/** The states every meeting page shares before its content: not in a meeting, loading, not set up, failed. */
import {
  Button,
  type ButtonProps,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  Spinner,
} from '@fluentui/react-components';
import * as React from 'react';
import { createRoot } from 'react-dom/client';

import { describeError } from './errors';
import type { TeamsMessages } from './messages';
import { type PageServices, TeamsPage } from './TeamsPage';
import type { MeetingState } from './useMeeting';

export type RequireMeetingProps = {
  children: (meetingId: string) => React.ReactNode;
  className: string;
  services: PageServices;
};

/** Renders `children` with the meeting id, or says the page works only in a meeting. */
export function RequireMeeting({ children, className, services }: RequireMeetingProps): React.JSX.Element {
  const { meetingId } = services.context;
  if (meetingId) {
    return <>{children(meetingId)}</>;
  }
  return (
    <main className={className}>
      <MessageBar intent="warning" role="alert">
        <MessageBarBody>{services.t.notInMeeting}</MessageBarBody>
      </MessageBar>
    </main>
  );
}

export type MeetingStatusProps = {
  className: string;
  reload: () => void;
  /** @default 'medium' */
  spinnerSize?: 'medium' | 'large';
  state: Exclude<MeetingState, { phase: 'ready' }>;
  t: TeamsMessages;
};

/** The meeting while it is not ready: a spinner, or why not with a way to try again. */
export function MeetingStatus({
  className,
  reload,
  spinnerSize = 'medium',
  state,
  t,
}: MeetingStatusProps): React.JSX.Element {
  if (state.phase === 'loading') {
    return (
      <main className={className}>
        <Spinner size={spinnerSize} label={t.loading} />
      </main>
    );
  }
  return (
    <main className={className}>
      <MessageBar intent={state.phase === 'failed' ? 'error' : 'info'} role="alert">
        <MessageBarBody>{state.phase === 'failed' ? describeError(state.error, t) : t.errNotConfigured}</MessageBarBody>
        <MessageBarActions>
          <Button onClick={reload}>{t.retry}</Button>
        </MessageBarActions>
      </MessageBar>
    </main>
  );
}

export type BusyButtonProps = Pick<ButtonProps, 'appearance' | 'children' | 'className' | 'disabled' | 'size'> & {
  /** While true, the button shows a spinner and ignores clicks, but keeps focus. */
  busy: boolean;
  'data-testid'?: string;
  onClick: () => void;
};

/** A button for slow work: it stays focusable while busy, so focus is not lost, and says it is busy. */
export function BusyButton({ busy, onClick, ...props }: BusyButtonProps): React.JSX.Element {
  return (
    <Button
      {...props}
      onClick={onClick}
      disabledFocusable={busy}
      aria-busy={busy}
      icon={busy ? <Spinner size="tiny" /> : undefined}
    />
  );
}

/** Mounts a page in the HTML shell's `#root`. */
export function mountPage(
  client: string,
  title: (t: TeamsMessages) => string,
  Page: (props: { services: PageServices }) => React.JSX.Element,
): void {
  const root = document.getElementById('root');
  if (root) {
    createRoot(root).render(
      <TeamsPage client={client} title={title}>
        {(services) => <Page services={services} />}
      </TeamsPage>,
    );
  }
}
