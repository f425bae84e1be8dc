import { detectSegment } from '../../../src/core/detect';
import { type Level, levelRank } from '../../../src/core/levels';
import { normalise } from '../../../src/core/normalise';
import type { SegmentPosition } from '../../../src/core/types';

/** Issue 11 §3: ways of writing a mark that normalisation did not see through, each beside what must stay clean. */

const findings = (text: string, position: SegmentPosition = 'body') =>
  detectSegment({ location: position === 'subject' ? 'subject' : 'body', text, position });
const levelOf = (text: string, position: SegmentPosition = 'body'): Level | null =>
  findings(text, position).reduce<Level | null>(
    (acc, f) => (acc === null || levelRank(f.level) > levelRank(acc) ? f.level : acc),
    null,
  );
/** Large enough that only the trigger windows are normalised, not the whole text. */
const PAD = '這是一般的會議內容說明文字。'.repeat(700);
const inLargeText = (line: string): string => `${PAD}\n${line}\n${PAD}`;

describe('separators between the characters of a level, in marking positions', () => {
  it.each([
    ['〔機．密〕', '機密'],
    ['【機.密】甲案', '機密'],
    ['極-機-密', '極機密'],
    ['極－機－密', '極機密'],
    ['[機/密]', '機密'],
    ['機／密\n會議資料', '機密'],
    ['機・密', '機密'],
    ['機･密', '機密'],
    ['機·密', '機密'],
    ['機‧密', '機密'],
    ['機_密', '機密'],
    ['機＿密', '機密'],
    ['機、密', '機密'],
    ['絕 / 對 / 機 / 密', '絕對機密'],
    ['本件為機．密文件，請勿轉寄。', '機密'],
    ['機．密（本件於公布時解密）', '機密'],
  ])('%s is %s, in a short and in a large text', (text, level) => {
    expect(levelOf(text)).toBe(level);
    expect(levelOf(inLargeText(text))).toBe(level);
  });

  it('a delimited region may be written with separators too', () => {
    const f = findings('前言\n〔機．密〕甲區併入乙區〔/機．密〕\n結語');
    expect(f.map((x) => [x.rule, x.level, x.strippable])).toEqual([['region.delimited', '機密', true]]);
  });

  it('in a header or footer, a separated level counts as the plain one does', () => {
    expect(levelOf('第 1 頁　極·機·密', 'footer')).toBe('極機密');
    expect(levelOf('機/密', 'header')).toBe('機密');
  });

  it.each([
    '機/密碼',
    '請輸入帳號與機/密碼',
    '手機/密碼請勿外流',
    '約翰・密爾的自由論',
    '機、密、極三字分別代表三個等級',
    '標示分為機、密、極三類',
    '危機．密切注意',
    '有機-密集農業',
    '機_密碼.txt',
  ])('hard negative: %s', (text) => {
    for (const position of ['body', 'header', 'footer', 'subject'] as const) {
      expect({ position, findings: findings(text, position) }).toEqual({ position, findings: [] });
    }
  });
});

describe('variant forms of the marking characters', () => {
  it.each([
    ['絶対機密', '絕對機密'],
    ['〔絶対機密〕会議資料', '絕對機密'],
    ['本件為宻件', '密'],
    ['段落內容。[絶]', '絕對機密'],
  ])('%s is %s', (text, level) => {
    expect(levelOf(text)).toBe(level);
    expect(levelOf(inLargeText(text))).toBe(level);
  });

  it('folds only the marking characters, never converting the text', () => {
    expect(normalise('対策会議').text).toBe('對策会議');
    expect(levelOf('絶対に対応してください')).toBeNull();
    expect(levelOf('日本の絶対音感と対策')).toBeNull();
  });
});

describe('variation selectors between characters', () => {
  it.each([
    ['機\ufe00密', '機密'],
    ['極\u{e0100}機\u{e01ef}密', '極機密'],
    ['〔機\u{e0101}密〕', '機密'],
    ['段落內容【機\u{e0100}】', '機密'],
  ])('%j is %s', (text, level) => {
    expect(normalise(text).text.replace(/[【】]/g, '')).not.toMatch(/[\u{e0100}-\u{e01ef}]/u);
    expect(levelOf(text)).toBe(level);
    expect(levelOf(inLargeText(text))).toBe(level);
  });

  it('hard negative: a selector does not make prose a mark', () => {
    expect(levelOf('保持\u{e0100}密切聯繫')).toBeNull();
  });
});

describe('bidi overrides: the mark a reader sees, and fail closed when stored and shown differ', () => {
  it('RLO + 「密機」 displays 機密: found at 機密', () => {
    expect(normalise('\u202e密機\u202c').text).toBe('機密');
    expect(levelOf('\u202e密機\u202c')).toBe('機密');
    expect(levelOf('本件為\u202e密機\u202c文件')).toBe('機密');
    expect(levelOf(inLargeText('\u202e密機極\u202c'))).toBe('極機密');
  });

  it('maps the reversed mark back to its stored characters', () => {
    const f = findings('前言\n\u202e密機\u202c\n結語').find((x) => x.rule === 'level.standalone');
    expect(f).toMatchObject({ offset: 4, length: 2, level: '機密' });
  });

  it('a portion mark stored reversed with mirrored brackets is read as shown, and stays strippable', () => {
    // Stored 】機【 displays reversed and mirrored: 】機【 again, which is no mark; stored 【機】 displays 【機】.
    const shown = findings('甲案內容。\u202e【機】\u202c\n乙案。【無】');
    expect(shown.find((f) => f.rule === 'portion')).toMatchObject({ level: '機密', strippable: true });
  });

  it('a mark in stored order that the override hides from view is an evasion at its level', () => {
    const f = findings('\u202e機密\u202c');
    expect(f.map((x) => [x.rule, x.level])).toEqual([['evasion.bidi-override', '機密']]);
  });

  it('any override around CJK text fails closed at 密 at least', () => {
    expect(findings('\u202e會議資料如附件').map((x) => [x.rule, x.level])).toEqual([['evasion.bidi-override', '密']]);
    // Han beyond the BMP (Extension B) counts too.
    expect(findings('\u202e𠀀𠀁\u202c').map((x) => [x.rule, x.level])).toEqual([['evasion.bidi-override', '密']]);
  });

  it('hard negatives: overrides around no CJK, and embeddings or isolates that do not reorder CJK', () => {
    expect(findings('file \u202etxt.exe\u202c name')).toEqual([]);
    expect(findings('\u2067會議資料\u2069如附件')).toEqual([]);
    expect(findings('\u202d會議資料\u202c如附件')).toEqual([]);
  });
});

describe('alternative portion brackets at the end of a paragraph', () => {
  it.each([
    ['一、甲案內容。〖極〗', '極機密'],
    ['一、甲案內容。[絕]', '絕對機密'],
    ['一、甲案內容。［絕］', '絕對機密'],
    ['一、甲案內容。｢機｣', '機密'],
    ['一、甲案內容。〘機〙', '機密'],
    ['一、甲案內容。＜機＞', '機密'],
    ['〖極〗甲案內容', '極機密'],
  ])('%s is %s, in a short and in a large text', (text, level) => {
    expect(levelOf(text)).toBe(level);
    expect(levelOf(inLargeText(text))).toBe(level);
  });

  it.each(['〖無〗', '［無］', '｢無｣', '〈無〉', '＜無＞'].map((n) => [n]))(
    'a paragraph that ends with %s ends there: stripping the next one leaves it',
    (none) => {
      const text = `一、甲案。${none}\n二、乙案。〖極〗`;
      const region = findings(text).find((f) => f.rule === 'portion')?.region;
      expect(region && text.slice(region.start, region.end)).toBe('二、乙案。〖極〗');
    },
  );

  it('hard negatives: the same brackets around other words, and a list of portion marks in prose', () => {
    expect(levelOf('一、甲案內容。〖附件〗')).toBeNull();
    expect(levelOf('請依〖密〗〖機〗〖極〗標示')).toBeNull();
    expect(levelOf('若 a＜b 且 b＞c')).toBeNull();
  });
});
