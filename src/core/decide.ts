/**
 * The decision: findings and unscannable parts, weighed by the policy for the recipients' scope, give one verdict.
 */
import { type DetectOptions, detectSegment } from './detect';
import { htmlToText } from './html';
import { type Level, LEVEL_ENGLISH, maxLevel } from './levels';
import { type Action, compileCustomRules, type Policy, type UnscannableAction, unscannableAction } from './policy';
import { scanHtmlBody } from './strip';
import type {
  Finding,
  LocalisedText,
  MessageInput,
  RecipientScope,
  TextSegment,
  Unscannable,
  UnscannableReason,
  Verdict,
  VerdictKind,
} from './types';

const SEVERITY: Readonly<Record<Action, number>> = { allow: 0, warn: 1, strip: 2, block: 3 };

const compiled = new WeakMap<Policy, DetectOptions>();

/** Detector options for a policy, compiled once per policy object. */
export function detectOptionsFor(policy: Policy): DetectOptions {
  let options = compiled.get(policy);
  if (!options) {
    options = { customRules: compileCustomRules(policy), personalData: policy.detectors.personalData };
    compiled.set(policy, options);
  }
  return options;
}

/** The domain of an address, or null when it is not an address (which then counts as external). */
export function domainOf(address: string): string | null {
  const at = address.trim().lastIndexOf('@');
  if (at <= 0) {
    return null;
  }
  const domain = address
    .trim()
    .slice(at + 1)
    .replace(/>$/, '')
    .toLowerCase();
  return /^[a-z0-9.-]+\.[a-z0-9-]{2,63}$/.test(domain) ? domain : null;
}

/** True when `domain` is one of the policy's internal domains (`*.x` also matches subdomains of x). */
export function isInternalDomain(domain: string, internalDomains: readonly string[]): boolean {
  return internalDomains.some((entry) => {
    const e = entry.toLowerCase();
    if (e.startsWith('*.')) {
      return domain === e.slice(2) || domain.endsWith(e.slice(1));
    }
    return domain === e;
  });
}

/**
 * Internal only when there is at least one recipient and every one is at an internal domain. No recipients counts as
 * external: the mail can still be addressed later, and the CLI has nobody to judge.
 */
export function recipientScope(recipients: readonly string[] | undefined, policy: Policy): RecipientScope {
  if (!recipients || recipients.length === 0) {
    return 'external';
  }
  for (const r of recipients) {
    const d = domainOf(r);
    if (d === null || !isInternalDomain(d, policy.internalDomains)) {
      return 'external';
    }
  }
  return 'internal';
}

/** The body as a segment: visible text of the HTML, or the plain text. The HTML's hidden text is `scanMessage`'s. */
export function bodySegment(message: MessageInput): TextSegment | null {
  if (message.bodyHtml !== undefined) {
    return { location: 'body', text: htmlToText(message.bodyHtml).text, position: 'body' };
  }
  if (message.bodyText !== undefined) {
    return { location: 'body', text: message.bodyText, position: 'body' };
  }
  return null;
}

/**
 * The longest name read. File names stop at 255 characters and sheet names at 31; a longer name was made to be long,
 * and is reported unscannable rather than read in part.
 */
export const MAX_NAME_LENGTH = 4096;

/**
 * Reads a name (an attachment's file name, a path inside an archive, an embedded file's name) as a segment at
 * `<location>#name`, into `into`. A mark in a name marks the whole file: its findings are never strippable.
 */
export function readName(
  name: string,
  location: string,
  into: { readonly segments: TextSegment[]; readonly unscannable: Unscannable[] },
): void {
  const where = `${location}#name`;
  if (name.length > MAX_NAME_LENGTH) {
    into.unscannable.push({
      location: where,
      reason: 'too-large',
      detail: `name of ${name.length} characters > limit ${MAX_NAME_LENGTH}`,
    });
  } else if (name.trim().length > 0) {
    into.segments.push({ location: where, text: name, position: 'name' });
  }
}

/** Where an attachment's findings are: `attachment:<name>`, on one line as the add-in names it. */
export function attachmentLocation(name: string): string {
  return `attachment:${name.replace(/[\r\n]/g, ' ')}`;
}

/** Every finding and unscannable part of a message. */
export function scanMessage(
  message: MessageInput,
  policy: Policy,
): { findings: Finding[]; unscannable: Unscannable[] } {
  const options = detectOptionsFor(policy);
  const findings: Finding[] = [];
  const unscannable: Unscannable[] = [];
  // A detector failure must never read as "nothing found": the part becomes unscannable, which policy never allows.
  const detect = (segment: TextSegment): Finding[] => {
    try {
      return detectSegment(segment, options);
    } catch (e) {
      unscannable.push({
        location: segment.location,
        reason: 'error',
        detail: String((e as Error)?.message ?? e).slice(0, 200),
      });
      return [];
    }
  };
  const scan = (segment: TextSegment): void => {
    findings.push(...detect(segment));
  };
  if (message.subject) {
    scan({ location: 'subject', text: message.subject, position: 'subject' });
  }
  try {
    if (message.bodyHtml !== undefined) {
      // Visible and hidden text (comments, attributes, data: URIs ...); a hidden mark is strippable only where a
      // strip really removes it.
      const html = scanHtmlBody(message.bodyHtml, detect);
      findings.push(...html.findings);
      unscannable.push(...html.unscannable);
    } else {
      const body = bodySegment(message);
      if (body) {
        scan(body);
      }
    }
  } catch (e) {
    unscannable.push({ location: 'body', reason: 'error', detail: String((e as Error)?.message ?? e).slice(0, 200) });
  }
  for (const a of message.attachments ?? []) {
    // The attachment's own name is read here, whatever became of its content (a cloud file, a failed fetch, one
    // too large): every consumer hands its attachments to this function, not all of them to the extractors.
    const named: { segments: TextSegment[]; unscannable: Unscannable[] } = { segments: [], unscannable };
    readName(a.name, attachmentLocation(a.name), named);
    named.segments.forEach(scan);
    a.segments.forEach(scan);
    unscannable.push(...(a.unscannable ?? []));
  }
  const labelFinding = (labelId: string, location: string): void => {
    const id = labelId.toLowerCase().replace(/[{}]/g, '');
    const mapping = policy.sensitivityLabels.find((l) => l.id.toLowerCase() === id);
    if (mapping) {
      findings.push({
        rule: 'label.sensitivity',
        level: mapping.level,
        location,
        excerpt: (mapping.name ?? mapping.id).slice(0, 40),
        strippable: false,
      });
    }
  };
  if (message.sensitivityLabelId) {
    labelFinding(message.sensitivityLabelId, 'label');
  }
  for (const a of message.attachments ?? []) {
    for (const l of a.labels ?? []) {
      labelFinding(l.id, l.location);
    }
  }
  return { findings, unscannable };
}

/** Weighs findings and unscannable parts into a verdict. */
export function verdictFor(
  findings: readonly Finding[],
  unscannable: readonly Unscannable[],
  scope: RecipientScope,
  policy: Policy,
): Verdict {
  let verdict: Action = 'allow';
  let level: Level | null = null;
  const reasons: LocalisedText[] = [];
  // Counted apart: an attachment can still be removed whole (the task pane does), the whole message's marks cannot.
  let unstrippable = 0;
  let inAttachments = 0;
  for (const f of findings) {
    level = maxLevel(level, f.level);
    const action = policy.actions[scope][f.level];
    if (action === 'strip' && !f.strippable) {
      if (f.location.indexOf('attachment:') === 0) {
        inAttachments++;
      } else {
        unstrippable++;
      }
    }
    if (SEVERITY[action] > SEVERITY[verdict]) {
      verdict = action;
    }
  }
  if (verdict === 'strip' && (unstrippable > 0 || inAttachments > 0)) {
    verdict = 'block';
    if (inAttachments > 0) {
      reasons.push({
        zh: `有 ${inAttachments} 處標示在附件中：附件無法只移除其中部分，須整份自郵件移除。`,
        en: `${inAttachments} mark(s) are in attachments: an attachment cannot be stripped in part, only removed whole.`,
      });
    }
    if (unstrippable > 0) {
      reasons.push({
        zh: `有 ${unstrippable} 處標示屬整封郵件（如主旨、密等欄位、敏感度標籤），無法僅移除部分內容。`,
        en: `${unstrippable} mark(s) classify the whole message (subject, 密等 field, sensitivity label) and cannot be stripped.`,
      });
    }
  }
  if (level !== null) {
    reasons.unshift({
      zh: `偵測到 ${findings.length} 處機敏標示，最高密等為「${level}」。`,
      en: `${findings.length} classification mark(s) found; highest level ${level} (${LEVEL_ENGLISH[level]}).`,
    });
  }
  // Each unread part is weighed by what the policy says for its reason; the reasons are reported per action.
  const unreadBy: Record<UnscannableAction, UnscannableReason[]> = { warn: [], block: [] };
  for (const u of unscannable) {
    const action = unscannableAction(policy, u.reason, scope);
    if (SEVERITY[action] > SEVERITY[verdict]) {
      verdict = action;
    }
    unreadBy[action].push(u.reason);
  }
  for (const action of ['block', 'warn'] as const) {
    const reasonsHere = unreadBy[action];
    if (reasonsHere.length > 0) {
      const names = reasonsHere.filter((r, i) => reasonsHere.indexOf(r) === i);
      reasons.push({
        zh: `有 ${reasonsHere.length} 個部分無法檢查（${names.join('、')}），依政策處理為「${action === 'block' ? '阻擋' : '警告'}」。`,
        en: `${reasonsHere.length} part(s) could not be scanned (${names.join(', ')}); policy says ${action}.`,
      });
    }
  }
  return { verdict: verdict as VerdictKind, level, findings, unscannable, scope, reasons };
}

/** Scans a message and decides what happens to it. */
export function decide(message: MessageInput, policy: Policy): Verdict {
  const { findings, unscannable } = scanMessage(message, policy);
  return verdictFor(findings, unscannable, recipientScope(message.recipients, policy), policy);
}
