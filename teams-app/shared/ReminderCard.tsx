/** The chair's reminder: level, meeting, the sentence, and who speaks to the press. */
import { mergeClasses } from '@fluentui/react-components';
import * as React from 'react';

import type { Level } from '../../src/core/levels';
import type { MeetingView } from '../../src/shared/api';
import type { Locale } from '../../src/shared/i18n';
import { LevelBadge } from '../../src/ui/LevelBadge';
import type { TeamsMessages } from './messages';
import { useReminderCardStyles } from './ReminderCard.styles';

export type ReminderCardProps = {
  /** Extra content at the bottom of the card (the acknowledgement). */
  children?: React.ReactNode;
  /**
   * The page's language: English readers see the level's English name beside the mark; a zh-TW page, the stage
   * included, shows the mark alone.
   */
  locale: Locale;
  meeting: Pick<MeetingView, 'title' | 'level' | 'reminder' | 'spokesperson'>;
  t: TeamsMessages;
  /** `stage` is large enough to read on a shared screen. @default 'panel' */
  variant?: 'panel' | 'stage';
};

/** The chair's words are usually Chinese whatever the page language; say so, so screen readers read them right. */
const langOf = (text: string): string | undefined => (/[\u3400-\u9fff]/.test(text) ? 'zh-Hant-TW' : undefined);

export function ReminderCard({
  children,
  locale,
  meeting,
  t,
  variant = 'panel',
}: ReminderCardProps): React.JSX.Element {
  const s = useReminderCardStyles();
  const stage = variant === 'stage';
  const headingId = React.useId();
  return (
    <section className={mergeClasses(s.card, stage && s.stage)} aria-labelledby={headingId}>
      <div className={s.header}>
        <LevelBadge
          level={meeting.level as Level}
          size={stage ? 'extra-large' : 'large'}
          locale={locale}
          showEnglish={locale === 'en'}
          className={stage ? s.badgeStage : undefined}
        />
        <h1 id={headingId} className={mergeClasses(s.heading, stage && s.headingStage)}>
          {t.reminderHeading}
        </h1>
      </div>
      <p className={mergeClasses(s.title, stage && s.titleStage)} lang={langOf(meeting.title)}>
        {meeting.title}
      </p>
      <p className={mergeClasses(s.reminder, stage && s.reminderStage)} lang={langOf(meeting.reminder)}>
        {meeting.reminder}
      </p>
      {meeting.spokesperson ? (
        <p className={mergeClasses(s.spokesperson, stage && s.spokespersonStage)}>
          <strong>{t.spokesperson(meeting.spokesperson)}</strong>
        </p>
      ) : null}
      <p className={mergeClasses(s.note, stage && s.noteStage)}>{t.spokespersonNote}</p>
      {children}
    </section>
  );
}
