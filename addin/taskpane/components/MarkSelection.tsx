/**
 * "Mark selection as confidential": wraps what the user selected in the body in the core's strippable delimiters of
 * the chosen level, as visible text in the mail itself.
 */
import {
  Button,
  Field,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Select,
  Text,
  tokens,
} from '@fluentui/react-components';
import * as React from 'react';

import { type Level, LEVELS } from '../../../src/core';
import { usePane } from '../context';
import { wrapSelection } from '../model/mark-selection';
import { useResultFocus } from './use-result-focus';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  row: { display: 'flex', alignItems: 'flex-end', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
});

export type MarkSelectionProps = {
  /** Called after the mail changed, to scan it again. */
  onMarked: () => void;
};

type Feedback = { intent: 'success' | 'warning' | 'error'; text: string } | null;

export function MarkSelection({ onMarked }: MarkSelectionProps): React.JSX.Element {
  const { m, host } = usePane();
  const styles = useStyles();
  const [level, setLevel] = React.useState<Level>('機密');
  const [busy, setBusy] = React.useState(false);
  const [feedback, setFeedback] = React.useState<Feedback>(null);
  const selectId = React.useId();
  const focus = useResultFocus(feedback);

  const mark = async (): Promise<void> => {
    if (busy) {
      return;
    }
    setBusy(true);
    setFeedback(null);
    try {
      const format = await host.bodyFormat();
      const selection = await host.readSelection(format);
      const wrapped = wrapSelection({ data: selection.data, format, source: selection.source }, level);
      if (!wrapped.ok) {
        const text = { empty: m.markEmpty, subject: m.markSubject, 'already-marked': m.markAlready }[wrapped.reason];
        setFeedback({ intent: 'warning', text });
        return;
      }
      await host.replaceSelection(wrapped.data, format);
      setFeedback({ intent: 'success', text: m.markDone(level) });
      onMarked();
    } catch (e) {
      setFeedback({ intent: 'error', text: m.markFailed(String((e as Error)?.message ?? e).slice(0, 200)) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className={styles.root}>
      <Text>{m.markHelp}</Text>
      <div className={styles.row}>
        <Field label={m.markLevel}>
          <Select id={selectId} value={level} onChange={(_e, data) => setLevel(data.value as Level)}>
            {[...LEVELS].reverse().map((l) => (
              <option key={l} value={l}>
                {m.levelName(l)}
              </option>
            ))}
          </Select>
        </Field>
        <Button ref={focus.trigger} appearance="primary" onClick={() => void mark()} disabledFocusable={busy}>
          {m.markButton}
        </Button>
      </div>
      {feedback && (
        <MessageBar ref={focus.target} tabIndex={-1} intent={feedback.intent} layout="multiline" role="status">
          <MessageBarBody>{feedback.text}</MessageBarBody>
        </MessageBar>
      )}
    </div>
  );
}
