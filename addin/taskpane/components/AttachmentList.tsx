/**
 * Each attachment with its state: waiting, being read (with progress for large files, where the extractor reports
 * it), or its result (marks found, none, or why it could not be checked).
 */
import { Caption1, makeStyles, ProgressBar, Spinner, Text } from '@fluentui/react-components';
import * as React from 'react';

import { LevelBadge } from '../../../src/ui/LevelBadge';
import { usePane } from '../context';
import type { FindingGroup } from '../model/findings';
import type { AttachmentProgress, ScanOutcome, ScanProgress } from '../services/scanner';
import { useListStyles } from './listStyles.styles';

const useStyles = makeStyles({
  name: { wordBreak: 'break-all' },
});

export type AttachmentListProps = {
  outcome: ScanOutcome | null;
  progress: ScanProgress | null;
  /** A scan is running (or queued). */
  scanning: boolean;
};

/** Undefined while the attachment is not yet judged; null when it was and nothing is in it. */
type Judged = FindingGroup | null | undefined;

function Status({
  judged,
  p,
  decided,
}: {
  judged: Judged;
  p?: AttachmentProgress;
  /** A PDF judged before its last page was read. */
  decided?: { readonly read: number; readonly total: number };
}): React.JSX.Element {
  const { m } = usePane();
  if (judged === undefined) {
    // Read but not yet judged is still being checked: never "no marks" for an attachment whose result is not in.
    return (
      <>
        <Caption1>{p?.state === 'pending' ? m.attachmentPending : m.attachmentScanning}</Caption1>
        {p?.state === 'scanning' && p.pages && p.pages.total > 0 && (
          <Caption1 data-pdf-pages={`${p.pages.read}/${p.pages.total}`}>
            {m.pdfPagesRead(p.pages.read, p.pages.total)}
          </Caption1>
        )}
      </>
    );
  }
  if (judged === null) {
    return <Caption1>{m.attachmentClean}</Caption1>;
  }
  return (
    <>
      {judged.highest && <LevelBadge level={judged.highest} size="small" />}
      {judged.findings.length > 0 && <Caption1>{m.attachmentMarked(judged.findings.length)}</Caption1>}
      {decided && (
        <Caption1 data-pdf-pages-decided={`${decided.read}/${decided.total}`}>
          {m.pdfPagesDecided(decided.read, decided.total)}
        </Caption1>
      )}
      {judged.unscannable.length > 0 && (
        <Caption1>
          {m.labelled(
            m.attachmentUnscannable,
            m.list([...new Set(judged.unscannable.map((u) => m.unscannable(u.reason)))]),
          )}
        </Caption1>
      )}
    </>
  );
}

export function AttachmentList({ outcome, progress, scanning }: AttachmentListProps): React.JSX.Element {
  const { m } = usePane();
  const styles = { ...useListStyles(), ...useStyles() };
  const groupOf = (name: string): FindingGroup | null =>
    outcome?.groups.find((g) => g.kind === 'attachment' && g.attachmentName === name) ?? null;
  // During a scan each attachment shows its own result from this scan, never the last scan's verdict.
  const rows = progress
    ? progress.attachments.map((p) => ({
        id: p.id,
        name: p.name,
        p,
        a: outcome?.attachments.find((x) => x.id === p.id),
        judged: p.state === 'done' ? p.group : undefined,
      }))
    : (outcome?.attachments ?? []).map((a) => ({ id: a.id, name: a.name, p: undefined, a, judged: groupOf(a.name) }));
  if (!outcome && !progress) {
    // The attachments are not even listed yet (or the scan failed): "no attachments" would be a guess.
    return scanning ? <Spinner size="tiny" label={m.attachmentsListing} /> : <Text>{m.attachmentsNotChecked}</Text>;
  }
  if (rows.length === 0) {
    return <Text>{m.noAttachments}</Text>;
  }
  return (
    <ul className={styles.list}>
      {rows.map(({ id, name, p, a, judged }) => {
        const busy = p !== undefined && (p.state === 'reading' || p.state === 'scanning');
        return (
          <li key={id} className={styles.item} data-attachment={name} data-judged={judged !== undefined}>
            <span className={styles.line}>
              <Text weight="semibold" className={styles.name}>
                {name}
              </Text>
              {a && <Caption1>{m.attachmentSize(a.size)}</Caption1>}
              {a?.isInline && <Caption1>{m.attachmentInline}</Caption1>}
            </span>
            <span className={styles.line}>
              <Status judged={judged} p={p} decided={p?.state === 'done' ? p.pages : a?.pagesDecided} />
            </span>
            {busy && (
              <ProgressBar
                value={p.state === 'scanning' ? p.fraction : undefined}
                max={1}
                aria-label={m.progressLabel(name)}
              />
            )}
          </li>
        );
      })}
    </ul>
  );
}
