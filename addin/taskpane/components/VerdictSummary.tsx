/**
 * The verdict the send will get, as the on-send check will reach it: same policy, same `decide`. Colour is never the
 * only cue: the verdict is in words, and the level is a badge with text.
 */
import {
  Caption1,
  makeStyles,
  MessageBar,
  MessageBarBody,
  type MessageBarProps,
  MessageBarTitle,
  tokens,
} from '@fluentui/react-components';
import * as React from 'react';

import type { Verdict, VerdictKind } from '../../../src/core';
import { LevelBadge } from '../../../src/ui/LevelBadge';
import { usePane } from '../context';
import type { LoadedPolicy } from '../services/policy';

const INTENT: Readonly<Record<VerdictKind, MessageBarProps['intent']>> = {
  allow: 'success',
  warn: 'warning',
  strip: 'warning',
  block: 'error',
};

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  line: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: tokens.spacingHorizontalS },
  reasons: { margin: 0, paddingLeft: tokens.spacingHorizontalL },
});

export type VerdictSummaryProps = {
  /** The policy it was decided by. */
  policy: LoadedPolicy;
  verdict: Verdict;
  /** How many recipients the mail has now: none is said as such, not folded into "external". */
  recipientCount: number;
  /** 「移除機敏內容」 can take the marked attachments or passages out: a block then says what that does. */
  removable: boolean;
};

export function VerdictSummary({ policy, recipientCount, removable, verdict }: VerdictSummaryProps): React.JSX.Element {
  const { m, locale } = usePane();
  const styles = useStyles();
  return (
    <div className={styles.root}>
      <MessageBar intent={INTENT[verdict.verdict]} layout="multiline" data-verdict={verdict.verdict}>
        <MessageBarBody>
          <MessageBarTitle>{m.verdict(verdict.verdict)}</MessageBarTitle>
          {verdict.verdict === 'block' && removable ? m.blockRemovable : m.verdictExplain(verdict.verdict)}
        </MessageBarBody>
      </MessageBar>
      <div className={styles.line}>
        {verdict.level && <LevelBadge level={verdict.level} showEnglish={locale === 'en'} />}
        <Caption1>{m.scope(verdict.scope, recipientCount)}</Caption1>
      </div>
      {verdict.reasons.length > 0 && (
        <ul className={styles.reasons}>
          {verdict.reasons.map((r, i) => (
            <li key={i}>
              <Caption1>{locale === 'en' ? r.en : r.zh}</Caption1>
            </li>
          ))}
        </ul>
      )}
      {policy.source === 'server' ? (
        <Caption1>{m.policyName(policy.policy.name, policy.policy.version)}</Caption1>
      ) : (
        <MessageBar intent="info" layout="multiline">
          <MessageBarBody>
            {policy.source === 'default' ? m.policyFallback : m.policyCached(policy.policy.name, policy.policy.version)}
          </MessageBarBody>
        </MessageBar>
      )}
    </div>
  );
}
