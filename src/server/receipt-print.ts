/**
 * The printable 簽收單: `GET /api/receipts/{id}/print` answers a print-ready A4 HTML page for one paper-delivery
 * receipt, to its sender only. The guidance asks that content removed from a mail go on paper against a signature
 * (「該部分資料則另採書面發送並經簽收程序」); this is the form that travels with the paper. It lists the receipt
 * number, date, sender, recipients, each removed part's level, length bucket and salted commitment (never its text),
 * and the signature lines. Each part's salt is left blank here, in a cell marked `data-salt-part`: the server never
 * has the salt (with it, a short part is guessed back from its commitment); the sender's task pane writes it in from
 * its own store before printing, so it reaches the paper and nowhere else. The same holds for what officials need on
 * the paper but the server must not receive (message content): the recipients' display names, the mail's subject,
 * each removed attachment's file name and the agency's 文號 are blank cells marked `data-local-field`, filled by the
 * pane. Each part's check value is printed in four groups of four hex digits (check-value.ts) beside the full value,
 * so the paper is compared with the record by eye. Receipts recorded before commitments show their length bucket and
 * 「舊格式：無核對值」: their plain SHA-256 and exact length are gone (migration 14). Everything from the store or the
 * token is escaped; the page
 * carries no script.
 */
import type { FastifyInstance } from 'fastify';

import { escapeHtml, lengthBucket, LEVEL_ENGLISH } from '../core';
import { isLegacyRemovedPart, LOCAL_CELL_ATTRIBUTE, SALT_CELL_ATTRIBUTE, type StoredRemovedPart } from '../shared/api';
import { checkValueGroups } from '../shared/check-value';
import type { Caller } from './auth';
import { caller, HttpError, iso, RECEIPT_PARAMS } from './http';
import type { Queryable } from './store/db';

interface ReceiptRow {
  id: string;
  recipients: unknown;
  parts: unknown;
  status: string;
  created_at: Date | string;
}

/**
 * What a salt cell, or any cell only the sender's computer can fill, says until the sender's pane fills it: the
 * server cannot. One wording for every such cell (the page calls the sender 發文人 throughout).
 */
export const SALT_CELL_BLANK = '（由發文人電腦填入）<br><span class="en">(filled in by the sender’s computer)</span>';

/** A cell the sender's pane fills ({@link LOCAL_CELL_ATTRIBUTE}); `field` is `subject`, `reference`, `recipient-name:n` or `part-name:n`. */
const localCell = (tag: 'td' | 'div', field: string, attrs = ''): string =>
  `<${tag}${attrs} ${LOCAL_CELL_ATTRIBUTE}="${field}">${SALT_CELL_BLANK}</${tag}>`;

/** What the part is: a passage of the body (said here), or an attachment whose file name only the pane knows. */
function partWhat(p: StoredRemovedPart, i: number): string {
  return p.kind === 'attachment'
    ? localCell('td', `part-name:${i + 1}`)
    : '<td>本文段落<br><span class="en">passage of the body</span></td>';
}

/** The level and the check value in groups, then the full value (escaped; a value edited by hand prints as stored). */
function checkCell(p: StoredRemovedPart, full: string, label = ''): string {
  const groups = checkValueGroups(full);
  const short = groups ? `<span class="check">${e(p.level)} ${e(groups)}</span><br>` : '';
  return `<td class="hash">${label}${short}${e(full)}</td>`;
}

const STATUS_TEXT: Readonly<Record<string, string>> = {
  pending: '待發送 Pending',
  sent: '已發送 Sent',
  signed: '已簽收 Signed',
  cancelled: '已作廢 Cancelled',
};

const e = (value: unknown): string => escapeHtml(String(value));

/** What a part recorded before commitments says where a commitment would be. */
const LEGACY_NO_CHECK_VALUE = '舊格式：無核對值';
const LEGACY_NO_CHECK_VALUE_EN = 'legacy format: no check value';

/**
 * A part as the server shows it, from a stored row. Migration 14 took the plain SHA-256 and exact length out of every
 * receipt row written before commitments; a row in that old shape met later (written by an instance that had not yet
 * migrated, or restored from a backup) is shown the same way, so no answer or page ever carries them.
 */
export function storedRemovedPart(raw: unknown): StoredRemovedPart {
  const p = (raw ?? {}) as Record<string, unknown>;
  if (typeof p.sha256 === 'string' || 'length' in p) {
    return {
      level: p.level as StoredRemovedPart['level'],
      lengthAtMost: typeof p.length === 'number' ? lengthBucket(p.length) : null,
      kind: p.kind === 'attachment' ? 'attachment' : 'text',
      legacy: true,
    };
  }
  return p as unknown as StoredRemovedPart;
}

/** The date in Taiwan as 中華民國 year (民國 = Gregorian − 1911) and ISO, e.g. 中華民國115年11月25日 (2026-11-25). */
export function taiwanDateText(at: Date): string {
  const t = new Date(at.getTime() + 8 * 3600_000);
  const y = t.getUTCFullYear();
  const m = t.getUTCMonth() + 1;
  const d = t.getUTCDate();
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `中華民國${y - 1911}年${m}月${d}日 (${y}-${pad(m)}-${pad(d)})`;
}

function bytesText(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} B`;
}

function sizeText(part: StoredRemovedPart): string {
  if (part.lengthAtMost === null) {
    return '—';
  }
  // Number(): a row edited in the database to hold markup prints NaN, not markup.
  const n = Number(part.lengthAtMost);
  return part.kind === 'attachment'
    ? `附件 ≤ ${bytesText(n)} <span class="en">attachment, at most</span>`
    : `≤ ${n.toLocaleString('en-US')} 字 <span class="en">characters at most</span>`;
}

function partRow(p: StoredRemovedPart, i: number): string {
  const level = `${e(p.level)}<br><span class="en">${e(LEVEL_ENGLISH[p.level] ?? '')}</span>`;
  // sizeText's only markup is its own: it prints numbers through Number().
  if (isLegacyRemovedPart(p)) {
    return (
      `<tr><td>${i + 1}</td><td>${level}</td>${partWhat(p, i)}<td>${sizeText(p)}</td>` +
      `<td>${LEGACY_NO_CHECK_VALUE}<br><span class="en">${LEGACY_NO_CHECK_VALUE_EN}</span></td><td>—</td></tr>`
    );
  }
  return (
    `<tr><td>${i + 1}</td><td>${level}</td>${partWhat(p, i)}<td>${sizeText(p)}</td>${checkCell(p, p.commitment)}` +
    `<td class="hash salt" ${SALT_CELL_ATTRIBUTE}="${i + 1}">${SALT_CELL_BLANK}</td></tr>`
  );
}

const PRINT_CSS = `
@page { size: A4; margin: 18mm 16mm; }
* { box-sizing: border-box; }
body { font-family: "TW-Sung", "Noto Serif CJK TC", "PMingLiU", "MingLiU", serif; color: #000; background: #fff;
  font-size: 11pt; line-height: 1.5; margin: 0 auto; max-width: 178mm; }
h1 { font-size: 18pt; text-align: center; margin: 0 0 2mm; letter-spacing: 0.2em; }
.en { font-size: 9pt; color: #333; }
.subtitle { text-align: center; margin: 0 0 6mm; }
table { width: 100%; border-collapse: collapse; margin: 0 0 5mm; page-break-inside: auto; }
tr { page-break-inside: avoid; }
th, td { border: 0.3mm solid #000; padding: 1.5mm 2mm; text-align: left; vertical-align: top; }
th { background: #eee; font-weight: bold; width: 32mm; }
.parts th { width: auto; }
.hash { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 8pt; word-break: break-all; }
.check { font-size: 11pt; font-weight: bold; white-space: nowrap; word-break: normal; }
.who { font-weight: bold; }
ul { margin: 0; padding-left: 5mm; }
h2 { font-size: 13pt; margin: 4mm 0 2mm; }
.note { font-size: 9.5pt; border: 0.3mm solid #000; padding: 2mm 3mm; margin: 0 0 5mm; }
.sign td { height: 14mm; }
.sign th { width: 45mm; }
.cancelled { position: fixed; top: 40%; left: 0; right: 0; text-align: center; font-size: 60pt; color: rgba(0,0,0,0.15);
  transform: rotate(-20deg); pointer-events: none; }
@media screen { body { padding: 8mm; } }
`;

/** The receipt as a print-ready page; every value is escaped. */
export function renderReceiptPage(
  receipt: {
    id: string;
    recipients: readonly string[];
    parts: readonly StoredRemovedPart[];
    status: string;
    createdAt: Date;
  },
  sender: { name: string; upn: string | null },
): string {
  const partRows = receipt.parts.map(partRow).join('');
  // Each recipient's display name (filled by the pane) above the address the server holds.
  const who = (r: string, i: number): string => `${localCell('div', `recipient-name:${i + 1}`, ' class="who"')}${e(r)}`;
  const recipientItems = receipt.recipients.map((r, i) => `<li>${who(r, i)}</li>`).join('');
  const signRows = receipt.recipients.map((r, i) => `<tr><td>${who(r, i)}</td><td></td><td></td></tr>`).join('');
  const senderText = sender.upn ? `${sender.name} (${sender.upn})` : sender.name;
  return `<!doctype html>
<html lang="zh-Hant-TW">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>簽收單 ${e(receipt.id)}</title>
<style>${PRINT_CSS}</style>
</head>
<body>
${receipt.status === 'cancelled' ? '<div class="cancelled" aria-hidden="true">已作廢 CANCELLED</div>' : ''}
<main>
<h1>機敏資料書面發送簽收單</h1>
<p class="subtitle en">Receipt for sensitive content sent on paper instead of by e-mail</p>
<table class="meta">
<tr><th scope="row">簽收單號<br><span class="en">Receipt no.</span></th><td><strong>${e(receipt.id)}</strong></td></tr>
<tr><th scope="row">日期<br><span class="en">Date</span></th><td>${e(taiwanDateText(receipt.createdAt))}</td></tr>
<tr><th scope="row">發文人<br><span class="en">Sender</span></th><td>${e(senderText)}</td></tr>
<tr><th scope="row">收件人<br><span class="en">Recipients</span></th><td><ul>${recipientItems}</ul></td></tr>
<tr><th scope="row">主旨<br><span class="en">Subject</span></th>${localCell('td', 'subject')}</tr>
<tr><th scope="row">文號<br><span class="en">Reference no.</span></th>${localCell('td', 'reference')}</tr>
<tr><th scope="row">狀態<br><span class="en">Status</span></th><td>${e(STATUS_TEXT[receipt.status] ?? receipt.status)}</td></tr>
</table>
<h2>自電子郵件移除之內容 <span class="en">Parts removed from the e-mail</span></h2>
<table class="parts">
<thead><tr><th scope="col">#</th><th scope="col">密等<br><span class="en">Level</span></th><th scope="col">內容<br><span class="en">Part</span></th><th scope="col">長度／大小<br><span class="en">Size</span></th><th scope="col">核對值<br><span class="en">Check value</span></th><th scope="col">鹽值<br><span class="en">Salt</span></th></tr></thead>
<tbody>${partRows}</tbody>
</table>
<p class="note">依廉政署「機敏會議資訊保密之道」：禁止透過網際網路（如電子郵件）傳送機敏會議資訊；因公務需要者，應刪除涉密內容，該部分資料另採書面發送並經簽收程序。上列內容已自電子郵件移除，以書面交付。核對值＝HMAC-SHA256（鹽值，SHA-256（該部分內容之 UTF-8 位元組））；鹽值僅存於發文人電腦及本簽收單，伺服器無從得知，故無法由紀錄反推內容。收件人或政風人員可依書面內容及鹽值重算核對值，與系統紀錄比對後簽收；核對值前 16 位以四組列出，便於目視比對。<br><span class="en">Under the Agency Against Corruption's guidance, sensitive meeting information is not sent by e-mail; the parts listed above were removed from the e-mail and are delivered on paper. Commitment = HMAC-SHA256(salt, SHA-256(the part's UTF-8 bytes)); the salt exists only on the sender's computer and on this paper, never on the server, so the record cannot be guessed back into the text. The recipient or the ethics office recomputes the commitment from the paper copy and the salt and compares it with the record before signing; its first 16 digits are printed in four groups for comparing by eye.</span></p>
<h2>簽收 <span class="en">Signatures</span></h2>
<table class="sign">
<thead><tr><th scope="col"></th><th scope="col">簽章<br><span class="en">Signature</span></th><th scope="col">日期<br><span class="en">Date</span></th></tr></thead>
<tbody>
<tr><th scope="row">發文人<br><span class="en">Sender</span>：${e(senderText)}</th><td></td><td></td></tr>
<tr><th scope="row" colspan="3">收件人簽收 <span class="en">Received by</span></th></tr>
${signRows}
</tbody>
</table>
</main>
</body>
</html>
`;
}

async function loadOwnReceipt(db: Queryable, me: Caller, id: string): Promise<ReceiptRow> {
  const row = (
    await db.query<ReceiptRow>(
      'SELECT id, recipients, parts, status, created_at FROM paper_receipts WHERE id = $1 AND tenant_id = $2 AND sender = $3',
      [id, me.tenantId, me.oid],
    )
  ).rows[0];
  if (!row) {
    // Someone else's receipt does not exist for this caller.
    throw new HttpError(404, 'receipt_not_found', '找不到簽收單 / Receipt not found');
  }
  return row;
}

export function registerReceiptPrint(app: FastifyInstance, db: Queryable): void {
  app.get<{ Params: { id: string } }>(
    '/api/receipts/:id/print',
    { schema: { params: RECEIPT_PARAMS } },
    async (request, reply) => {
      const me = caller(request);
      const row = await loadOwnReceipt(db, me, request.params.id);
      const json = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v);
      const html = renderReceiptPage(
        {
          id: row.id,
          recipients: json(row.recipients) as string[],
          parts: (json(row.parts) as unknown[]).map(storedRemovedPart),
          status: row.status,
          createdAt: new Date(iso(row.created_at)),
        },
        { name: me.name, upn: me.upn },
      );
      return reply
        .code(200)
        .header('content-type', 'text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'")
        .send(html);
    },
  );
}
