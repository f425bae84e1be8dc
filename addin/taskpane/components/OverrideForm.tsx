/**
 * Override with a justification, where the policy's action is `warn`: a required reason in the sender's own words,
 * checked here against the mail (it must not repeat it) and recorded in the audit log.
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
import { JUSTIFICATION_LIMITS } from '../../../src/shared/api';
import { usePane } from '../context';
import { checkJustification } from '../model/justification';
import type { ScanOutcome } from '../services/scanner';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
});

export type OverrideFormProps = {
  outcome: ScanOutcome;
};

export function OverrideForm({ outcome }: OverrideFormProps): React.JSX.Element {
  const { m, api, client, host } = usePane();
  const styles = useStyles();
  const [reason, setReason] = React.useState('');
  const [problem, setProblem] = React.useState<string | null>(null);
  const [result, setResult] = React.useState<{ intent: 'success' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = React.useState(false);

  const submit = async (event: React.FormEvent): Promise<void> => {
    event.preventDefault();
    setResult(null);
    const found = checkJustification(reason, outcome.texts, detectOptionsFor(outcome.policy));
    setProblem(found ? m.overrideProblem(found) : null);
    if (found) {
      return;
    }
    setBusy(true);
    try {
      const v = outcome.verdict;
      const messageIdHash = await host.itemHash();
      await api.audit({
        kind: 'override',
        verdict: v.verdict,
        level: v.level,
        scope: v.scope,
        rules: [...new Set(v.findings.map((f) => f.rule))].filter((r) => /^[a-z0-9][a-z0-9.-]{0,80}$/.test(r)),
        unscannable: [...new Set(v.unscannable.map((u) => u.reason))],
        findingCount: v.findings.length,
        attachmentCount: outcome.attachments.length,
        recipientCount: outcome.recipients.length,
        policyVersion: outcome.policy.version,
        justification: reason.trim(),
        ...(messageIdHash ? { messageIdHash } : {}),
        client,
      });
      setResult({ intent: 'success', text: m.overrideDone });
    } catch (e) {
      setResult({ intent: 'error', text: m.overrideFailed(String((e as Error)?.message ?? e).slice(0, 200)) });
    } finally {
      setBusy(false);
    }
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
          value={reason}
          onChange={(_e, data) => setReason(data.value)}
          maxLength={JUSTIFICATION_LIMITS.maxLength + 50}
          resize="vertical"
          rows={3}
        />
      </Field>
      <Button type="submit" appearance="secondary" disabled={busy}>
        {m.overrideButton}
      </Button>
      {result && (
        <MessageBar intent={result.intent} layout="multiline" role="status">
          <MessageBarBody>{result.text}</MessageBarBody>
        </MessageBar>
      )}
    </form>
  );
}
