/** Sharing the reminder to the meeting stage, offered only to those Teams lets share (organisers, presenters). */
import { MessageBar, MessageBarBody, Spinner } from '@fluentui/react-components';
import * as React from 'react';

import { PAGE_PATHS } from '../../src/shared/app-ids';
import { describeStageError } from '../shared/errors';
import { useLayoutStyles } from '../shared/layout.styles';
import type { TeamsMessages } from '../shared/messages';
import { BusyButton } from '../shared/PageStates';
import { shareToStage, type StageCapability, stageCapability, StageShareError } from '../teams';

export type StageShareSectionProps = {
  origin: string;
  t: TeamsMessages;
};

type ShareState =
  | { readonly phase: 'idle' | 'sharing' | 'shared'; readonly message?: never }
  | { readonly phase: 'failed'; readonly message: string };

export function StageShareSection({ origin, t }: StageShareSectionProps): React.JSX.Element | null {
  const layout = useLayoutStyles();
  const headingId = React.useId();
  const [capability, setCapability] = React.useState<StageCapability | null>(null);
  const [share, setShare] = React.useState<ShareState>({ phase: 'idle' });

  React.useEffect(() => {
    let cancelled = false;
    void stageCapability().then((c) => !cancelled && setCapability(c));
    return () => {
      cancelled = true;
    };
  }, []);

  const onShare = (): void => {
    if (share.phase === 'sharing') {
      return;
    }
    setShare({ phase: 'sharing' });
    shareToStage(`${origin}${PAGE_PATHS.teamsStage}`).then(
      () => setShare({ phase: 'shared' }),
      (e: unknown) =>
        setShare({
          phase: 'failed',
          message: describeStageError(e instanceof StageShareError ? e.code : 500, t),
        }),
    );
  };

  let body: React.ReactNode;
  if (capability === null) {
    body = <Spinner size="tiny" label={t.loading} />;
  } else if (!capability.canShare) {
    body = (
      <p className={layout.caption} data-testid="stage-share-unavailable">
        {capability.reason === 'no-permission'
          ? t.shareNoPermission
          : capability.reason === 'error'
            ? describeStageError(capability.code, t)
            : t.shareUnavailable}
      </p>
    );
  } else {
    const sharing = share.phase === 'sharing';
    body = (
      <>
        <BusyButton appearance="secondary" busy={sharing} onClick={onShare}>
          {sharing ? t.sharing : t.shareButton}
        </BusyButton>
        {share.phase === 'shared' ? (
          <MessageBar intent="success" role="status">
            <MessageBarBody>{t.shared}</MessageBarBody>
          </MessageBar>
        ) : null}
        {share.phase === 'failed' ? (
          <MessageBar intent="error" role="alert" data-testid="stage-share-error">
            <MessageBarBody>{share.message}</MessageBarBody>
          </MessageBar>
        ) : null}
      </>
    );
  }
  return (
    <section className={layout.section} aria-labelledby={headingId}>
      <h3 id={headingId} className={layout.h3}>
        {t.stageHeading}
      </h3>
      {body}
    </section>
  );
}
