/**
 * What the Smart Alerts dialog says, in zh-TW or English after Office's display language: the verdict, what is
 * marked and where (rule, level, location; never the marked text), and how to fix it. Outlook allows 500 characters
 * for `errorMessage` and for `errorMessageMarkdown`; the list of places is cut at whole lines to fit, with a count of
 * what was left out.
 */
import { type Level, LEVEL_ENGLISH, type UnscannableReason, type Verdict } from '../../src/core';
import { defineMessages, type Locale } from '../../src/shared/i18n';
import type { CompactFinding, CompactUnscannable } from './attachment-scan';
import type { PaneContextView } from './pane-context';

/** Outlook's limit for `errorMessage` and `errorMessageMarkdown`. */
export const MAX_MESSAGE_CHARS = 500;
/** Outlook's limit for `cancelLabel`. */
export const MAX_CANCEL_LABEL_CHARS = 20;

const MAX_NAME_CHARS = 40;
/** The opening and the verdict's reasons together. */
const MAX_LEAD_CHARS = 260;
/** Room kept for at least one place in the list. */
const MIN_LIST_CHARS = 80;

export type MessageKind = 'warn' | 'strip' | 'block';

const catalog = defineMessages({
  'zh-TW': {
    warn: '提醒：本郵件含機敏內容。依政策，須說明理由才能照寄。',
    warnPrompt: '提醒：本郵件含機敏內容。請確認每位收件者都有權知悉。',
    fixWarnPrompt: '如每位收件者都有權知悉，可選「仍要傳送」，或按「填寫理由」在窗格中說明後再寄出；否則請修改郵件。',
    strip: '本郵件含須移除的機敏段落，移除後才能寄出。',
    block: '本郵件不能以電子郵件寄出。',
    blockRemovable: '本郵件含標示的附件或段落，不能照原樣以電子郵件寄出。',
    fixRemovablePane:
      '請按「移除機敏內容」：窗格會將標示的附件與段落自郵件移除並建立簽收單，移除的內容改以書面發送並經簽收；移除後再按「傳送」。',
    fixRemovableAfterCheck:
      '在窗格中檢查後，可按「移除機敏內容」將標示的附件與段落移除並建立簽收單，移除的內容改以書面發送並經簽收。',
    fixRemovableRibbon:
      '請從功能區開啟「機敏守門員」窗格，按「移除機敏內容」將標示的附件與段落移除並建立簽收單；移除的內容改以書面發送並經簽收，再按「傳送」。',
    fixWholeMessage: '主旨、敏感度標籤或屬整封郵件的密等標示無法移除，請自行修改。',
    places: '標示位置：',
    unscannablePlaces: '無法檢查：',
    fixStripPane: '請按「移除機敏內容」，在窗格中移除後再寄出；移除的內容請改以書面發送並經簽收。',
    fixWarnPane: '如每位收件者都有權知悉，請按「填寫理由」，在窗格中填寫理由後再按「傳送」；否則請修改郵件。',
    fixWarnRibbon: '如每位收件者都有權知悉，請從功能區開啟「機敏守門員」窗格填寫理由，再按「傳送」；否則請修改郵件。',
    fixWarnAfterCheck: '在窗格中檢查後如仍須照寄，請在窗格中填寫理由，再按「傳送」。',
    fixStripRibbon: '請從功能區開啟「機敏守門員」窗格，移除後再寄出；移除的內容請改以書面發送並經簽收。',
    fixMarked: '含密等標示的內容不得以電子郵件傳送：請移除該內容或附件，改以書面或公文系統傳送。',
    fixCloud: '雲端附件無法檢查：請改附檔案複本。',
    fixPdf: 'PDF 須在「機敏守門員」窗格中檢查後才能寄出：請從功能區開啟窗格。',
    fixPdfPane: 'PDF 須在窗格中檢查後才能寄出：請按「在窗格中檢查」。',
    fixTimeout: '檢查逾時：請稍候再按「傳送」，或減少附件。',
    fixUnreadable: '無法讀取的附件請移除，或改以可檢查的格式（如 .docx、.odt）附加。',
    fixError: '檢查時發生錯誤：請再按一次「傳送」；如仍無法寄出，請洽資訊單位。',
    cancelLabel: '移除機敏內容',
    checkLabel: '在窗格中檢查',
    reasonLabel: '填寫理由',
    more: (n: number) => `…及其他 ${n} 處`,
    times: (n: number) => `×${n}`,
    finding: (place: string, what: string, level: string) => `${place}：${what}（${level}）`,
    unscannable: (place: string, why: string) => `${place}：${why}`,
    subject: '主旨',
    body: '本文',
    label: '敏感度標籤',
    message: '郵件',
    attachments: '附件清單',
    attachment: (name: string) => `附件「${name}」`,
    level: (level: Level): string => level,
  },
  en: {
    warn: 'Warning: this message contains sensitive content. The policy asks for a reason to send it as it is.',
    warnPrompt: 'Warning: this message contains sensitive content. Make sure every recipient may know it.',
    fixWarnPrompt:
      'If every recipient may know it, choose Send Anyway, or “Give a reason” to give one in the pane first; otherwise edit the message.',
    strip: 'This message contains sensitive content that must be removed before it can be sent.',
    block: 'This message cannot be sent by e-mail.',
    blockRemovable: 'This message has marked attachments or passages and cannot be sent by e-mail as it is.',
    fixRemovablePane:
      'Choose “Remove sensitive”: the pane removes the marked attachments and passages and creates a receipt; send the removed content on paper against a signed receipt, then press Send again.',
    fixRemovableAfterCheck:
      'After the check, Remove sensitive content in the pane takes out the marked attachments and passages and creates a receipt; send the removed content on paper against a signed receipt.',
    fixRemovableRibbon:
      'Open the Secrecy Guard pane from the ribbon and choose Remove sensitive content: it removes the marked attachments and passages and creates a receipt; send the removed content on paper against a signed receipt, then press Send again.',
    fixWholeMessage:
      'Marks on the whole message (the subject, the sensitivity label, the 密等 field) cannot be removed: edit them yourself.',
    places: 'Marked:',
    unscannablePlaces: 'Could not be checked:',
    fixStripPane:
      'Choose “Remove sensitive” and remove it in the pane, then send; send the removed content on paper against a signed receipt.',
    fixStripRibbon:
      'Open the Secrecy Guard pane from the ribbon and remove it there, then send; send the removed content on paper against a signed receipt.',
    fixWarnPane:
      'If every recipient may know it, choose “Give a reason”, give it in the pane and press Send again; otherwise edit the message.',
    fixWarnRibbon:
      'If every recipient may know it, open the Secrecy Guard pane from the ribbon, give a reason there and press Send again; otherwise edit the message.',
    fixWarnAfterCheck: 'If it must still go as it is after the check, give a reason in the pane and press Send again.',
    fixMarked:
      'Classified content must not go by e-mail: remove the content or attachment and send it on paper or through the document system.',
    fixCloud: 'Cloud attachments cannot be checked: attach a copy of the file instead.',
    fixPdf: 'PDFs must be checked in the Secrecy Guard pane before sending: open it from the ribbon.',
    fixPdfPane: 'PDFs must be checked in the pane before sending: choose “Check in the pane”.',
    fixTimeout: 'The check ran out of time: press Send again in a moment, or attach fewer files.',
    fixUnreadable:
      'Remove attachments that cannot be read, or attach them in a format that can (such as .docx or .odt).',
    fixError: 'The check failed: press Send again; if it still fails, contact IT support.',
    // 「移除機敏內容」's English, Remove sensitive content, cut to the 20 characters Outlook allows a dialog button.
    cancelLabel: 'Remove sensitive',
    checkLabel: 'Check in the pane',
    reasonLabel: 'Give a reason',
    more: (n: number) => `…and ${n} more`,
    times: (n: number) => `×${n}`,
    finding: (place: string, what: string, level: string) => `${place}: ${what} (${level})`,
    unscannable: (place: string, why: string) => `${place}: ${why}`,
    subject: 'Subject',
    body: 'Body',
    label: 'Sensitivity label',
    message: 'Message',
    attachments: 'Attachment list',
    attachment: (name: string) => `Attachment “${name}”`,
    level: (level: Level) => `${level} ${LEVEL_ENGLISH[level]}`,
  },
});

type Pair = readonly [zh: string, en: string];

/** Parts of a document, by the extractors' location suffix (`#header`). */
const PARTS: Readonly<Record<string, Pair>> = {
  header: ['頁首', 'header'],
  footer: ['頁尾', 'footer'],
  watermark: ['浮水印', 'watermark'],
  master: ['母片', 'master slide'],
  comment: ['註解', 'comment'],
  annotation: ['註解', 'comment'],
  notes: ['備忘稿', 'notes'],
  properties: ['文件屬性', 'properties'],
  property: ['文件屬性', 'properties'],
  meta: ['文件屬性', 'properties'],
  info: ['文件屬性', 'properties'],
  label: ['標籤', 'label'],
  'tracked-deletion': ['追蹤修訂', 'tracked changes'],
  'tracked-change': ['追蹤修訂', 'tracked changes'],
  'alt-text': ['替代文字', 'alt text'],
  subject: ['主旨', 'subject'],
  name: ['名稱', 'name'],
};

/** Rules by id prefix, most specific first. */
const RULES: readonly (readonly [prefix: string, names: Pair])[] = [
  ['field.classification', ['密等欄位', 'classification field']],
  ['level.declassification', ['解密條件', 'declassification condition']],
  ['declassification', ['解密條件', 'declassification condition']],
  ['portion', ['段落標示', 'portion mark']],
  ['region.', ['標示段落', 'marked region']],
  ['meeting.secrecy-notice', ['會議保密聲明', 'meeting secrecy notice']],
  ['label.sensitivity', ['敏感度標籤', 'sensitivity label']],
  ['label.', ['機敏標示', 'sensitivity marking']],
  ['level.', ['密等標示', 'classification mark']],
  ['position.', ['密等標示', 'classification mark']],
  ['name.', ['名稱中的密等標示', 'classification mark in a name']],
  ['declaration', ['密件聲明', 'classified declaration']],
  ['english.', ['英文密等標示', 'English classification marking']],
  ['prc.', ['大陸密級標示', 'PRC classification mark']],
  ['pii.', ['個人資料', 'personal data']],
  ['custom.', ['自訂規則', 'custom rule']],
];

const REASONS: Readonly<Record<UnscannableReason, Pair>> = {
  'unknown-type': ['無法辨識的格式', 'unknown type'],
  'unsupported-format': ['須在窗格中檢查', 'to be checked in the pane'],
  encrypted: ['已加密', 'encrypted'],
  'image-only': ['圖片無法判讀', 'image only'],
  'legacy-format': ['舊版格式', 'legacy format'],
  'too-large': ['檔案過大', 'too large'],
  timeout: ['檢查逾時', 'timed out'],
  unreadable: ['無法讀取', 'unreadable'],
  malformed: ['格式損毀', 'malformed'],
  'cloud-attachment': ['雲端附件', 'cloud attachment'],
  error: ['檢查錯誤', 'scan error'],
  'unreadable-charset': ['文字編碼無法辨識', 'unreadable charset'],
};

const pick = (pair: Pair, locale: Locale): string => (locale === 'zh-TW' ? pair[0] : pair[1]);

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Where a location is, for people: 主旨, 本文, 附件「報告.odt」頁首, 附件「資料.zip/報告.odt」浮水印. */
export function placeName(location: string, locale: Locale): string {
  const t = catalog(locale);
  const hash = location.lastIndexOf('#');
  const part = hash > location.indexOf('attachment:') && hash !== -1 ? location.slice(hash + 1) : '';
  const path = part ? location.slice(0, hash) : location;
  if (path.indexOf('attachment:') !== 0) {
    const simple: Record<string, string> = {
      subject: t.subject,
      body: t.body,
      label: t.label,
      message: t.message,
      attachments: t.attachments,
    };
    return simple[path] ?? path;
  }
  const segments = path.slice('attachment:'.length).split('/');
  // A path's own name (an archive's 機密/ folder) is the place itself; a package's parts are not.
  const wholePath = part === 'name' && !/\.(xml|rels)$/i.test(segments[segments.length - 1] ?? '');
  const documents = segments
    // Documents only: a package's folders and XML parts (word/, styles.xml) mean nothing to the sender.
    .filter((p, i) => wholePath || i === 0 || (/\.[A-Za-z0-9]{1,5}$/.test(p) && !/\.(xml|rels)$/i.test(p)));
  const partName = PARTS[part];
  return `${t.attachment(shorten(documents.join('/'), MAX_NAME_CHARS))}${partName ? (locale === 'zh-TW' ? '' : ' ') + pick(partName, locale) : ''}`;
}

export function ruleName(rule: string, locale: Locale): string {
  for (const [prefix, names] of RULES) {
    if (rule === prefix || rule.indexOf(prefix) === 0) {
      return prefix === 'custom.' ? `${pick(names, locale)} ${rule.slice(prefix.length)}` : pick(names, locale);
    }
  }
  return rule;
}

export interface MessageInput {
  readonly kind: MessageKind;
  readonly verdict: Verdict;
  readonly findings: readonly CompactFinding[];
  readonly unscannable: readonly CompactUnscannable[];
  /** The dialog has a button that opens the pane (Mailbox 1.14). */
  readonly paneButton: boolean;
  /** The dialog offers Outlook's Send Anyway on a warning. @default false */
  readonly prompt?: boolean;
  /** A block the pane's 「移除機敏內容」 can act on (marked attachments or passages). @default false */
  readonly removable?: boolean;
  /** With `removable`: some marks that stop the send are not the pane's to remove (subject, label...). */
  readonly unremovable?: boolean;
}

export interface DialogText {
  readonly plain: string;
  readonly markdown: string;
}

/** A PDF the send handler leaves to the task pane (it does not load pdfjs): the pane reads it and shares the result. */
export function leftToPane(u: CompactUnscannable): boolean {
  return u.reason === 'unsupported-format' && /\.pdf(#|\/|$)/i.test(u.location);
}

function fixes(input: MessageInput, locale: Locale): string[] {
  const t = catalog(locale);
  const out: string[] = [];
  const pdf = input.unscannable.some(leftToPane);
  if (input.kind === 'strip') {
    out.push(input.paneButton ? t.fixStripPane : t.fixStripRibbon);
  } else if (input.kind === 'warn') {
    // With a PDF to read, the button opens the check view, where the reason is asked too if one is still needed.
    out.push(
      !input.paneButton ? t.fixWarnRibbon : pdf ? t.fixWarnAfterCheck : input.prompt ? t.fixWarnPrompt : t.fixWarnPane,
    );
  } else if (input.kind === 'block' && input.findings.length > 0 && input.removable) {
    out.push(!input.paneButton ? t.fixRemovableRibbon : pdf ? t.fixRemovableAfterCheck : t.fixRemovablePane);
    if (input.unremovable) {
      out.push(t.fixWholeMessage);
    }
  } else if (input.kind === 'block' && input.findings.length > 0) {
    out.push(t.fixMarked);
  }
  const reasons = input.unscannable.map((u) => u.reason);
  if (reasons.indexOf('cloud-attachment') !== -1) {
    out.push(t.fixCloud);
  }
  if (pdf) {
    out.push(input.paneButton ? t.fixPdfPane : t.fixPdf);
  }
  if (reasons.indexOf('timeout') !== -1) {
    out.push(t.fixTimeout);
  }
  if (
    reasons.some((r) => r !== 'cloud-attachment' && r !== 'timeout' && r !== 'error' && r !== 'unsupported-format') ||
    (reasons.indexOf('unsupported-format') !== -1 && !pdf)
  ) {
    out.push(t.fixUnreadable);
  }
  if (reasons.indexOf('error') !== -1) {
    out.push(t.fixError);
  }
  return out;
}

/**
 * What Outlook's Markdown subset for Smart Alerts (bold, italics, lists, links) could read as formatting inside a
 * line: emphasis, links and code. Nothing else is escaped, since a backslash the subset does not consume would show
 * (`報告\.docx`); our own list markers start each line, so what follows them cannot start a list or a heading.
 */
const MARKDOWN_SPECIAL = /[\\`*_[\]]/g;
const escapeMarkdown = (text: string): string => text.replace(MARKDOWN_SPECIAL, (c) => `\\${c}`);

interface Section {
  readonly heading: string | null;
  readonly lines: readonly string[];
}

/**
 * The two forms' line breaks. Plain text: one `\n` per line, `• ` items. Markdown, in the form Outlook documents for
 * the Smart Alerts dialog ("Limitations to formatting the dialog message using Markdown",
 * learn.microsoft.com/office/dev/add-ins/outlook/onmessagesend-onappointmentsend-events): a new line is `\n\n`, and a
 * list item begins with `- ` and ends with `\r`, which is what ends the item (a lone `\n` is not a line there).
 */
interface Breaks {
  readonly paragraph: string;
  /** One list item; `first` when it opens its list (after a heading or a paragraph). */
  item(text: string, first: boolean): string;
  bold(text: string): string;
}

const PLAIN_BREAKS: Breaks = {
  paragraph: '\n',
  item: (text) => `\n• ${text}`,
  bold: (text) => text,
};

const MARKDOWN_BREAKS: Breaks = {
  paragraph: '\n\n',
  item: (text, first) => `${first ? '\n\n' : ''}- ${text}\r`,
  bold: (text) => `**${text}**`,
};

/**
 * Lays out a message within `MAX_MESSAGE_CHARS`: the opening and the fixes always, then each list line while it
 * fits, then how many lines were left out.
 */
function layout(
  opening: string,
  reasons: string,
  sections: readonly Section[],
  closing: readonly string[],
  locale: Locale,
  markdown: boolean,
): string {
  const t = catalog(locale);
  const esc = markdown ? escapeMarkdown : (s: string): string => s;
  const br = markdown ? MARKDOWN_BREAKS : PLAIN_BREAKS;
  const paragraphBreak = br.paragraph;
  const head = `${br.bold(esc(opening))}${reasons ? ` ${esc(reasons)}` : ''}`;
  // Fixes after the first give way to the list of places when space is short.
  const fixesShown = closing.map(esc);
  while (
    fixesShown.length > 1 &&
    head.length + paragraphBreak.length + fixesShown.join(paragraphBreak).length > MAX_MESSAGE_CHARS - MIN_LIST_CHARS
  ) {
    fixesShown.pop();
  }
  const tail = fixesShown.join(paragraphBreak);
  const total = sections.reduce((n, s) => n + s.lines.length, 0);
  // Room for the list: the message minus its fixed parts and the worst-case "and N more" line.
  const moreLine = br.item(esc(t.more(total)), true);
  let room = MAX_MESSAGE_CHARS - head.length - (tail ? paragraphBreak.length + tail.length : 0) - moreLine.length;
  let body = '';
  let shown = 0;
  for (const section of sections) {
    const heading = section.heading ? `${paragraphBreak}${br.bold(esc(section.heading))}` : '';
    let block = '';
    for (const line of section.lines) {
      const piece = br.item(esc(line), !block);
      const cost = (block ? 0 : heading.length) + piece.length;
      if (cost > room) {
        break;
      }
      block += piece;
      room -= cost;
      shown++;
    }
    if (block) {
      body += heading + block;
    }
  }
  const left = total - shown;
  // The count of what was left out ends the list it belongs to.
  const more = left > 0 ? br.item(esc(t.more(left)), !body) : '';
  const text = `${head}${body}${more}${tail ? paragraphBreak + tail : ''}`;
  if (text.length <= MAX_MESSAGE_CHARS) {
    return text;
  }
  // Only an unusually long opening gets here: cut at the last line break that fits, else at a character.
  const cut = text.lastIndexOf(paragraphBreak, MAX_MESSAGE_CHARS - paragraphBreak.length);
  return cut > MAX_MESSAGE_CHARS / 2 ? text.slice(0, cut) : `${text.slice(0, MAX_MESSAGE_CHARS - 1)}…`;
}

/** The dialog's text, plain and Markdown, for a verdict that stops or questions the send. */
export function dialogText(input: MessageInput, locale: Locale): DialogText {
  const t = catalog(locale);
  const opening = {
    warn: input.prompt ? t.warnPrompt : t.warn,
    strip: t.strip,
    block: input.removable && input.findings.length > 0 ? t.blockRemovable : t.block,
  }[input.kind];
  const reasons = input.verdict.reasons.map((r) => (locale === 'zh-TW' ? r.zh : r.en));
  const ordered = input.findings
    .slice()
    .sort((a, b) => Number(a.strippable) - Number(b.strippable) || b.count - a.count);
  const findingLines = ordered.map((f) => {
    const line = t.finding(placeName(f.location, locale), ruleName(f.rule, locale), t.level(f.level));
    return f.count > 1 ? `${line} ${t.times(f.count)}` : line;
  });
  const unscannableLines = input.unscannable.map((u) =>
    t.unscannable(placeName(u.location, locale), pick(REASONS[u.reason] ?? REASONS.error, locale)),
  );
  const sections: Section[] = [
    { heading: t.places, lines: findingLines },
    { heading: t.unscannablePlaces, lines: unscannableLines },
  ];
  const closing = fixes(input, locale);
  // The verdict's own reasons follow the opening while they leave room for the list.
  let lead = '';
  for (const reason of reasons) {
    if (opening.length + lead.length + 1 + reason.length > MAX_LEAD_CHARS) {
      break;
    }
    lead += lead ? ` ${reason}` : reason;
  }
  return {
    plain: layout(opening, lead, sections, closing, locale, false),
    markdown: layout(opening, lead, sections, closing, locale, true),
  };
}

/**
 * The label of the dialog button that opens the pane (at most 20 characters): on the strip view, on the check view to
 * read a PDF, or on the reason to send a warned mail.
 */
export function cancelLabel(locale: Locale, view: PaneContextView = 'strip'): string {
  const t = catalog(locale);
  return shorten({ strip: t.cancelLabel, check: t.checkLabel, override: t.reasonLabel }[view], MAX_CANCEL_LABEL_CHARS);
}
