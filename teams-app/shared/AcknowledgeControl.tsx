/**
 * The one button an attendee presses, 「我已知悉並同意保密」, and what follows: the time it was recorded, or why it was
 * not (the button stays, so pressing it again retries). Focus moves to the confirmation so a screen reader reads it.
 * An attendee who acknowledged before the chair changed the level or the reminder sees the button again, and why.
 */
import {
  makeStyles,
  mergeClasses,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  tokens,
} from '@fluentui/react-components';
import * as React from 'react';

import type { Locale } from '../../src/shared/i18n';
import { describeError } from './errors';
import { formatAcknowledgedAt } from './format';
import type { TeamsMessages } from './messages';
import { BusyButton } from './PageStates';
import type { UseAcknowledgement } from './useAcknowledgement';

export type AcknowledgeControlProps = {
  /** The caller's acknowledgement; when it was of an earlier level or reminder, they are asked again and told why. */
  ack: UseAcknowledgement;
  locale: Locale;
  t: TeamsMessages;
  /** @default 'panel' */
  variant?: 'panel' | 'stage';
};

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  button: { width: '100%', whiteSpace: 'normal' },
  buttonStage: {
    width: 'auto',
    alignSelf: 'flex-start',
    minHeight: '56px',
    fontSize: tokens.fontSizeBase500,
    lineHeight: tokens.lineHeightBase500,
    padding: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalXXL}`,
  },
  done: {
    margin: 0,
    padding: tokens.spacingHorizontalM,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorPaletteGreenBackground1,
    color: tokens.colorNeutralForeground1,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorPaletteGreenBorder2}`,
    fontWeight: tokens.fontWeightSemibold,
    outlineOffset: '2px',
  },
  doneStage: { fontSize: tokens.fontSizeBase500, lineHeight: tokens.lineHeightBase500 },
});

export function AcknowledgeControl({ ack, locale, t, variant = 'panel' }: AcknowledgeControlProps): React.JSX.Element {
  const { state, earlierAcknowledgedAt } = ack;
  const s = useStyles();
  const stage = variant === 'stage';
  const doneRef = React.useRef<HTMLParagraphElement>(null);
  const wasSending = React.useRef(false);

  React.useEffect(() => {
    if (state.phase === 'done' && wasSending.current) {
      doneRef.current?.focus();
    }
    wasSending.current = state.phase === 'sending';
  }, [state.phase]);

  if (state.phase === 'done') {
    return (
      <p ref={doneRef} tabIndex={-1} role="status" className={mergeClasses(s.done, stage && s.doneStage)}>
        ✓ {t.acknowledgedAt(formatAcknowledgedAt(state.acknowledgedAt, locale))}
      </p>
    );
  }
  const sending = state.phase === 'sending';
  return (
    <div className={s.root}>
      {earlierAcknowledgedAt ? (
        <MessageBar intent="warning" data-testid="ack-renew">
          <MessageBarBody>{t.ackRenew(formatAcknowledgedAt(earlierAcknowledgedAt, locale))}</MessageBarBody>
        </MessageBar>
      ) : null}
      <BusyButton
        appearance="primary"
        size="large"
        className={mergeClasses(s.button, stage && s.buttonStage)}
        busy={sending}
        onClick={ack.acknowledge}
      >
        {sending ? t.acknowledging : t.acknowledge}
      </BusyButton>
      {state.phase === 'failed' ? (
        <MessageBar intent="error" role="alert">
          <MessageBarBody>
            <MessageBarTitle>{t.ackFailedTitle}</MessageBarTitle>
            {t.ackFailed(describeError(state.error, t))}
          </MessageBarBody>
        </MessageBar>
      ) : null}
    </div>
  );
}
