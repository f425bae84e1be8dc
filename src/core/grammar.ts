/**
 * The marking grammar of taiwan-markings.md §1–§5, written against normalised text (see normalise.ts): brackets are
 * already 【】, full-width forms are ASCII, variant forms are folded, whitespace is one ` ` or `\n`, and spacing
 * between CJK characters is gone. Each keyword allows one line break between its characters, because a mark can be
 * wrapped (「機\n密」).
 */
import type { Level } from './levels';

/** A keyword as a pattern that tolerates one line break between any two of its characters. */
export function k(word: string): string {
  return Array.from(word, escapeRegExp).join('\\n?');
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

const ANY_SPACE = /\s/;

/** Strip the tolerated line breaks out of a matched keyword. */
export function unbreak(s: string): string {
  // Most matched words are on one line: those skip the replace (the 密等 field rule calls this for every label).
  return ANY_SPACE.test(s) ? s.replace(/\s/g, '') : s;
}

/** The three national levels, longest first so alternation prefers 絕對機密 over 機密. */
export const LEVEL_WORDS = `${k('絕對機密')}|${k('極機密')}|${k('機密')}`;

/** Marks of the 機敏 class (sensitive, no legal 密等). */
export const SENSITIVE_WORDS = `${k('機敏資料')}|${k('機敏會議')}|${k('內部限閱')}|${k('限閱')}|${k('機敏')}|${k('敏感')}`;

/** Every word a label can carry. */
export const MARK_WORDS = `${LEVEL_WORDS}|${k('密件')}|${SENSITIVE_WORDS}|密`;

const MARK_LEVELS: Readonly<Record<string, Level>> = {
  絕對機密: '絕對機密',
  極機密: '極機密',
  機密: '機密',
  密件: '密',
  密: '密',
  機敏資料: '機敏',
  機敏會議: '機敏',
  內部限閱: '機敏',
  限閱: '機敏',
  機敏: '機敏',
  敏感: '機敏',
};

/**
 * Separators typed between the characters of a level to slip it past a keyword match: 機．密, 極-機-密, 機/密, 機・密,
 * 機_密, 機、密, in their normalised forms (NFKC has made ．／＿－ ASCII and ･ into ・) plus the middle dots U+00B7 and
 * U+2027 and the dashes U+2010–U+2015.
 */
const LEVEL_SEPARATOR = '[._/\\-、·‧・\u2010-\u2015\u2212]';
const LEVEL_SEPARATORS = new RegExp(LEVEL_SEPARATOR, 'gu');

/** A keyword that also tolerates one separator, with a space either side, between any two of its characters. */
function ks(word: string): string {
  return Array.from(word, escapeRegExp).join(`(?:\\n| ?${LEVEL_SEPARATOR} ?)?`);
}

/**
 * The national levels as they may be written where a mark is recognised by its place (inside brackets, alone on a
 * line, in a header or footer, after a declaration): separators allowed. Never used for a level inline in prose,
 * where 「機、密、極」 is a list and 「機/密碼」 two words.
 */
export const SEPARATED_LEVEL_WORDS = `${ks('絕對機密')}|${ks('極機密')}|${ks('機密')}`;

/** {@link MARK_WORDS} for the positional rules: the levels, and the watermark word 機敏資料 (機·敏·資·料), may carry separators. */
export const POSITIONED_MARK_WORDS = `${SEPARATED_LEVEL_WORDS}|${k('密件')}|${ks('機敏資料')}|${SENSITIVE_WORDS}|密`;

/** The level a matched mark word stands for. */
export function markLevel(word: string): Level | null {
  return MARK_LEVELS[unbreak(word).replace(LEVEL_SEPARATORS, '')] ?? null;
}

/** Words that are only marks when they stand alone, never inline in prose. */
export const WEAK_MARKS: ReadonlySet<string> = new Set(['密', '機敏', '限閱', '敏感']);

/** MND portion marks (since 2026-01-01): the paragraph's level in one character. */
export const PORTION_LEVELS: Readonly<Record<string, Level | null>> = {
  無: null,
  密: '密',
  機: '機密',
  極: '極機密',
  絕: '絕對機密',
};

/** PRC levels in forwarded material, by meaning: 绝密 = top secret, 机密 = secret, 秘密 = confidential. */
export const PRC_LEVELS: Readonly<Record<string, Level>> = {
  絕密: '絕對機密',
  機密: '極機密',
  祕密: '機密',
};

/** English markings by the official translation of 國家機密保護法. */
export function englishLevel(word: string): Level {
  const w = word.toUpperCase().replace(/\s+/g, ' ');
  if (w === 'TOP SECRET') {
    return '絕對機密';
  }
  if (w === 'SECRET') {
    return '極機密';
  }
  return '機密';
}

const NUM = '[0-9一二三四五六七八九十百〇○零兩]';
const DATE_CHARS = '[0-9一二三四五六七八九十〇○零年月日./ -]';

/** Declassification conditions (解密條件 / 保密期限), §3 of the reference. */
export const DECLASS = [
  `本[件案](?:於|在)[^\\n。,]{0,14}?[時後]解密`,
  `本[件案]至(?:民國)?${DATE_CHARS}{3,24}解密`,
  `本[件案][^\\n。,]{0,10}?(?:公布|公告|開標|決標|簽約|會議結束|屆滿|抽存|結案)[時後]解密`,
  `本[件案]${NUM}+個?(?:年|月|日|天|週)後解密`,
  `附件抽存後解密`,
  `保存年限屆滿後解密`,
  `保密期限(?:至|:)\\s?(?:民國)?${DATE_CHARS}{3,24}`,
].join('|');

/** The label of the 公文 field, and its shorter forms in older templates and forms. */
export const FIELD_LABEL = [
  k('密等及解密條件或保密期限'),
  k('密等及解密條件'),
  k('機密等級'),
  k('保密等級'),
  k('密等'),
].join('|');

/**
 * The printed 公文 field itself (the current label and the 91-version one). Whatever a human writes after its colon is
 * a 密等 decision, so its value fails closed; the shorter labels above also name ISMS columns and prose, so only a
 * value that reads as a level counts after them.
 */
export const FORMAL_FIELD_LABEL = /^密等及解密條件/u;

/**
 * Characters a level is mistyped or look-alike-typed with (same sound in 注音 input, same shape), folded before a
 * field value is compared with the levels: 「機蜜」, 「極機祕」, 「絶対機密」.
 */
export const LEVEL_CONFUSABLES: Readonly<Record<string, string>> = {
  蜜: '密',
  祕: '密',
  謐: '密',
  宓: '密',
  幾: '機',
  机: '機',
  級: '極',
  极: '極',
  亟: '極',
  絶: '絕',
  决: '絕',
  対: '對',
};

/**
 * Values of the field that say "not classified" (blank is handled before): 普通, 無, and MND's 一般公務(資訊). Template
 * placeholders (OOO, XX) stand for a value not filled in.
 */
export const FIELD_UNCLASSIFIED = /^(?:普通|無|一般公務)/u;
export const FIELD_PLACEHOLDER = /^[OoXx]+$/u;

/**
 * The other attributes of the ISMS triad, as a whole cell (optionally with its letter, 完整性(I)): a level that is a
 * whole cell of the same delimited row is the confidentiality column of an asset-valuation table (機密　完整性　可用性),
 * not a mark. The same words in a sentence (「討論系統的 完整性」) say nothing about a level beside them.
 */
export const TRIAD_ATTRIBUTE = /^(?:完整性|可用性|integrity|availability)(?:\s?[(（][^)）]{0,12}[)）])?$/iu;

/**
 * Words that introduce examples in training text (例如：, 如「…」), as they stand right before the example they
 * introduce. 例如下 is 例 + 如下 ("as follows", introducing the content itself); 範例 is one only before a colon or 為
 * (範例檔案 is a file); a bare 例 only before a colon and not as the end of another word (條例：).
 */
export const EXAMPLE_INTRO = new RegExp(
  '(?:例如(?!下)|比如|譬如|舉例(?:來說|而言)?|範例(?:如下)?(?=\\s?[:為])|(?:^|[^\\u3400-\\u9fff]|一)例(?=\\s?:)|' +
    '如(?=\\s?[:【]))\\s?為?\\s?[:,]?\\s?【?\\s?$',
  'u',
);

/**
 * Examples already given before this one in the same list (「如「本件於公布時解密」或「本件於決標後解密」」,
 * 「例如：本件於公布時解密、本件至115年12月31日解密」): each a condition, with or without its level, and a joiner.
 */
export const EXAMPLE_CHAIN = new RegExp(
  `(?:(?:(?:${LEVEL_WORDS}|密)\\s?【?\\s?)?(?:${DECLASS})\\s?】?\\s?[、或及與和/]\\s?【?\\s?)+$`,
  'u',
);

/** The sentence the guidance puts on a sensitive meeting's sign-in sheet. */
export const MEETING_SENTENCE = `${k('本會議因具機敏性質')},?\\s?${k('與會人員應行保密')}`;

/** Words that, right after a bracketed or standalone mark, show it is being talked about rather than applied. */
export const PROSE_AFTER =
  /^\s?(?:、|等級|三級|級|之|一詞|詞|字樣|字|性|或|及|與|和|等|代表|表示|標示|為|係|即|戳|章戳|印章|圖章|[(【]?\s?(?:公務機密|一般公務))/u;
/**
 * Likewise, right before. 加蓋/鈐蓋 name the stamp being applied to paper: 「加蓋「密」戳」 is talk about the stamp.
 * 原核列/原列 name the level a document had before it was declassified or changed.
 */
export const PROSE_BEFORE =
  /(?:、|或|及|與|和|如|例如|標示|註記|加註|標註|分為|加蓋|蓋用|蓋有|鈐蓋|鈐用|原核列|原列|原核定|原屬)\s?$/u;

/** Declarations that this message or document is classified: 「本件為密件」, 「本文件屬機密」. */
export const DECLARATION = `(?:本|此)(?:${k('文件')}|${k('郵件')}|${k('資料')}|${k('檔案')}|${k('會議')}|${k('內容')}|${k('附件')}|${k('簡報')}|件|函|信|案)(?:內容)?\\s?(?:係屬|屬於|列為|核定為|核列為|核列|為|屬|係|是)\\s?【?\\s?`;

/** English disclaimers mention "confidential" in prose; lines that look like one are never banners. */
export const DISCLAIMER_HINT = /intended|recipient|privileged|disclos|notify|received this|收件者|收件人|誤收|誤傳/iu;
