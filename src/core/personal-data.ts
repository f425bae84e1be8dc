/**
 * The optional personal-data detector (off by default): Taiwanese national ID numbers, resident certificate numbers
 * (new-style UI numbers and legacy ARC numbers) and 統一編號, each confirmed by its checksum and a context keyword,
 * after taiwan-markings.md §9. A bare checksum is not enough: any 8 digits pass the UBN rule one time in five.
 */

/** Letter codes of the first character, A10 … Z33 (I, O, W–Z out of order). */
const LETTER_CODES: Readonly<Record<string, number>> = {
  A: 10, B: 11, C: 12, D: 13, E: 14, F: 15, G: 16, H: 17, I: 34, J: 18, K: 19, L: 20, M: 21,
  N: 22, O: 35, P: 23, Q: 24, R: 25, S: 26, T: 27, U: 28, V: 29, W: 32, X: 30, Y: 31, Z: 33,
}; // prettier-ignore

const ID_WEIGHTS = [1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1] as const;

/** The shared checksum of national ID and UI numbers, given the digit that stands for the second character. */
function idChecksum(letter: string, second: number, rest: string): boolean {
  const code = LETTER_CODES[letter];
  if (code === undefined) {
    return false;
  }
  const digits = [Math.floor(code / 10), code % 10, second, ...Array.from(rest, Number)];
  let sum = 0;
  for (let i = 0; i < ID_WEIGHTS.length; i++) {
    sum += (digits[i] as number) * (ID_WEIGHTS[i] as number);
  }
  return sum % 10 === 0;
}

/** 國民身分證統一編號: a letter, 1 or 2 (sex), eight digits, checksum. */
export function isValidNationalId(id: string): boolean {
  if (!/^[A-Z][12]\d{8}$/.test(id)) {
    return false;
  }
  return idChecksum(id[0] as string, Number(id[1]), id.slice(2));
}

/**
 * Resident certificate numbers: the new UI number (2021+, second digit 8 or 9, same checksum as the national ID) and
 * the legacy ARC number (second character A–D, standing for the units digit of its own letter code).
 */
export function isValidResidentCertificate(id: string): boolean {
  if (/^[A-Z][89]\d{8}$/.test(id)) {
    return idChecksum(id[0] as string, Number(id[1]), id.slice(2));
  }
  if (/^[A-Z][A-D]\d{8}$/.test(id)) {
    return idChecksum(id[0] as string, (LETTER_CODES[id[1] as string] as number) % 10, id.slice(2));
  }
  return false;
}

const UBN_WEIGHTS = [1, 2, 1, 2, 1, 2, 4, 1] as const;

/**
 * 統一編號. `current` is the Ministry of Finance rule from 2023-04-01 (sum divisible by 5); `pre-2023` the old rule
 * (divisible by 10), under which old numbers were issued. With a 7 in the seventh place, sum + 1 also qualifies.
 */
export function isValidUbn(ubn: string, rule: 'current' | 'pre-2023'): boolean {
  if (!/^\d{8}$/.test(ubn)) {
    return false;
  }
  const divisor = rule === 'current' ? 5 : 10;
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const product = Number(ubn[i]) * (UBN_WEIGHTS[i] as number);
    sum += Math.floor(product / 10) + (product % 10);
  }
  return sum % divisor === 0 || (ubn[6] === '7' && (sum + 1) % divisor === 0);
}

import { execAll } from './regex';

export type PersonalDataRule = 'pii.national-id' | 'pii.resident-certificate' | 'pii.ubn';

/** How far from an ID number its keyword may stand, as in Microsoft Purview's high-confidence pattern. */
const ID_CONTEXT = 300;
/** A 統一編號 keyword must stand right before the number: any 8 digits could be one. */
const UBN_CONTEXT = 30;

const ID_KEYWORDS = /身分證|身份證|統一證號|居留證|國民身分證|ID\s?No|National\s?ID|\bARC\b/giu;
const UBN_KEYWORDS = /統一編號|統編|營利事業|扣繳編號|\bVAT\b|Tax\s?ID|\bUBN\b/giu;
const ID_CANDIDATE = /[A-Z][12890ABCD]\d{8}(?![A-Za-z0-9])/gu;
const UBN_CANDIDATE = /\d{8}(?![A-Za-z0-9])/gu;

/** A candidate glued to a letter or digit before it is part of a longer code, not an identifier. */
function alphanumericBefore(text: string, index: number): boolean {
  return index > 0 && /[A-Za-z0-9]/.test(text[index - 1] as string);
}

function positions(re: RegExp, text: string): number[][] {
  const out: number[][] = [];
  for (const m of execAll(re, text)) {
    out.push([m.index, m.index + m[0].length]);
  }
  return out;
}

/** Is there a keyword ending at most `before` characters before `start`, or starting at most `after` after `end`? */
function near(keywords: readonly number[][], start: number, end: number, before: number, after: number): boolean {
  // Keywords are sorted by start; find the first that could be in range by binary search.
  let lo = 0;
  let hi = keywords.length;
  const from = start - before - 64;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((keywords[mid] as number[])[0]! < from) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  for (let i = lo; i < keywords.length; i++) {
    const [ks, ke] = keywords[i] as [number, number];
    if (ks > end + after) {
      break;
    }
    if ((ke <= start && start - ke <= before) || (ks >= end && ks - end <= after)) {
      return true;
    }
  }
  return false;
}

/**
 * Personal data in normalised text (NFKC: ASCII letters and digits), each confirmed by checksum and context.
 * Linear in the text: keyword positions are found once and looked up by binary search.
 */
export function findPersonalData(text: string): Array<{ rule: PersonalDataRule; start: number; end: number }> {
  const found: Array<{ rule: PersonalDataRule; start: number; end: number }> = [];
  const idKeywords = positions(ID_KEYWORDS, text);
  if (idKeywords.length > 0) {
    for (const m of execAll(ID_CANDIDATE, text)) {
      const id = m[0];
      if (alphanumericBefore(text, m.index)) {
        continue;
      }
      const rule: PersonalDataRule | null = isValidNationalId(id)
        ? 'pii.national-id'
        : isValidResidentCertificate(id)
          ? 'pii.resident-certificate'
          : null;
      if (rule && near(idKeywords, m.index, m.index + id.length, ID_CONTEXT, ID_CONTEXT)) {
        found.push({ rule, start: m.index, end: m.index + id.length });
      }
    }
  }
  const ubnKeywords = positions(UBN_KEYWORDS, text);
  if (ubnKeywords.length > 0) {
    for (const m of execAll(UBN_CANDIDATE, text)) {
      const ubn = m[0];
      if (alphanumericBefore(text, m.index)) {
        continue;
      }
      if (
        (isValidUbn(ubn, 'current') || isValidUbn(ubn, 'pre-2023')) &&
        near(ubnKeywords, m.index, m.index + 8, UBN_CONTEXT, 0)
      ) {
        found.push({ rule: 'pii.ubn', start: m.index, end: m.index + 8 });
      }
    }
  }
  return found.sort((a, b) => a.start - b.start);
}
