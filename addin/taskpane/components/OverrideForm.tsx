/**
 * Override with a justification, where the policy's action is `warn`: a required reason in the sender's own words,
 * checked here against the mail (it must not repeat it), recorded in the audit log, and only then handed to the send
 * handler, which lets this warned mail go on the next Send.
 */
import {
  Button,
  Field,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Text,
  Textarea,
  tokens,
} from '@fluentui/react-components';
import * as React from 'react';

import { detectOptionsFor } from '../../../src/core';
import { type AuditPolicySource, JUSTIFICATION_LIMITS } from '../../../src/shared/api';
import { usePane } from '../context';
import { checkJustification } from '../model/justification';
import { recordOverride } from '../services/override';
import type { ScanOutcome } from '../services/scanner';
import { useResultFocus } from './use-result-focus';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
});

/** A reason being typed, held above the form so that it survives the form's unmounting (a switch of tabs). */
export type ReasonDraft = { readonly value: string; readonly set: (value: string) => void };

export type OverrideFormProps = {
  /** Focus the reason when this is not 0, and again each time it changes (a request count). @default 0 */
  autoFocus?: number;
  outcome: ScanOutcome;
  /** Where the outcome's policy came from, for the audit event. */
  policySource?: AuditPolicySource;
  /** Where the reason is kept: above the form, so that it outlives a switch of tabs. */
  reasonDraft: ReasonDraft;
};

export function OverrideForm({
  autoFocus = 0,
  outcome,
  policySource,
  reasonDraft,
}: OverrideFormProps): React.JSX.Element {
  const { m, api, client, host } = usePane();
  const styles = useStyles();
  const { value: reason, set: setReason } = reasonDraft;
  const [problem, setProblem] = React.useState<string | null>(null);
  const [result, setResult] = React.useState<{ intent: 'success' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = React.useState(false);
  const reasonRef = React.useRef<HTMLTextAreaElement>(null);
  const focus = useResultFocus(result);
  React.useEffect(() => {
    if (autoFocus) {
      reasonRef.current?.focus();
    }
  }, [autoFocus]);

  const submit = async (event: React.FormEvent): Promise<void> => {
    event.preventDefault();
    if (busy) {
      return;
    }
    setResult(null);
    const found = checkJustification(reason, outcome.texts, detectOptionsFor(outcome.policy));
    setProblem(found ? m.overrideProblem(found) : null);
    if (found) {
      return;
    }
    setBusy(true);
    const r = await recordOverride({ api, host, client, ...(policySource ? { policySource } : {}) }, outcome, reason);
    setBusy(false);
    setResult(
      r.status === 'granted'
        ? { intent: 'success', text: m.overrideDone }
        : {
            intent: 'error',
            text: r.status === 'not-logged' ? m.overrideFailed(r.message) : m.overrideNotGranted(r.message),
          },
    );
  };

  return (
    <form className={styles.root} onSubmit={(e) => void submit(e)} noValidate>
      <Text>{m.overrideHelp}</Text>
      <Field
        label={m.overrideReason}
        required
        validationState={problem ? 'error' : 'none'}
        validationMessage={problem ?? undefined}
        hint={`${reason.trim().length} / ${JUSTIFICATION_LIMITS.maxLength}`}
      >
        <Textarea
          ref={reasonRef}
          value={reason}
          onChange={(_e, data) => setReason(data.value)}
          maxLength={JUSTIFICATION_LIMITS.maxLength + 50}
          resize="vertical"
          rows={3}
        />
      </Field>
      <Button ref={focus.trigger} type="submit" appearance="secondary" disabledFocusable={busy}>
        {m.overrideButton}
      </Button>
      {result && (
        <MessageBar ref={focus.target} tabIndex={-1} intent={result.intent} layout="multiline" role="status">
          <MessageBarBody>{result.text}</MessageBarBody>
        </MessageBar>
      )}
    </form>
  );
}
