/**
 * The sign-in sheet as an A4 PDF: zh-TW with English sub-labels, the secrecy sentence boxed at the top, the
 * acknowledgements and the invitees not yet acknowledged in tables that run over as many pages as needed (column
 * headings repeated, 「第 1 頁，共 3 頁」 on each page), signature lines for the chair and the 政風 officer, and on every
 * page the level, the time it was made and the audit-chain hash of this export.
 *
 * Text is drawn in the CJK font chain (pdf-lib + fontkit, subset-embedded): each character in the first font that has
 * it, 〓 where none has, so a rare character in a name never breaks the sheet.
 */
import { PDFDocument, type PDFFont, type PDFPage, rgb } from 'pdf-lib';

import { DEFAULT_REMINDER } from '../shared/api';
import { MISSING_GLYPH, type PdfFontChain } from './pdf-font';
import {
  acknowledgedTotals,
  chairReminder,
  cleanText,
  EARLIER_VERSION_LEGEND,
  earlierVersionNote,
  expectedTotal,
  inviteeListLabel,
  INVITEES_TRUNCATED_NOTE,
  levelLabel,
  meetingDate,
  meetingTime,
  NOT_GIVEN,
  NOT_INVITED_LEGEND,
  NOT_INVITED_NOTE,
  SECRECY_ENGLISH,
  type SignInSheet,
  SOURCE_LABEL,
  taipeiDateTime,
} from './sign-in-sheet-model';

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 42;
const WIDTH = A4[0] - 2 * MARGIN;
const CONTENT_TOP = A4[1] - 58;
const CONTENT_BOTTOM = 62;
const BLACK = rgb(0, 0, 0);
const GREY = rgb(0.35, 0.35, 0.35);
const RULE = rgb(0.7, 0.7, 0.7);
const SHADE = rgb(0.92, 0.92, 0.92);
const NOTICE = rgb(0.55, 0, 0);
/** Rows drawn between yields to the event loop, so a long sheet does not hold up acknowledgements. */
const ROWS_PER_SLICE = 100;

interface Run {
  readonly face: number;
  readonly text: string;
}

/** Measures, wraps and draws text in the font chain. */
/**
 * Where a full line (`line`, which cannot take `next`) breaks: the index the next line starts from, or -1 to break
 * right before `next`. Only in the line's second half, so a line is never left nearly empty: at the last space; else,
 * when `next` continues a Latin word (an account, an e-mail address), after the last `.`, `-` or `_`, or before `@`,
 * so `chen.wei-ming@example.gov.tw` breaks where a reader expects, never mid-name.
 */
export function breakIndex(line: readonly string[], next: string): number {
  const half = line.length / 2;
  const space = line.lastIndexOf(' ');
  if (space > half) {
    return space;
  }
  if (!/^[\x21-\x7e]$/.test(next)) {
    return -1;
  }
  for (let i = line.length - 1; i > half; i--) {
    const ch = line[i];
    if (ch === '@') {
      return i;
    }
    if (ch === '.' || ch === '-' || ch === '_') {
      return i + 1 < line.length ? i + 1 : -1;
    }
  }
  return -1;
}

class Typesetter {
  readonly #chain: PdfFontChain;
  readonly #pdfFonts = new Map<number, PDFFont>();
  readonly #advance = new Map<string, number>();
  readonly missing = new Set<string>();
  #missingFace = 0;

  constructor(chain: PdfFontChain) {
    this.#chain = chain;
  }

  /** Finds the faces every string needs and embeds them (subset) before anything is drawn. */
  async prepare(doc: PDFDocument, strings: Iterable<string>): Promise<void> {
    const faces = new Set<number>([0]);
    for (const s of strings) {
      for (const ch of s) {
        const face = this.#chain.faceIndexFor(ch.codePointAt(0) as number);
        if (face < 0) {
          this.missing.add(ch);
        } else {
          faces.add(face);
        }
      }
    }
    const placeholder = this.#chain.faceIndexFor(MISSING_GLYPH.codePointAt(0) as number);
    this.#missingFace = placeholder < 0 ? 0 : placeholder;
    faces.add(this.#missingFace);
    doc.registerFontkit(this.#chain.fontkit);
    for (const index of faces) {
      const face = this.#chain.face(index);
      if (face) {
        this.#pdfFonts.set(index, await doc.embedFont(face.bytes, { subset: true }));
      }
    }
  }

  #runs(text: string): Run[] {
    const runs: { face: number; text: string }[] = [];
    for (const ch of text) {
      let face = this.#chain.faceIndexFor(ch.codePointAt(0) as number);
      let glyph = ch;
      if (face < 0 || !this.#pdfFonts.has(face)) {
        face = this.#missingFace;
        glyph = MISSING_GLYPH;
      }
      const last = runs[runs.length - 1];
      if (last && last.face === face) {
        last.text += glyph;
      } else {
        runs.push({ face, text: glyph });
      }
    }
    return runs;
  }

  #charWidth(ch: string, size: number): number {
    let face = this.#chain.faceIndexFor(ch.codePointAt(0) as number);
    let glyph = ch;
    if (face < 0 || !this.#pdfFonts.has(face)) {
      face = this.#missingFace;
      glyph = MISSING_GLYPH;
    }
    const key = `${face}:${glyph}`;
    let advance = this.#advance.get(key);
    if (advance === undefined) {
      const font = this.#chain.face(face)?.font;
      advance = font ? font.glyphForCodePoint(glyph.codePointAt(0) as number).advanceWidth / font.unitsPerEm : 0.5;
      this.#advance.set(key, advance);
    }
    return advance * size;
  }

  width(text: string, size: number): number {
    let w = 0;
    for (const ch of text) {
      w += this.#charWidth(ch, size);
    }
    return w;
  }

  /**
   * Greedy line breaking ({@link breakIndex}): at a space, or inside a Latin account or address at its punctuation,
   * else between any two characters (CJK names). Past `maxLines`, the last line ends in … so a cut is visible.
   */
  wrap(text: string, size: number, maxWidth: number, maxLines: number): string[] {
    const lines: string[] = [];
    let line: string[] = [];
    let w = 0;
    for (const ch of text) {
      const cw = this.#charWidth(ch, size);
      if (w + cw > maxWidth && line.length > 0) {
        const at = breakIndex(line, ch);
        const carried = at > 0 ? line.splice(at).join('').trimStart() : '';
        lines.push(line.join('').trimEnd());
        line = [...carried];
        w = this.width(carried, size);
      }
      line.push(ch);
      w += cw;
    }
    if (line.length > 0) {
      lines.push(line.join(''));
    }
    if (lines.length <= maxLines) {
      return lines.length > 0 ? lines : [''];
    }
    const kept = lines.slice(0, maxLines);
    let last = [...(kept[maxLines - 1] as string)];
    while (last.length > 0 && this.width(`${last.join('')}…`, size) > maxWidth) {
      last = last.slice(0, -1);
    }
    kept[maxLines - 1] = `${last.join('')}…`;
    return kept;
  }

  draw(page: PDFPage, text: string, x: number, y: number, size: number, color = BLACK): void {
    let cx = x;
    for (const run of this.#runs(text)) {
      const font = this.#pdfFonts.get(run.face) as PDFFont;
      page.drawText(run.text, { x: cx, y, size, font, color });
      cx += this.width(run.text, size);
    }
  }
}

interface Column {
  readonly zh: string;
  readonly en: string;
  readonly width: number;
}

// Everyone signs, acknowledged or not: the sheet is what they sign at the door, the acknowledgement only the reminder's.
const ACK_COLUMNS: readonly Column[] = [
  { zh: '序號', en: 'No.', width: 26 },
  { zh: '姓名', en: 'Name', width: 92 },
  { zh: '帳號', en: 'Account', width: 148 },
  { zh: '確認時間', en: 'Acknowledged (Asia/Taipei)', width: 100 },
  { zh: '備註', en: 'Note', width: 60 },
  { zh: '簽名', en: 'Signature', width: WIDTH - 426 },
];
const PENDING_COLUMNS: readonly Column[] = [
  { zh: '序號', en: 'No.', width: 30 },
  { zh: '姓名', en: 'Name', width: 118 },
  { zh: '帳號', en: 'Account', width: 170 },
  { zh: '簽名', en: 'Signature', width: WIDTH - 318 },
];
/** Room for a handwritten name: every row of both tables is signed. */
const SIGNING_ROW_HEIGHT = 21;
const CELL_SIZE = 9.5;
const CELL_LEADING = 12.5;
const CELL_PAD = 3;

export async function renderSignInSheetPdf(sheet: SignInSheet, fonts: PdfFontChain): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const ts = new Typesetter(fonts);
  const m = sheet.meeting;
  const title = cleanText(m.title);
  // The chair's text keeps its paragraphs; each is cleaned like any other line.
  const reminder = (chairReminder(m.reminder) ?? '')
    .split(/\r\n?|\n/)
    .map(cleanText)
    .filter((p) => p !== '');
  const date = meetingDate(sheet);
  const expected = expectedTotal(sheet);
  const spokesperson = m.spokesperson ? cleanText(m.spokesperson) : '未指定 / not named';
  const time = meetingTime(sheet);
  const place = m.place ? cleanText(m.place) : NOT_GIVEN;
  const chair = `${cleanText(sheet.chair.name)}${sheet.chair.upn ? `（${sheet.chair.upn}）` : ''}`;
  const names = (rows: readonly { name: string; upn: string | null }[]): string[] =>
    rows.flatMap((r) => [cleanText(r.name), r.upn ?? '']);
  await ts.prepare(doc, [
    title,
    spokesperson,
    place,
    chair,
    DEFAULT_REMINDER,
    ...reminder,
    ...names(sheet.acknowledged),
    ...names(sheet.unacknowledged),
    LABELS,
  ]);

  doc.setTitle(`會議簽到表 Sign-in sheet: ${title}`.slice(0, 300));
  doc.setSubject(levelLabel(m.level));
  doc.setCreator('Secrecy Guard 機敏守門員');
  doc.setProducer('Secrecy Guard 機敏守門員 (pdf-lib)');
  doc.setLanguage('zh-TW');
  doc.setCreationDate(sheet.generatedAt);
  doc.setModificationDate(sheet.generatedAt);

  let page = doc.addPage(A4);
  let y = CONTENT_TOP;
  const newPage = (): void => {
    page = doc.addPage(A4);
    y = CONTENT_TOP;
  };
  const line = (text: string, size: number, options: { x?: number; color?: ReturnType<typeof rgb> } = {}): void => {
    ts.draw(page, text, options.x ?? MARGIN, y - size, size, options.color);
    y -= size * 1.35;
  };

  // Title.
  const heading = '會議簽到表';
  ts.draw(page, heading, (A4[0] - ts.width(heading, 20)) / 2, y - 20, 20);
  y -= 26;
  const sub = 'Meeting sign-in sheet';
  ts.draw(page, sub, (A4[0] - ts.width(sub, 10)) / 2, y - 10, 10, GREY);
  y -= 22;

  // The guidance's sentence on its own, boxed and larger than anything but the title.
  const boxLines = ts.wrap(DEFAULT_REMINDER, 13.5, WIDTH - 28, 3);
  const englishLines = ts.wrap(SECRECY_ENGLISH, 8.5, WIDTH - 28, 2);
  const boxHeight = 22 + boxLines.length * 19 + englishLines.length * 11 + 8;
  page.drawRectangle({
    x: MARGIN,
    y: y - boxHeight,
    width: WIDTH,
    height: boxHeight,
    color: rgb(0.97, 0.95, 0.95),
    borderColor: NOTICE,
    borderWidth: 1.6,
  });
  y -= 6;
  line('保密警語 Confidentiality notice', 8, { x: MARGIN + 14, color: NOTICE });
  for (const l of boxLines) {
    ts.draw(page, l, MARGIN + 14, y - 14.5, 13.5, NOTICE);
    y -= 19;
  }
  for (const l of englishLines) {
    ts.draw(page, l, MARGIN + 14, y - 9.5, 8.5, GREY);
    y -= 11;
  }
  y -= 16;

  // The meeting.
  const field = (zh: string, en: string, values: readonly string[], size = 10): void => {
    const lines = values.flatMap((v) => ts.wrap(v, size, WIDTH - 132, 3));
    ts.draw(page, zh, MARGIN, y - size, 10);
    ts.draw(page, en, MARGIN + ts.width(zh, 10) + 4, y - size, 7, GREY);
    for (const l of lines) {
      ts.draw(page, l, MARGIN + 132, y - size, size);
      y -= size * 1.45;
    }
    y -= 3;
  };
  field('會議名稱', 'Meeting', [title]);
  // The day and the hours on one line, so a small meeting's sheet still fits one page.
  field('會議日期', 'Date', [time === null ? `${date.text}  ${date.basis}` : `${date.text} ${time}`]);
  field('會議地點', 'Place', [place]);
  field('密等', 'Level', [levelLabel(m.level)]);
  field('發言人', 'Spokesperson', [spokesperson]);
  field('主席', 'Chair', [chair]);
  const earlier = sheet.earlierVersionTotal;
  const acknowledged = acknowledgedTotals(sheet);
  field('人數', 'Totals', [
    `${acknowledged.zh}／應到 ${expected} 人（未確認 ${sheet.unacknowledgedTotal} 人）`,
    `${acknowledged.en}; ${expected} expected (${sheet.unacknowledgedTotal} not yet)`,
    ...(earlier > 0 ? [`其中 ${earlier} 人確認的是先前版本 / ${earlier} of them acknowledged an earlier version`] : []),
  ]);
  field('受邀名單來源', 'Invitee list', inviteeListLabel(sheet), 9);
  // The time it was made is in every page's footer; this line carries the listed rows' hash instead.
  field('稽核雜湊', 'Audit hash', [`${sheet.audit.hash}  (seq ${sheet.audit.seq})`], 8);
  field('名單雜湊', 'Rows SHA-256', [sheet.audit.rowsSha256], 8);
  y -= 8;

  // The chair's reminder, in full (up to the 2,000 characters the server takes), over as many pages as it needs.
  if (reminder.length > 0) {
    ts.draw(page, '主席提醒', MARGIN, y - 12, 12);
    ts.draw(page, "Chair's reminder", MARGIN + ts.width('主席提醒', 12) + 6, y - 12, 8, GREY);
    y -= 20;
    for (const l of reminder.flatMap((p) => ts.wrap(p, 10.5, WIDTH, Number.MAX_SAFE_INTEGER))) {
      if (y - 15 < CONTENT_BOTTOM) {
        newPage();
      }
      ts.draw(page, l, MARGIN, y - 10.5, 10.5);
      y -= 15;
    }
    y -= 14;
  }

  let rowsDrawn = 0;
  const table = async (
    heading: readonly [string, string],
    columns: readonly Column[],
    rows: readonly (readonly string[])[],
    minRowHeight: number,
  ): Promise<void> => {
    const header = (continued: boolean): void => {
      const zh = continued ? `${heading[0]}（續）` : heading[0];
      const en = continued ? `${heading[1]} (continued)` : heading[1];
      ts.draw(page, zh, MARGIN, y - 12, 12);
      ts.draw(page, en, MARGIN + ts.width(zh, 12) + 6, y - 12, 8, GREY);
      y -= 20;
      page.drawRectangle({ x: MARGIN, y: y - 24, width: WIDTH, height: 24, color: SHADE });
      let x = MARGIN;
      for (const c of columns) {
        ts.draw(page, c.zh, x + CELL_PAD, y - 11, 9);
        ts.draw(page, c.en, x + CELL_PAD, y - 21, 6.5, GREY);
        x += c.width;
      }
      y -= 24;
    };
    if (y - 20 - 24 - minRowHeight < CONTENT_BOTTOM) {
      newPage();
    }
    header(false);
    if (rows.length === 0) {
      line('（無 None）', 9, { x: MARGIN + CELL_PAD, color: GREY });
      return;
    }
    for (const row of rows) {
      // A cell's own line breaks (two notes) are kept; each part wraps, three lines at most.
      const cells = row.map((text, i) =>
        text
          .split('\n')
          .flatMap((part) => ts.wrap(part, CELL_SIZE, (columns[i] as Column).width - 2 * CELL_PAD, 3))
          .slice(0, 3),
      );
      const height = Math.max(minRowHeight, Math.max(...cells.map((c) => c.length)) * CELL_LEADING + 2 * CELL_PAD);
      if (y - height < CONTENT_BOTTOM) {
        newPage();
        header(true);
      }
      let x = MARGIN;
      for (const [i, lines] of cells.entries()) {
        lines.forEach((l, k) => ts.draw(page, l, x + CELL_PAD, y - CELL_PAD - CELL_SIZE - k * CELL_LEADING, CELL_SIZE));
        x += (columns[i] as Column).width;
      }
      y -= height;
      page.drawLine({ start: { x: MARGIN, y }, end: { x: MARGIN + WIDTH, y }, thickness: 0.4, color: RULE });
      if (++rowsDrawn % ROWS_PER_SLICE === 0) {
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  };
  // Past its bound the PDF summarises, and says where the full list is: the CSV lists everyone.
  const more = (total: number, listed: number, what: string): void => {
    if (total > listed) {
      y -= 4;
      const n = total - listed;
      for (const l of ts.wrap(
        `另有 ${n} 位${what}未列出，完整名單見 CSV 簽到表 / ${n} more not listed; the full list is in the CSV sign-in sheet`,
        8.5,
        WIDTH,
        3,
      )) {
        line(l, 8.5, { color: GREY });
      }
    }
  };

  await table(
    ['已確認名單', 'Acknowledged'],
    ACK_COLUMNS,
    sheet.acknowledged.map((a, i) => [
      String(i + 1),
      cleanText(a.name),
      a.upn ?? '',
      taipeiDateTime(a.acknowledgedAt),
      [a.current ? '' : earlierVersionNote(a), a.invited ? '' : NOT_INVITED_NOTE].filter(Boolean).join('\n'),
      '',
    ]),
    SIGNING_ROW_HEIGHT,
  );
  more(sheet.acknowledgedTotal, sheet.acknowledged.length, '已確認者');
  const legends = [
    ...(earlier > 0 ? [EARLIER_VERSION_LEGEND] : []),
    ...(sheet.uninvitedTotal > 0 ? [NOT_INVITED_LEGEND] : []),
  ];
  if (legends.length > 0) {
    y -= 4;
    for (const l of legends.flatMap((legend) => ts.wrap(legend, 8.5, WIDTH, 3))) {
      line(l, 8.5, { color: NOTICE });
    }
  }
  y -= 14;
  await table(
    ['未確認之受邀者', 'Invitees not yet acknowledged'],
    PENDING_COLUMNS,
    sheet.unacknowledged.map((p, i) => [String(i + 1), cleanText(p.name), p.upn ?? '', '']),
    SIGNING_ROW_HEIGHT,
  );
  more(sheet.unacknowledgedTotal, sheet.unacknowledged.length, '未確認者');

  if (ts.missing.size > 0) {
    y -= 6;
    line(
      `〓：字型缺字（${ts.missing.size} 字），請以 CSV 核對 / 〓 marks ${ts.missing.size} character(s) no installed font has; see the CSV`,
      8.5,
      { color: NOTICE },
    );
  }

  // Signatures: the chair attests the sheet; the 政風 officer countersigns where the agency's practice calls for it.
  // The block draws 28 + 36 points below y and its date line's text under that: 76 keeps it clear of the footer.
  if (y - 76 < CONTENT_BOTTOM) {
    newPage();
  }
  y -= 28;
  const signature = (x: number, zh: string, en: string): void => {
    ts.draw(page, zh, x, y, 10);
    ts.draw(page, en, x, y - 11, 7, GREY);
    const lineX = x + Math.max(ts.width(zh, 10), ts.width(en, 7)) + 8;
    page.drawLine({ start: { x: lineX, y: y - 2 }, end: { x: x + 240, y: y - 2 }, thickness: 0.6, color: BLACK });
    ts.draw(page, '日期 Date：', x, y - 34, 8, GREY);
    page.drawLine({ start: { x: x + 50, y: y - 36 }, end: { x: x + 240, y: y - 36 }, thickness: 0.6, color: BLACK });
  };
  signature(MARGIN, '主席簽章', 'Chair');
  signature(MARGIN + WIDTH / 2 + 8, '政風人員簽章', 'Ethics (政風) officer');

  // Every page: the level at the top, the hash and the page number at the foot.
  const pages = doc.getPages();
  const level = levelLabel(m.level);
  const running = `會議簽到表 · ${title}`;
  for (const [i, p] of pages.entries()) {
    const lw = ts.width(level, 10);
    p.drawRectangle({
      x: A4[0] - MARGIN - lw - 12,
      y: A4[1] - 40,
      width: lw + 12,
      height: 18,
      borderColor: NOTICE,
      borderWidth: 1,
    });
    ts.draw(p, level, A4[0] - MARGIN - lw - 6, A4[1] - 35, 10, NOTICE);
    ts.draw(p, ts.wrap(running, 8, WIDTH - lw - 30, 1)[0] as string, MARGIN, A4[1] - 34, 8, GREY);
    p.drawLine({
      start: { x: MARGIN, y: CONTENT_BOTTOM - 12 },
      end: { x: MARGIN + WIDTH, y: CONTENT_BOTTOM - 12 },
      thickness: 0.4,
      color: RULE,
    });
    ts.draw(p, `稽核雜湊 Audit hash: ${sheet.audit.hash}`, MARGIN, CONTENT_BOTTOM - 26, 7, GREY);
    ts.draw(
      p,
      `產製 Generated ${taipeiDateTime(sheet.generatedAt)} (Asia/Taipei)`,
      MARGIN,
      CONTENT_BOTTOM - 37,
      7,
      GREY,
    );
    const number = `第 ${i + 1} 頁，共 ${pages.length} 頁 · Page ${i + 1} of ${pages.length}`;
    ts.draw(p, number, A4[0] - MARGIN - ts.width(number, 8), CONTENT_BOTTOM - 37, 8);
  }
  return doc.save();
}

/** Every fixed label, so the faces they need are embedded too. */
const LABELS = [
  '會議簽到表 Meeting sign-in sheet 保密警語 Confidentiality notice 會議名稱 日期時間地點 密等 發言人 主席 人數 受邀名單來源 未填 given 所定 set by the chair',
  '產製時間 稽核雜湊 已確認名單 未確認之受邀者（續）序號 姓名 帳號 確認時間 簽名 無 另有位未列出見 CSV 第頁，共 完整名單簽到表',
  "主席簽章 政風人員簽章 日期：· 〓字型缺字請以核對 應到人未確認 Acknowledged of expected not yet 主席提醒 Chair's reminder",
  '0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ ()（）／/:;–-…',
  SECRECY_ENGLISH,
  Object.values(SOURCE_LABEL).join(' '),
  INVITEES_TRUNCATED_NOTE,
  EARLIER_VERSION_LEGEND,
  NOT_INVITED_LEGEND,
  '受邀者 非受邀者 invited not invited;、 備註 Note 先前版本（未記錄）機敏密機密極機密絕對機密 其中人確認的是 of them acknowledged an earlier version',
].join(' ');
