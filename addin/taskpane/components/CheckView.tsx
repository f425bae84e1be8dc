/**
 * The check view: the verdict the send will get, what to do about it (strip, or override where the policy warns),
 * marking a selection, and every finding and attachment.
 */
import { Button, Caption1, makeStyles, MessageBar, MessageBarBody, Spinner, tokens } from '@fluentui/react-components';
import * as React from 'react';

import { usePane } from '../context';
import { timeText } from '../messages';
import { markedAttachments } from '../model/strip-plan';
import type { LiveScan } from '../useLiveScan';
import { AttachmentList } from './AttachmentList';
import { FindingsList } from './FindingsList';
import { MarkSelection } from './MarkSelection';
import { OverrideForm, type ReasonDraft } from './OverrideForm';
import { VerdictSummary } from './VerdictSummary';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL },
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  heading: { margin: 0, fontSize: tokens.fontSizeBase400, fontWeight: tokens.fontWeightSemibold },
  line: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
});

export type CheckViewProps = {
  /**
   * Put the focus on the reason: a request count from the send dialog's 「填寫理由」, each new one (the pane opened,
   * or the button chosen again with the pane open) focusing it once; 0 for none. @default 0
   */
  focusReason?: number;
  onStrip: () => void;
  /** The override reason being typed, kept by the pane so that it outlives a switch to another tab. */
  reasonDraft: ReasonDraft;
  scan: LiveScan;
};

export function CheckView({ focusReason = 0, onStrip, reasonDraft, scan }: CheckViewProps): React.JSX.Element {
  const { m, locale, host } = usePane();
  const styles = useStyles();
  const { outcome, policy, error } = scan;
  const verdict = outcome?.verdict;
  const canStrip =
    outcome !== null &&
    (outcome.verdict.findings.some((f) => f.strippable) || markedAttachments(outcome.attachments).length > 0);
  const headingId = React.useId();

  return (
    <div className={styles.root}>
      <section className={styles.section} aria-labelledby={`${headingId}-verdict`}>
        <h2 id={`${headingId}-verdict`} className={styles.heading}>
          {m.verdictHeading}
        </h2>
        {error && (
          <MessageBar intent="error" layout="multiline" role="alert">
            <MessageBarBody>{m.scanFailed(error)}</MessageBarBody>
          </MessageBar>
        )}
        {outcome && verdict && policy ? (
          <VerdictSummary
            verdict={verdict}
            policy={policy}
            recipientCount={outcome.recipients.length}
            removable={canStrip}
          />
        ) : (
          !error && <Spinner size="small" label={m.scanning} />
        )}
        <div className={styles.line}>
          {canStrip && verdict && verdict.verdict !== 'allow' && (
            <Button appearance="primary" onClick={onStrip}>
              {m.tabStrip}
            </Button>
          )}
          <Button onClick={() => void scan.rescan()} disabled={scan.scanning}>
            {m.rescan}
          </Button>
          {scan.scanning && <Spinner size="extra-tiny" aria-hidden />}
        </div>
        {outcome && <Caption1>{m.lastScanned(timeText(outcome.scannedAt, locale))}</Caption1>}
      </section>

      {outcome && verdict?.verdict === 'warn' && (
        <section className={styles.section} aria-labelledby={`${headingId}-override`}>
          <h2 id={`${headingId}-override`} className={styles.heading}>
            {m.overrideHeading}
          </h2>
          {host.canGrantOverride() ? (
            <OverrideForm
              outcome={outcome}
              autoFocus={focusReason}
              policySource={policy?.source}
              reasonDraft={reasonDraft}
            />
          ) : (
            <MessageBar intent="warning" layout="multiline">
              <MessageBarBody>{m.overrideUnavailable}</MessageBarBody>
            </MessageBar>
          )}
        </section>
      )}

      <section className={styles.section} aria-labelledby={`${headingId}-findings`}>
        <h2 id={`${headingId}-findings`} className={styles.heading}>
          {m.findingsHeading}
        </h2>
        {outcome ? (
          <FindingsList groups={outcome.groups.filter((g) => g.kind !== 'attachment' || g.findings.length > 0)} />
        ) : (
          <Spinner size="tiny" aria-label={m.scanning} />
        )}
      </section>

      <section className={styles.section} aria-labelledby={`${headingId}-attachments`}>
        <h2 id={`${headingId}-attachments`} className={styles.heading}>
          {m.attachmentsHeading}
        </h2>
        <AttachmentList outcome={outcome} progress={scan.progress} scanning={scan.scanning} />
      </section>

      {/* Last: what was found is what a sender opens the pane for; marking a selection is the rarer task. */}
      <section className={styles.section} aria-labelledby={`${headingId}-mark`}>
        <h2 id={`${headingId}-mark`} className={styles.heading}>
          {m.markHeading}
        </h2>
        <MarkSelection onMarked={() => void scan.rescan()} />
      </section>
    </div>
  );
}
