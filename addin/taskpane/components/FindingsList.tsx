/**
 * Findings grouped by where they are, each with its level badge and a short excerpt with the marked span highlighted.
 * The excerpt is shown only here, on the user's machine: it is never sent anywhere.
 */
import { Caption1, makeStyles, Text, tokens } from '@fluentui/react-components';
import * as React from 'react';

import type { ExcerptSpan } from '../../../src/core';
import { LevelBadge } from '../../../src/ui/LevelBadge';
import { VISUALLY_HIDDEN } from '../../../src/ui/styles';
import { usePane } from '../context';
import type { FindingGroup } from '../model/findings';
import { useListStyles } from './listStyles.styles';

const useStyles = makeStyles({
  group: {
    borderTop: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    paddingTop: tokens.spacingVerticalS,
    marginTop: tokens.spacingVerticalS,
  },
  groupHeading: {
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalS,
    margin: `0 0 ${tokens.spacingVerticalXS}`,
    fontSize: tokens.fontSizeBase300,
    fontWeight: tokens.fontWeightSemibold,
    wordBreak: 'break-word',
  },
  excerpt: {
    fontFamily: tokens.fontFamilyBase,
    backgroundColor: tokens.colorNeutralBackground3,
    color: tokens.colorNeutralForeground1,
    padding: `${tokens.spacingVerticalXXS} ${tokens.spacingHorizontalS}`,
    borderRadius: tokens.borderRadiusMedium,
    margin: 0,
    wordBreak: 'break-all',
  },
  // Not colour alone: the span is also bold and underlined, and screen readers hear where it starts and ends. In
  // forced colours (Windows high contrast) it takes the system's highlight colours, which keep their contrast.
  mark: {
    backgroundColor: tokens.colorPaletteYellowBackground2,
    color: tokens.colorNeutralForeground1,
    fontWeight: tokens.fontWeightSemibold,
    textDecorationLine: 'underline',
    textUnderlineOffset: '2px',
    borderRadius: tokens.borderRadiusSmall,
    '@media (forced-colors: active)': {
      forcedColorAdjust: 'none',
      backgroundColor: 'Highlight',
      color: 'HighlightText',
    },
  },
  hidden: VISUALLY_HIDDEN,
});

/** An excerpt with its marked span in `<mark>`; the whole excerpt as text when the span is not known or not in it. */
function Excerpt({ text, span }: { text: string; span: ExcerptSpan | undefined }): React.JSX.Element {
  const { m } = usePane();
  const styles = useStyles();
  if (!span || span.length <= 0 || span.start < 0 || span.start + span.length > text.length) {
    return <>{text}</>;
  }
  const end = span.start + span.length;
  return (
    <>
      {text.slice(0, span.start)}
      <mark className={styles.mark}>
        <span className={styles.hidden}>{m.excerptMarkStart}</span>
        {text.slice(span.start, end)}
        <span className={styles.hidden}>{m.excerptMarkEnd}</span>
      </mark>
      {text.slice(end)}
    </>
  );
}

export type FindingsListProps = {
  groups: readonly FindingGroup[];
  /** Heading level of each group (the list sits under an h2). @default 3 */
  headingLevel?: 3 | 4;
};

export function FindingsList({ groups, headingLevel = 3 }: FindingsListProps): React.JSX.Element {
  const { m } = usePane();
  const styles = { ...useListStyles(), ...useStyles() };
  const Heading = `h${headingLevel}` as 'h3' | 'h4';
  if (groups.every((g) => g.findings.length === 0 && g.unscannable.length === 0)) {
    return <Text>{m.noFindings}</Text>;
  }
  return (
    <div>
      {groups.map((g) => (
        <section key={g.key} className={styles.group} aria-label={m.location(g.kind, g.attachmentName)}>
          <Heading className={styles.groupHeading}>
            <span>{m.location(g.kind, g.attachmentName)}</span>
            {g.highest && <LevelBadge level={g.highest} size="small" />}
          </Heading>
          <ul className={styles.list}>
            {g.findings.map((f, i) => (
              <li key={`f${i}`} className={styles.item} data-rule={f.rule}>
                <span className={styles.line}>
                  <LevelBadge level={f.level} size="small" />
                  <Text weight="semibold">{m.rule(f.rule)}</Text>
                  <Caption1>{f.strippable ? m.strippable : m.notStrippable}</Caption1>
                </span>
                {f.excerpt && (
                  <blockquote className={styles.excerpt} aria-label={m.excerptLabel} title={m.excerptLabel}>
                    <Excerpt text={f.excerpt} span={f.excerptSpan} />
                  </blockquote>
                )}
                {f.part && <Caption1>{m.part(f.part)}</Caption1>}
              </li>
            ))}
            {g.unscannable.map((u, i) => (
              <li key={`u${i}`} className={styles.item} data-unscannable={u.reason}>
                <Text weight="semibold">{m.unscannable(u.reason)}</Text>
                {u.part && <Caption1>{m.part(u.part)}</Caption1>}
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}
