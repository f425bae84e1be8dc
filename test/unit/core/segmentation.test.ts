import fc from 'fast-check';

import { bodySegment } from '../../../src/core/decide';
import { detectSegment } from '../../../src/core/detect';
import { type Level, levelRank } from '../../../src/core/levels';
import { stripHtml, stripText } from '../../../src/core/strip';
import type { Finding } from '../../../src/core/types';
import { loadMarkingCases } from '../../support/marking-cases';

/**
 * Issue 11 §1: a mark must survive whatever the next paragraph starts with. Minutes and 公文 number their items and
 * quote with brackets, so the line after a marked paragraph very often opens with （一）, 一、, (1), 「 or 【.
 */

const topLevel = (findings: readonly Finding[]): Level | null =>
  findings.reduce<Level | null>(
    (acc, f) => (acc === null || levelRank(f.level) > levelRank(acc) ? f.level : acc),
    null,
  );

/** Each numbering style of 公文 and of minutes, and every opening bracket a quotation or heading can start with. */
const NUMBERINGS = [
  '（一）',
  '(一)',
  '一、',
  '十二、',
  '(1)',
  '（1）',
  '1.',
  '1、',
  '㈠',
  '①',
  '⑴',
  '甲、',
  '（甲）',
  '●',
  '※',
];
const BRACKETS = ['「', '『', '【', '〔', '（', '(', '[', '〈', '《', '〖', '［', '｢'];
const CLOSING: Readonly<Record<string, string>> = {
  '「': '」', '『': '』', '【': '】', '〔': '〕', '（': '）', '(': ')', '[': ']', '〈': '〉', '《': '》', '〖': '〗',
  '［': '］', '｢': '｣',
}; // prettier-ignore
/** Clean item texts: none of them is or contains a mark. */
const BODIES = [
  '下次會議訂於4月召開。',
  '作戰計畫修正案',
  '附件',
  '主席裁示：照案通過',
  '與會人員',
  '請各單位配合辦理。',
];

const followers = (body: string): string[] => [
  ...NUMBERINGS.map((n) => `${n}${body}`),
  ...BRACKETS.map((b) => `${b}${body.slice(0, 4)}${CLOSING[b] as string}${body.slice(4)}`),
  ...NUMBERINGS.slice(0, 3).map((n) => `${n}${body}【無】`),
];

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
// Tab-separated text (a register, a sheet pasted in) reaches an HTML mail as a table: tabs collapse to spaces in HTML.
const htmlLines = (s: string): string =>
  s.includes('\t')
    ? `<table>${s
        .split(/\r?\n/)
        .map(
          (row) =>
            `<tr>${row
              .split('\t')
              .map((c) => `<td>${escapeHtml(c)}</td>`)
              .join('')}</tr>`,
        )
        .join('')}</table>`
    : s.split(/\r?\n/).map(escapeHtml).join('<br>');

const PAD = '這是一般的會議內容說明文字。'.repeat(700);

type Medium = 'text' | 'html';
interface Sep {
  readonly name: string;
  readonly medium: Medium;
  readonly join: (p: string, q: string) => string;
}
/** How the follower comes after the marked paragraph: a line break, an empty line, a <p>, a <li>. */
const SEPS: readonly Sep[] = [
  { name: 'line break', medium: 'text', join: (p, q) => `${p}\n${q}` },
  { name: 'CRLF', medium: 'text', join: (p, q) => `${p}\r\n${q}` },
  { name: 'empty line', medium: 'text', join: (p, q) => `${p}\n\n${q}` },
  { name: '<p>', medium: 'html', join: (p, q) => `<p>${htmlLines(p)}</p><p>${htmlLines(q)}</p>` },
  { name: '<li>', medium: 'html', join: (p, q) => `<ul><li>${htmlLines(p)}</li><li>${htmlLines(q)}</li></ul>` },
  // Past 8 KB only windows around trigger characters are normalised: the same must hold there.
  { name: 'line break, in a large text', medium: 'text', join: (p, q) => `${PAD}\n\n${p}\n${q}\n\n${PAD}` },
];

const positives = loadMarkingCases().filter((c) => c.position === 'body' && c.expect !== null);

const visibleOf = (medium: Medium, body: string): string =>
  medium === 'html' ? (bodySegment({ bodyHtml: body })?.text ?? '') : body;
const stripOf = (medium: Medium, body: string) => (medium === 'html' ? stripHtml(body) : stripText(body));

/** Checks one P + sep + Q; returns a description of what went wrong, or null. */
function check(p: { id: string; text: string; expect: Level | null }, sep: Sep, q: string): string | null {
  const combined = sep.join(p.text, q);
  const visible = visibleOf(sep.medium, combined);
  const findings = detectSegment({ location: 'body', text: visible, position: 'body' });
  const qAt = visible.lastIndexOf(q.replace(/\r?\n/g, '\n'));
  const where = `${p.id} + ${sep.name} + ${JSON.stringify(q)}`;
  if (topLevel(findings) !== p.expect) {
    return `${where}: level ${topLevel(findings) ?? 'none'}, expected ${String(p.expect)}`;
  }
  if (findings.some((f) => (f.offset ?? 0) >= qAt)) {
    return `${where}: a finding inside the clean follower`;
  }
  // What strip removes is what it removes from P alone, and the follower's text survives untouched.
  const alone = stripOf(sep.medium, sep.medium === 'html' ? `<p>${htmlLines(p.text)}</p>` : p.text);
  const together = stripOf(sep.medium, combined);
  const parts = (r: typeof alone): string[] => r.removed.map((x) => `${x.level}:${x.sha256}`);
  if (parts(together).join() !== parts(alone).join()) {
    return `${where}: strip removed ${JSON.stringify(together.removed)}, alone ${JSON.stringify(alone.removed)}`;
  }
  const kept = visibleOf(sep.medium, together.body).trimEnd();
  if (sep.medium === 'html' && !kept.endsWith(q)) {
    return `${where}: strip did not keep the follower: ${JSON.stringify(kept.slice(-80))}`;
  }
  if (sep.medium === 'text' && together.body !== sep.join(alone.body, q)) {
    return `${where}: strip touched more than P's region`;
  }
  return null;
}

describe('a mark survives the paragraph that follows it (issue 11 §1)', () => {
  it('the examples of the issue: 【機】 before （三）, and 〔機密〕 on its own line before （一）', () => {
    const minutes = '（二）東部雷達站輪值調整如附表。【機】\n（三）下次會議訂於4月召開。【無】';
    expect(topLevel(detectSegment({ location: 'body', text: minutes, position: 'body' }))).toBe('機密');
    const r = stripText(minutes);
    expect(r.removed.map((x) => x.level)).toEqual(['機密']);
    expect(r.body).not.toContain('雷達站');
    expect(r.body.endsWith('\n（三）下次會議訂於4月召開。【無】')).toBe(true);

    const banner = '〔機密〕\n（一）作戰計畫如附件。';
    expect(topLevel(detectSegment({ location: 'body', text: banner, position: 'body' }))).toBe('機密');
  });

  it('what the next line says is not the prose around the mark', () => {
    const level = (text: string) => topLevel(detectSegment({ location: 'body', text, position: 'body' }));
    expect(level('二、部隊調動規劃詳如附表一。【機】\n與會人員：略。【無】')).toBe('機密');
    expect(level('〔極機密〕\n及時完成部署。')).toBe('極機密');
    expect(level('說明如下\n【密】\n或另案辦理')).toBe('密');
    // Hard negatives beside them: a list of marks, and a mark talked about, on one line.
    expect(level('標示方式分為【密】【機】【極】【絕】四種')).toBeNull();
    expect(level('請依【機】與【密】之區別標示')).toBeNull();
    expect(level('標示【機密】字樣')).toBeNull();
  });

  it('the same level stamped twice is a mark, not a list of marks', () => {
    const findings = detectSegment({ location: 'body', text: '〔密〕〔密〕本段為補充說明。', position: 'body' });
    expect(topLevel(findings)).toBe('密');
  });

  it('a portion mark at the start of a paragraph covers its lines up to the next item, not the item', () => {
    const r = stripText('【機】甲案內容\n續行說明\n（三）下次會議。【無】');
    expect(r.removed).toHaveLength(1);
    expect(r.removed[0]?.length).toBe('【機】甲案內容\n續行說明'.length);
    expect(r.body.endsWith('\n（三）下次會議。【無】')).toBe(true);
    expect(r.body).not.toContain('續行說明');
  });

  it('in an attachment, where documents arrive as one line per paragraph', () => {
    for (const q of followers('作戰計畫如附件。')) {
      const text = `〔機密〕\n${q}\n三、散會。`;
      expect({ q, level: topLevel(detectSegment({ location: 'attachment:a.docx', text, position: 'body' })) }).toEqual({
        q,
        level: '機密',
      });
    }
  });

  it('every positive body case, before every follower and separator', () => {
    expect(positives.length).toBeGreaterThan(100);
    const failures: string[] = [];
    for (const p of positives) {
      for (const sep of SEPS.filter((x) => !x.name.includes('large'))) {
        for (const q of followers(BODIES[0] as string)) {
          const problem = check(p, sep, q);
          if (problem) {
            failures.push(problem);
          }
        }
      }
    }
    expect(failures.slice(0, 20)).toEqual([]);
  });

  it('detection also survives a follower line of plain prose, including words that read as prose around a mark', () => {
    // Without a number or bracket a line may continue P's paragraph, so only the level is checked here, not strip.
    const prose = [
      ...BODIES,
      '為落實公務機密維護，請同仁配合。',
      '及時完成部署。',
      '等因，奉此。',
      '或另案辦理。',
      '字樣請勿刪除。',
    ];
    const failures: string[] = [];
    for (const p of positives) {
      for (const q of prose) {
        for (const text of [`${p.text}\n${q}`, `${p.text}\r\n${q}`]) {
          const level = topLevel(detectSegment({ location: 'body', text, position: 'body' }));
          if (level !== p.expect) {
            failures.push(`${p.id} + ${JSON.stringify(q)}: ${level ?? 'none'}, expected ${String(p.expect)}`);
          }
        }
      }
    }
    expect(failures.slice(0, 20)).toEqual([]);
  });

  it('property: any positive P, any generated follower Q, any separator', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...positives),
        fc.constantFrom(...SEPS),
        fc.constantFrom(...BODIES),
        fc.nat(),
        (p, sep, body, pick) => {
          const qs = followers(body);
          const q = qs[pick % qs.length] as string;
          expect(check(p, sep, q)).toBeNull();
        },
      ),
      { numRuns: 2000 },
    );
  });
});
