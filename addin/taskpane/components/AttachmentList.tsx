/**
 * Each attachment with its state: waiting, being read (with progress for large files, where the extractor reports
 * it), or its result (marks found, none, or why it could not be checked).
 */
import { Caption1, makeStyles, ProgressBar, Text } from '@fluentui/react-components';
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
};

function Status({ group, p }: { group?: FindingGroup; p?: AttachmentProgress }): React.JSX.Element {
  const { m } = usePane();
  if (p && p.state !== 'done') {
    return <Caption1>{p.state === 'pending' ? m.attachmentPending : m.attachmentScanning}</Caption1>;
  }
  if (!group) {
    return <Caption1>{m.attachmentClean}</Caption1>;
  }
  return (
    <>
      {group.highest && <LevelBadge level={group.highest} size="small" />}
      {group.findings.length > 0 && <Caption1>{m.attachmentMarked(group.findings.length)}</Caption1>}
      {group.unscannable.length > 0 && (
        <Caption1>
          {m.labelled(
            m.attachmentUnscannable,
            m.list([...new Set(group.unscannable.map((u) => m.unscannable(u.reason)))]),
          )}
        </Caption1>
      )}
    </>
  );
}

export function AttachmentList({ outcome, progress }: AttachmentListProps): React.JSX.Element {
  const { m } = usePane();
  const styles = { ...useListStyles(), ...useStyles() };
  const rows = progress
    ? progress.attachments.map((p) => ({
        id: p.id,
        name: p.name,
        p,
        a: outcome?.attachments.find((x) => x.id === p.id),
      }))
    : (outcome?.attachments ?? []).map((a) => ({ id: a.id, name: a.name, p: undefined, a }));
  if (rows.length === 0) {
    return <Text>{m.noAttachments}</Text>;
  }
  return (
    <ul className={styles.list}>
      {rows.map(({ id, name, p, a }) => {
        const group = outcome?.groups.find((g) => g.kind === 'attachment' && g.attachmentName === name);
        const busy = p !== undefined && (p.state === 'reading' || p.state === 'scanning');
        return (
          <li key={id} className={styles.item} data-attachment={name}>
            <span className={styles.line}>
              <Text weight="semibold" className={styles.name}>
                {name}
              </Text>
              {a && <Caption1>{m.attachmentSize(a.size)}</Caption1>}
              {a?.isInline && <Caption1>{m.attachmentInline}</Caption1>}
            </span>
            <span className={styles.line}>
              <Status group={busy || p?.state === 'pending' ? undefined : group} p={p} />
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
