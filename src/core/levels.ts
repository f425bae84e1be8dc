/**
 * Classification levels, lowest to highest. `機敏` is "sensitive but not a legal 密等" (機敏資料, 限閱, 敏感);
 * the other four are the three national levels of 國家機密保護法 §4 plus the general official level 密.
 */
export const LEVELS = ['機敏', '密', '機密', '極機密', '絕對機密'] as const;

export type Level = (typeof LEVELS)[number];

/** English labels, from the official translation of 國家機密保護法 where one exists. */
export const LEVEL_ENGLISH: Readonly<Record<Level, string>> = {
  機敏: 'Sensitive',
  密: 'Official secret',
  機密: 'Confidential',
  極機密: 'Secret',
  絕對機密: 'Top Secret',
};

export function isLevel(value: unknown): value is Level {
  return typeof value === 'string' && (LEVELS as readonly string[]).includes(value);
}

/** Position of a level in {@link LEVELS}; higher is more restricted. */
export function levelRank(level: Level): number {
  return LEVELS.indexOf(level);
}

/** The higher of two levels, treating `null` as "no classification". */
export function maxLevel(a: Level | null, b: Level | null): Level | null {
  if (a === null) {
    return b;
  }
  if (b === null) {
    return a;
  }
  return levelRank(a) >= levelRank(b) ? a : b;
}
