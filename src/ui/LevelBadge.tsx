/**
 * The classification level as a badge: the level in Chinese, always in text (colour is never the only cue), with the
 * English label for screen readers and English users. Higher levels get stronger colours.
 */
import { Badge, type BadgeProps } from '@fluentui/react-components';
import * as React from 'react';

import { type Level, LEVEL_ENGLISH } from '../core/levels';

const APPEARANCE: Readonly<Record<Level, { color: BadgeProps['color']; appearance: BadgeProps['appearance'] }>> = {
  機敏: { color: 'informative', appearance: 'outline' },
  密: { color: 'warning', appearance: 'tint' },
  機密: { color: 'danger', appearance: 'tint' },
  極機密: { color: 'danger', appearance: 'filled' },
  絕對機密: { color: 'severe', appearance: 'filled' },
};

export type LevelBadgeProps = {
  /** Extra styling, e.g. a larger badge on the meeting stage. */
  className?: string;
  /** The level to show. */
  level: Level;
  /**
   * Also show the English label beside the Chinese one.
   * @default false
   */
  showEnglish?: boolean;
  /** @default 'medium' */
  size?: BadgeProps['size'];
};

export function LevelBadge({
  className,
  level,
  showEnglish = false,
  size = 'medium',
}: LevelBadgeProps): React.JSX.Element {
  const look = APPEARANCE[level];
  return (
    <Badge
      className={className}
      color={look.color}
      appearance={look.appearance}
      size={size}
      shape="rounded"
      aria-label={`密等 ${level}（${LEVEL_ENGLISH[level]}）`}
    >
      {showEnglish ? `${level} · ${LEVEL_ENGLISH[level]}` : level}
    </Badge>
  );
}
