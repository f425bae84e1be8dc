import { triggerPositions } from '../../../src/core/detect';
import { CLOSING_BRACKETS } from '../../../src/core/normalise';

/**
 * The triggers around which a large text is normalised and matched, found by a lookup-table scan (issue 11 §9),
 * against the two regular expressions and the Set-based everyday-word check they replaced, which stay the reference
 * here: the offsets must be identical, so the windows and therefore the findings are too.
 */

const TRIGGER_CJK = new RegExp(
  '[密宻敏閱阅\\u00ad\\u034f\\u061c\\u180b-\\u180f\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufeff' +
    '\\ufe00-\\ufe0f\\uff21-\\uff5a]|\\udb40[\\udd00-\\uddef]|' +
    `[機机極极絕绝絶][\\s\\u200b-\\u200d\\ufeff]{0,3}[${CLOSING_BRACKETS.replace(/[\]\\^-]/g, '\\$&')}］〕）」』＞﹥>]`,
  'g',
);
const TRIGGER_EN = /secret|confidential(?!ity)|classification/gi;
const BENIGN_AFTER = new Set('碼切集度封室謀友布佈'.split(''));
const BENIGN_BEFORE = new Set('緊精嚴親洩綿周隱私告加細茂稠濃慎'.split(''));
const BENIGN_BEFORE_LEVEL = new Set('務有漏露關涉護竊探'.split(''));
const DECLASS_BEFORE = new Set('時後日月年0123456789〇○零一二三四五六七八九十０１２３４５６７８９ '.split(''));
const HAN = (c: number): boolean =>
  (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0xf900 && c <= 0xfaff) || c === 0x3007;

function referenceBenign(text: string, p: number): boolean {
  if (text[p] !== '密') {
    return false;
  }
  const next = text[p + 1] ?? '';
  const prev = text[p - 1] ?? '';
  if (BENIGN_AFTER.has(next) || BENIGN_BEFORE.has(prev)) {
    return true;
  }
  if (prev === '機' && (next === '性' || BENIGN_BEFORE_LEVEL.has(text[p - 2] ?? ''))) {
    return true;
  }
  if (prev === '解') {
    return !DECLASS_BEFORE.has(text[p - 2] ?? '') && !text.startsWith('條件', p + 1);
  }
  if (prev === '保') {
    return !text.startsWith('期限', p + 1);
  }
  if (prev === '秘' || prev === '祕') {
    return HAN(next.charCodeAt(0) || 0);
  }
  return false;
}

function reference(text: string): number[] {
  const positions: number[] = [];
  for (const re of [TRIGGER_CJK, TRIGGER_EN]) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (!referenceBenign(text, m.index)) {
        positions.push(m.index);
      }
    }
  }
  return positions.sort((a, b) => a - b);
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Pieces that trigger, nearly trigger, or change whether a neighbouring 密 does. */
const PIECES = [
  ...'密宻敏閱阅機机極极絕绝絶解保秘祕碼切緊加務有性時後年5 　\t\n\r本件條件期限公布【】〗］）」』＞﹥>)]}〔〕'.split(
    '',
  ),
  ...[0xad, 0x34f, 0x61c, 0x180b, 0x180f, 0x1810, 0x200a, 0x200b, 0x200d, 0x200e, 0x200f, 0x2010, 0x2028, 0x2029]
    .concat([0x202a, 0x202e, 0x202f, 0x205f, 0x2060, 0x2064, 0x2065, 0x2066, 0x206f, 0x2070, 0x3000, 0xfeff, 0xa0])
    .concat([0x1680, 0xfdff, 0xfe00, 0xfe0f, 0xfe10, 0xff20, 0xff21, 0xff5a, 0xff5b, 0x17f, 0x130, 0x212a])
    .map((c) => String.fromCharCode(c)),
  '\udb40\udd00',
  '\udb40\uddef',
  '\udb40\uddf0',
  '\udb40',
  '\udd00',
  'secret',
  'SeCrEt',
  'secre',
  'ſecret',
  'confidential',
  'CONFIDENTIAL',
  'confidentiality',
  'Confidentialit',
  'confidentia',
  'classification',
  'CLASSİFICATION',
  'classificatio',
  's',
  'c',
  'C',
  'ity',
  '資料',
  'abc',
  // Whole words whose 密 is everyday or grammar by a neighbour two characters away.
  '時解密',
  '年解密',
  '５解密',
  '破解密',
  '解密條件',
  '保密期限',
  '保密',
  '機密性',
  '務機密',
  '關機密',
  '機密',
  '秘密資料',
  '祕密★',
  '密碼',
  '緊密',
];

describe('triggerPositions', () => {
  it('finds the triggers of the reference patterns in generated texts', () => {
    let triggers = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const r = rng(seed);
      let text = '';
      const length = 1 + Math.floor(r() * 80);
      for (let i = 0; i < length; i++) {
        text += PIECES[Math.floor(r() * PIECES.length)] as string;
      }
      const expected = reference(text);
      expect([text, triggerPositions(text)]).toEqual([text, expected]);
      triggers += expected.length;
    }
    expect(triggers).toBeGreaterThan(3000);
  });

  it('agrees with the reference on every code unit, alone and before a closing bracket', () => {
    const differ: number[] = [];
    for (let c = 0; c < 0x10000; c++) {
      const ch = String.fromCharCode(c);
      for (const text of [
        ch,
        `${ch}】`,
        `機${ch}】`,
        `機${ch}${ch}${ch}〗`,
        `機${ch}${ch}${ch}${ch}〗`,
        `機${ch}${ch}${ch}］`,
        `機${ch}${ch}${ch}${ch}］`,
      ]) {
        if (triggerPositions(text).join() !== reference(text).join()) {
          differ.push(c);
          break;
        }
      }
    }
    expect(differ).toEqual([]);
  });
});
