/**
 * The classification level as a badge: the level in Chinese, always in text (colour is never the only cue), with the
 * English label for English users. Higher levels get stronger colours.
 *
 * Screen readers get the whole phrase ("密等 機密", "Classification level: 機密 (Confidential)") as visually hidden
 * text in the page's language: an aria-label on a plain element without a role is ignored by most of them.
 */
import { Badge, type BadgeProps, makeStyles } from '@fluentui/react-components';
import * as React from 'react';

import { type Level, LEVEL_ENGLISH } from '../core/levels';
import { type Locale, pickLocale } from '../shared/i18n';
import { VISUALLY_HIDDEN } from './styles';

const APPEARANCE: Readonly<Record<Level, { color: BadgeProps['color']; appearance: BadgeProps['appearance'] }>> = {
  機敏: { color: 'informative', appearance: 'outline' },
  密: { color: 'warning', appearance: 'tint' },
  機密: { color: 'danger', appearance: 'tint' },
  極機密: { color: 'danger', appearance: 'filled' },
  絕對機密: { color: 'severe', appearance: 'filled' },
};

const useStyles = makeStyles({ hidden: VISUALLY_HIDDEN });

export type LevelBadgeProps = {
  /** Extra styling, e.g. a larger badge on the meeting stage. */
  className?: string;
  /** The level to show. */
  level: Level;
  /**
   * The language of what screen readers hear.
   * @default the page's language (`<html lang>`), as the task pane and the Teams pages set it
   */
  locale?: Locale;
  /**
   * Also show the English label beside the Chinese one.
   * @default false
   */
  showEnglish?: boolean;
  /** @default 'medium' */
  size?: BadgeProps['size'];
};

const pageLocale = (): Locale =>
  pickLocale(typeof document === 'undefined' ? null : document.documentElement.lang || null);

export function LevelBadge({
  className,
  level,
  locale,
  showEnglish = false,
  size = 'medium',
}: LevelBadgeProps): React.JSX.Element {
  const s = useStyles();
  const look = APPEARANCE[level];
  const english = (locale ?? pageLocale()) === 'en';
  return (
    <Badge className={className} color={look.color} appearance={look.appearance} size={size} shape="rounded">
      <span className={s.hidden} lang={english ? 'en' : 'zh-Hant-TW'}>
        {english ? 'Classification level: ' : '密等 '}
      </span>
      <span lang="zh-Hant-TW">{level}</span>
      {showEnglish ? (
        <>
          <span aria-hidden="true"> · </span>
          <span lang="en">{LEVEL_ENGLISH[level]}</span>
        </>
      ) : english ? (
        <span className={s.hidden} lang="en">
          {` (${LEVEL_ENGLISH[level]})`}
        </span>
      ) : null}
    </Badge>
  );
}
