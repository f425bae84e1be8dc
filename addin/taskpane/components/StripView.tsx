/**
 * The strip view: what will be removed (computed before anything changes), the attachments to remove, then the strip
 * itself step by step, the re-scan that proves the result, the receipt to print, and the request to press Outlook's Send again. Every failure says
 * what state the mail is in; the original body is kept to restore.
 */
import {
  Button,
  Caption1,
  Checkbox,
  Field,
  Input,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Spinner,
  Text,
  tokens,
} from '@fluentui/react-components';
import * as React from 'react';

import type { AuditPolicySource } from '../../../src/shared/api';
import { LevelBadge } from '../../../src/ui/LevelBadge';
import { usePane } from '../context';
import { timeText } from '../messages';
import { markedAttachments, planStrip } from '../model/strip-plan';
import { printFromHiddenFrame, receiptPage } from '../services/print';
import { checkReference, localReceiptDetails, REFERENCE_MAX_CHARS } from '../services/receipt-details';
import { localReceiptSalts } from '../services/receipt-salts';
import type { ScanOutcome } from '../services/scanner';
import { runStrip, type StripOutcome, type StripStep, undoStrip } from '../services/strip-flow';
import { WithReceiptNumber } from './ReceiptNumber';
import { useResultFocus } from './use-result-focus';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  subheading: { margin: 0, fontSize: tokens.fontSizeBase300, fontWeight: tokens.fontWeightSemibold },
  line: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  list: { margin: 0, paddingLeft: tokens.spacingHorizontalL },
});

/** Stands for the real number in the preview; the real one is drawn when the strip runs. */
/** What this machine keeps of its receipts for the paper copy (the server never holds them). */
const salts = localReceiptSalts();
const receiptDetails = localReceiptDetails();

const PREVIEW_NUMBER = 'SG-PREVIEW';

export type StripViewProps = {
  outcome: ScanOutcome | null;
  rescan: () => Promise<void>;
  /** A receipt was created (the receipts view reloads). */
  onReceipt: () => void;
  /** Where the outcome's policy came from, for the audit event. */
  policySource?: AuditPolicySource;
};

export function StripView({ outcome, rescan, onReceipt, policySource }: StripViewProps): React.JSX.Element {
  const { m, host, api, scanner, client, locale } = usePane();
  const styles = useStyles();
  const [chosen, setChosen] = React.useState<ReadonlySet<string> | null>(null);
  const [step, setStep] = React.useState<StripStep | null>(null);
  const [result, setResult] = React.useState<StripOutcome | null>(null);
  const [restore, setRestore] = React.useState<{ intent: 'success' | 'warning' | 'error'; text: string } | null>(null);
  const [printError, setPrintError] = React.useState<string | null>(null);
  // The agency's 文號, typed after the strip: it goes on the paper and in this machine's store, never to the server.
  const [reference, setReference] = React.useState('');
  const referenceInput = React.useRef<HTMLInputElement>(null);
  const stripFocus = useResultFocus(result);
  const restoreFocus = useResultFocus(restore);

  const marked = React.useMemo(() => (outcome ? markedAttachments(outcome.attachments) : []), [outcome]);
  const selected = React.useMemo(() => chosen ?? new Set(marked.map((a) => a.id)), [chosen, marked]);
  const preview = React.useMemo(
    () =>
      outcome
        ? planStrip({
            body: outcome.body,
            format: outcome.bodyFormat,
            attachments: outcome.attachments,
            removeAttachmentIds: [...selected],
            policy: outcome.policy,
            receiptNumber: PREVIEW_NUMBER,
          })
        : null,
    [outcome, selected],
  );

  if (!outcome || !preview) {
    return <Spinner size="small" label={m.scanning} />;
  }
  const subjectMarks = outcome.verdict.findings.filter((f) => f.location === 'subject' || f.location === 'label');
  const remaining = preview.remaining.length + subjectMarks.length;
  const bodyChars = preview.bodyParts.reduce((n, p) => n + p.length, 0);
  const nothing = preview.parts.length === 0;
  const noRecipients = outcome.recipients.length === 0;
  const running = step !== null;

  const start = async (): Promise<void> => {
    if (running) {
      return;
    }
    setResult(null);
    setRestore(null);
    setPrintError(null);
    const r = await runStrip(
      {
        host,
        api,
        scanner,
        policy: outcome.policy,
        salts,
        details: receiptDetails,
        client,
        ...(policySource ? { policySource } : {}),
      },
      { before: outcome, removeAttachmentIds: [...selected] },
      setStep,
    );
    setStep(null);
    setResult(r);
    if (r.status === 'done') {
      onReceipt();
    }
    void rescan();
  };

  const undo = async (): Promise<void> => {
    const record = result?.status === 'done' ? result.undo : result?.undo;
    if (!record) {
      return;
    }
    const r = await undoStrip(host, api, record);
    setRestore(
      r.complete
        ? { intent: 'success', text: m.restoreDone }
        : r.notRestored.length > 0
          ? { intent: 'warning', text: m.restorePartial(m.list(r.notRestored)) }
          : { intent: 'error', text: m.stripNotRestored },
    );
    if (r.complete) {
      setResult(null);
    }
    onReceipt();
    void rescan();
  };

  const referenceCheck = checkReference(reference);
  const referenceError = referenceCheck.ok
    ? undefined
    : referenceCheck.reason === 'too-long'
      ? m.referenceTooLong(REFERENCE_MAX_CHARS)
      : m.referenceCharacter(referenceCheck.codePoint);

  const print = async (done: Extract<StripOutcome, { status: 'done' }>): Promise<void> => {
    if (!referenceCheck.ok) {
      referenceInput.current?.focus();
      return;
    }
    const id = done.receiptId;
    const details = { ...done.details, reference: referenceCheck.value };
    // Kept with the rest, so a copy printed later from the receipts list carries the same 文號.
    receiptDetails.save(id, details);
    try {
      await printFromHiddenFrame(await receiptPage(api, id, done.salts, details), m.receiptPrintFrame(id));
    } catch (e) {
      setPrintError(m.serverError(String((e as Error)?.message ?? e).slice(0, 200)));
    }
  };

  return (
    <div className={styles.root}>
      <Text>{m.stripIntro}</Text>

      {nothing && !result && <Text>{m.stripNothing}</Text>}
      {preview.bodyParts.length > 0 && (
        <section className={styles.section} aria-label={m.location('body')}>
          <h3 className={styles.subheading}>{m.location('body')}</h3>
          <div className={styles.line}>
            {[...new Set(preview.bodyParts.map((p) => p.level))].map((l) => (
              <LevelBadge key={l} level={l} size="small" />
            ))}
            <Text>{m.stripBodyParts(preview.bodyParts.length, bodyChars)}</Text>
          </div>
        </section>
      )}
      {marked.length > 0 && (
        <section className={styles.section} aria-label={m.stripAttachmentsHeading}>
          <h3 className={styles.subheading}>{m.stripAttachmentsHeading}</h3>
          {marked.map((a) => (
            <Checkbox
              key={a.id}
              checked={selected.has(a.id)}
              disabled={running}
              onChange={(_e, data) => {
                const next = new Set(selected);
                if (data.checked) {
                  next.add(a.id);
                } else {
                  next.delete(a.id);
                }
                setChosen(next);
              }}
              label={m.withNote(a.name, a.highest ? m.stripAttachmentMarked(a.highest) : '')}
            />
          ))}
        </section>
      )}
      {preview.cannotRemove.map((c) => (
        <MessageBar key={c.attachment.id} intent="warning" layout="multiline">
          <MessageBarBody>{m.stripCannotRemove(c.attachment.name, c.reason)}</MessageBarBody>
        </MessageBar>
      ))}
      {remaining > 0 && (
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody>{m.stripRemaining(remaining)}</MessageBarBody>
        </MessageBar>
      )}
      {noRecipients && !nothing && (
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody>{m.stripNeedsRecipients}</MessageBarBody>
        </MessageBar>
      )}

      <div className={styles.line}>
        <Button
          ref={stripFocus.trigger}
          appearance="primary"
          disabled={nothing || noRecipients}
          disabledFocusable={running}
          onClick={() => void start()}
        >
          {m.stripButton}
        </Button>
      </div>
      <div role="status" aria-live="polite">
        {step && <Spinner size="tiny" label={m.stripStep(step)} />}
      </div>

      {result?.status === 'done' && (
        <section className={styles.section} aria-label={m.stripDone(result.receiptId)}>
          <MessageBar ref={stripFocus.target} tabIndex={-1} intent="success" layout="multiline" role="status">
            <MessageBarBody>
              <WithReceiptNumber text={m.stripDone(result.receiptId)} receiptId={result.receiptId} />
            </MessageBarBody>
          </MessageBar>
          {result.notRemoved.length > 0 && (
            <MessageBar intent="warning" layout="multiline">
              <MessageBarBody>{m.stripPartialAttachments(m.list(result.notRemoved))}</MessageBarBody>
            </MessageBar>
          )}
          {result.verifyError && (
            <MessageBar intent="error" layout="multiline">
              <MessageBarBody>{m.stripVerifyFailed(result.verifyError)}</MessageBarBody>
            </MessageBar>
          )}
          {result.after && (
            <MessageBar intent={result.clean ? 'success' : 'warning'} layout="multiline" data-clean={result.clean}>
              <MessageBarBody>{result.clean ? m.stripVerified : m.stripStillFlagged}</MessageBarBody>
            </MessageBar>
          )}
          {!result.auditRecorded && (
            <MessageBar intent="warning" layout="multiline">
              <MessageBarBody>{m.stripAuditMissing}</MessageBarBody>
            </MessageBar>
          )}
          {!result.saltsKept && (
            <MessageBar intent="warning" layout="multiline">
              <MessageBarBody>{m.stripSaltsNotKept}</MessageBarBody>
            </MessageBar>
          )}
          <Field
            label={m.referenceLabel}
            hint={m.referenceHint}
            validationState={referenceError ? 'error' : 'none'}
            validationMessage={referenceError}
          >
            <Input ref={referenceInput} value={reference} onChange={(_e, data) => setReference(data.value)} />
          </Field>
          <div className={styles.line}>
            <Button onClick={() => void print(result)}>{m.printReceipt}</Button>
            <Button ref={restoreFocus.trigger} appearance="subtle" onClick={() => void undo()}>
              {m.restoreButton}
            </Button>
          </div>
          {/* The pane never sends by itself: sendAsync needs the read/write mailbox permission the manifests do not
              ask for (Office.MessageCompose.sendAsync, Mailbox 1.15, "Minimum permission level: read/write mailbox"),
              and Outlook's own Send runs the send check again on what the strip left. */}
          {result.clean && <Text weight="semibold">{m.sendAgain}</Text>}
        </section>
      )}
      {result?.status === 'failed' && result.reason !== 'no-recipients' && (
        <MessageBar ref={stripFocus.target} tabIndex={-1} intent="error" layout="multiline" role="alert">
          <MessageBarBody>
            {result.reason === 'nothing-to-strip' ? m.stripNothing : m.stripFailed(result.message)}{' '}
            {result.mailState === 'unchanged'
              ? m.stripUnchanged
              : result.mailState === 'restored'
                ? m.stripRestored
                : m.stripNotRestored}
          </MessageBarBody>
        </MessageBar>
      )}
      {result?.status === 'failed' && result.reason === 'no-recipients' && (
        <MessageBar ref={stripFocus.target} tabIndex={-1} intent="warning" layout="multiline" role="alert">
          <MessageBarBody>{m.stripNeedsRecipients}</MessageBarBody>
        </MessageBar>
      )}
      {result?.status === 'failed' && result.undo && (
        <Button ref={restoreFocus.trigger} onClick={() => void undo()}>
          {m.restoreButton}
        </Button>
      )}
      {restore && (
        <MessageBar ref={restoreFocus.target} tabIndex={-1} intent={restore.intent} layout="multiline" role="status">
          <MessageBarBody>{restore.text}</MessageBarBody>
        </MessageBar>
      )}
      {printError && (
        <MessageBar intent="error" layout="multiline" role="alert">
          <MessageBarBody>{printError}</MessageBarBody>
        </MessageBar>
      )}
      <Caption1>{m.lastScanned(timeText(outcome.scannedAt, locale))}</Caption1>
    </div>
  );
}
