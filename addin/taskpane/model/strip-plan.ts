/**
 * The strip plan: what "移除機敏內容" will do to the mail, computed before anything is changed, so the user sees it
 * and the mail is either changed as planned or restored. The body's strippable parts go (the core's stripper, over
 * the HTML, keeping the rest of the markup), marked attachments go (file and item attachments through the host;
 * inline images by editing their `cid:` reference out of the body), and every removed part is described for the
 * 簽收單 as level, length and SHA-256, never as text. Those stay in the pane: {@link sealParts} turns them into what
 * the server is told (a length bucket and a salted commitment) and the salts that go on the paper copy.
 */
import {
  commitToDigest,
  detectOptionsFor,
  escapeHtml,
  type Finding,
  findTagEnd,
  hexOf,
  lengthBucket,
  type Level,
  placeholderText,
  type Policy,
  type RemovedPart as CoreRemovedPart,
  stripHtml,
  stripText,
} from '../../../src/core';
import type { RemovedPart } from '../../../src/shared/api';
import type { PaneAttachment } from '../host';

export type BodyFormat = 'html' | 'text';

/** An attachment as the scan left it: what the host said about it and what was found in it. */
export type ScannedAttachment = PaneAttachment & {
  /** Highest level found in it, null when nothing was found. */
  readonly highest: Level | null;
  /** SHA-256 of its bytes, lower-case hex, when they were read. */
  readonly sha256?: string;
  /** A PDF whose read was decided (it blocks) before its last page: how many of its pages were read. */
  readonly pagesDecided?: { readonly read: number; readonly total: number };
};

/**
 * A part the plan removes, as the pane knows it: exact length and plain SHA-256. It never leaves the machine as is
 * (a short part is guessed back from these); {@link sealParts} makes what the server gets.
 */
export type PlannedPart = {
  readonly level: Level;
  /** Characters for a stretch of the body, bytes for an attachment. */
  readonly length: number;
  readonly sha256: string;
  readonly kind: 'text' | 'attachment';
};

export type AttachmentRemoval =
  | { readonly how: 'remove'; readonly attachment: ScannedAttachment; readonly part: PlannedPart }
  | { readonly how: 'edit-cid'; readonly attachment: ScannedAttachment; readonly part: PlannedPart };

export type CannotRemove = {
  readonly attachment: ScannedAttachment;
  readonly reason: 'cloud' | 'inline-not-in-body' | 'not-read';
};

export type StripPlan = {
  /** The new body, in the format it came in. */
  readonly body: string;
  readonly bodyChanged: boolean;
  /** Parts removed from the body (level, length, hash; the rules are kept for the audit). */
  readonly bodyParts: readonly CoreRemovedPart[];
  readonly attachments: readonly AttachmentRemoval[];
  readonly cannotRemove: readonly CannotRemove[];
  /** Body findings no strip can remove (a standalone mark, the 密等 field): the mail still must not go as is. */
  readonly remaining: readonly Finding[];
  /** Everything the 簽收單 lists, body parts first. */
  readonly parts: readonly PlannedPart[];
};

/** Parts as the server is told of them, and each one's salt (hex), for the sender's machine and the paper only. */
export type SealedParts = {
  readonly parts: readonly RemovedPart[];
  readonly salts: readonly string[];
};

/**
 * Draws a fresh salt for each part (`randomSalt` must give 16 bytes from a cryptographic source) and commits to the
 * part under it: the server gets the level, the length bucket and the commitment, never the length or the hash.
 */
export function sealParts(parts: readonly PlannedPart[], randomSalt: () => Uint8Array): SealedParts {
  const salts: string[] = [];
  const sealed = parts.map((p): RemovedPart => {
    const salt = randomSalt();
    salts.push(hexOf(salt));
    return {
      level: p.level,
      lengthAtMost: lengthBucket(p.length),
      commitment: commitToDigest(p.sha256, salt),
      kind: p.kind,
    };
  });
  return { parts: sealed, salts };
}

/** The line that says marked attachments were taken out; the attachment names stay out of it (a name can tell). */
export function attachmentPlaceholderText(count: number, receiptNumber: string): string {
  // placeholderText validates the number the same way for both placeholders.
  placeholderText(receiptNumber);
  return `〔本郵件有 ${count} 個含機敏內容之附件已移除，另以書面發送並經簽收；簽收單號：${receiptNumber}〕 [${count} attachment(s) with sensitive content removed from this e-mail; sent on paper against a signed receipt; receipt no. ${receiptNumber}]`;
}

/** Removes every element whose `src` is `cid:<contentId>`; returns the new HTML and how many went. */
export function removeCidReferences(html: string, contentId: string): { html: string; removed: number } {
  const wanted = `cid:${contentId.replace(/^<|>$/g, '')}`.toLowerCase();
  let out = '';
  let pos = 0;
  let removed = 0;
  const open = /<(img|v:imagedata|image|input)\b/gi;
  let m: RegExpExecArray | null;
  while ((m = open.exec(html)) !== null) {
    const end = findTagEnd(html, m.index + 1);
    if (end === -1) {
      break;
    }
    const tag = html.slice(m.index, end + 1);
    const src = /\ssrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(tag);
    const value = (src?.[1] ?? src?.[2] ?? src?.[3] ?? '').trim().toLowerCase();
    if (value === wanted) {
      out += html.slice(pos, m.index);
      pos = end + 1;
      removed++;
    }
    open.lastIndex = end + 1;
  }
  return { html: out + html.slice(pos), removed };
}

/** Puts a paragraph at the start of the body (inside `<body>` when there is one). */
function prependParagraph(body: string, format: BodyFormat, text: string): string {
  if (format === 'text') {
    return `${text}\n\n${body}`;
  }
  const paragraph = `<p>${escapeHtml(text)}</p>`;
  const bodyTag = /<body\b/i.exec(body);
  if (bodyTag) {
    const end = findTagEnd(body, bodyTag.index + 1);
    if (end !== -1) {
      return body.slice(0, end + 1) + paragraph + body.slice(end + 1);
    }
  }
  return paragraph + body;
}

/** The attachments the plan proposes to remove: those with a mark in them. */
export const markedAttachments = (attachments: readonly ScannedAttachment[]): ScannedAttachment[] =>
  attachments.filter((a) => a.highest !== null);

/**
 * Plans the strip. `removeAttachmentIds` are the attachments the user chose (by default, the marked ones); only
 * attachments with a known level and hash can go on a receipt, the others are reported as not removable.
 */
export function planStrip(input: {
  readonly body: string;
  readonly format: BodyFormat;
  readonly attachments: readonly ScannedAttachment[];
  readonly removeAttachmentIds: readonly string[];
  readonly policy: Policy;
  readonly receiptNumber: string;
}): StripPlan {
  const options = { ...detectOptionsFor(input.policy), receiptNumber: input.receiptNumber };
  const stripped = input.format === 'html' ? stripHtml(input.body, options) : stripText(input.body, options);
  let body = stripped.body;
  const attachments: AttachmentRemoval[] = [];
  const cannotRemove: CannotRemove[] = [];
  for (const a of input.attachments) {
    if (!input.removeAttachmentIds.includes(a.id)) {
      continue;
    }
    if (a.highest === null || a.sha256 === undefined) {
      cannotRemove.push({ attachment: a, reason: 'not-read' });
      continue;
    }
    const part: PlannedPart = { level: a.highest, length: a.size, sha256: a.sha256, kind: 'attachment' };
    if (a.attachmentType === 'cloud') {
      cannotRemove.push({ attachment: a, reason: 'cloud' });
    } else if (a.isInline) {
      // Outlook does not remove an inline image through the API; it goes when nothing in the body points to it.
      const cid =
        a.contentId && input.format === 'html' ? removeCidReferences(body, a.contentId) : { html: body, removed: 0 };
      const wasInBody =
        a.contentId !== undefined &&
        input.format === 'html' &&
        removeCidReferences(input.body, a.contentId).removed > 0;
      if (cid.removed > 0) {
        body = cid.html;
        attachments.push({ how: 'edit-cid', attachment: a, part });
      } else if (wasInBody) {
        // The image sat inside a stripped region and went with it.
        attachments.push({ how: 'edit-cid', attachment: a, part });
      } else {
        cannotRemove.push({ attachment: a, reason: 'inline-not-in-body' });
      }
    } else {
      attachments.push({ how: 'remove', attachment: a, part });
    }
  }
  if (attachments.length > 0) {
    body = prependParagraph(body, input.format, attachmentPlaceholderText(attachments.length, input.receiptNumber));
  }
  const bodyParts = stripped.removed;
  return {
    body,
    bodyChanged: body !== input.body,
    bodyParts,
    attachments,
    cannotRemove,
    remaining: stripped.remaining,
    parts: [
      ...bodyParts.map((p): PlannedPart => ({ level: p.level, length: p.length, sha256: p.sha256, kind: 'text' })),
      ...attachments.map((a) => a.part),
    ],
  };
}
