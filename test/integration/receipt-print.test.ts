import type { FastifyInstance } from 'fastify';

import { fillDetails } from '../../addin/taskpane/services/receipt-details';
import { fillSalts } from '../../addin/taskpane/services/receipt-salts';
import { buildApp, inProcessEventBus } from '../../src/server/app';
import { renderReceiptPage, SALT_CELL_BLANK, taiwanDateText } from '../../src/server/receipt-print';
import type { Db } from '../../src/server/store/db';
import { migrate } from '../../src/server/store/migrations';
import { checkValueGroups } from '../../src/shared/check-value';
import { type FakeEntra, FOREIGN_TENANT, startFakeEntra, TENANT } from '../fakes/entra';
import { entraVerifier } from '../support/entra-verifier';
import { openStore, STORES } from '../support/stores';

const SENDER = '00000000-0000-0000-0000-0000000005e1';
const OTHER = '00000000-0000-0000-0000-0000000007e2';
const HASH = 'ab'.repeat(32);

let entra: FakeEntra;
beforeAll(async () => {
  entra = await startFakeEntra();
});
afterAll(async () => {
  await entra.close();
});

describe('the printable receipt page', () => {
  it('escapes everything that comes from the store or the token', () => {
    const html = renderReceiptPage(
      {
        id: 'SG-20261125-7K3QXM',
        recipients: ['"><script>alert(1)</script>@x.tw'],
        parts: [
          { level: '機密', lengthAtMost: 64, commitment: HASH, kind: 'text' },
          { level: '密', lengthAtMost: 64, kind: 'text', legacy: true },
          // A row edited in the database, past the schema.
          { level: '密', lengthAtMost: '<img src=x>' as unknown as number, commitment: '<script>', kind: 'text' },
        ],
        status: 'pending',
        createdAt: new Date('2026-11-24T17:00:00Z'),
      },
      { name: '<img src=x onerror=alert(1)>', upn: 'a&b@example.gov.tw' },
    );
    expect(html).not.toMatch(/<script|<img/i);
    expect(html).toContain('&#60;img src=x onerror=alert(1)&#62;');
    expect(html).toContain('a&#38;b@example.gov.tw');
  });

  it('prints a part recorded before commitments with its length bucket and no check value, marked as the legacy format', () => {
    const html = renderReceiptPage(
      {
        id: 'R-115-0042',
        recipients: ['a@x.tw'],
        parts: [{ level: '密', lengthAtMost: 64, kind: 'text', legacy: true }],
        status: 'signed',
        createdAt: new Date('2026-11-24T17:00:00Z'),
      },
      { name: '林承辦', upn: null },
    );
    expect(html).toContain('≤ 64 字');
    expect(html).toContain('舊格式：無核對值');
    expect(html).toContain('legacy format: no check value');
    expect(html).not.toMatch(/[0-9a-f]{64}/);
    expect(html).not.toContain('data-salt-part');
  });

  it('dates the receipt in Taiwan, in the ROC calendar and ISO', () => {
    expect(taiwanDateText(new Date('2026-11-24T17:00:00Z'))).toBe('中華民國115年11月25日 (2026-11-25)');
  });
});

describe.each(STORES)('receipts and overrides on %s', (kind) => {
  let db: Db;
  let app: FastifyInstance;
  let sender: string;

  beforeEach(async () => {
    db = await openStore(kind);
    await migrate(db);
    app = await buildApp({
      db,
      events: inProcessEventBus(),
      verifier: entraVerifier(entra, [TENANT, FOREIGN_TENANT]),
    });
    sender = await entra.token({ oid: SENDER, name: '林承辦', upn: 'lin@example.gov.tw' });
  });
  afterEach(async () => {
    await app.close();
    await db.close();
  });

  const get = (id: string, token?: string) =>
    app.inject({
      method: 'GET',
      url: `/api/receipts/${encodeURIComponent(id)}/print`,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });

  const send = (method: 'POST' | 'PUT', url: string, payload: object) =>
    app.inject({ method, url, headers: { authorization: `Bearer ${sender}` }, payload });
  const oneSmallReceipt = async (): Promise<string> => {
    const res = await send('POST', '/api/receipts', {
      recipients: ['a@example.gov.tw'],
      parts: [{ level: '密', lengthAtMost: 64, commitment: HASH, kind: 'text' }],
    });
    expect(res.statusCode).toBe(201);
    return (res.json() as { id: string }).id;
  };

  it('renders the sender’s own receipt: number, date, sender, recipients, parts and signature lines', async () => {
    const created = await send('POST', '/api/receipts', {
      recipients: ['wang@example.gov.tw', 'chen@partner.com.tw'],
      parts: [
        { level: '機密', lengthAtMost: 64, commitment: HASH, kind: 'text' },
        { level: '極機密', lengthAtMost: 4_194_304, commitment: 'cd'.repeat(32), kind: 'attachment' },
      ],
    });
    expect(created.statusCode).toBe(201);
    const { id } = created.json() as { id: string };

    const res = await get(id, sender);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    const html = res.body;
    expect(html).toContain(id);
    expect(html).toMatch(/中華民國\d+年\d+月\d+日/);
    expect(html).toContain('林承辦 (lin@example.gov.tw)');
    expect(html).toContain('wang@example.gov.tw');
    expect(html).toContain('chen@partner.com.tw');
    expect(html).toContain('≤ 64 字');
    expect(html).toContain('附件 ≤ 4.0 MB');
    expect(html).toContain(HASH);
    // One blank salt cell per part, for the sender's pane to fill: the server has no salt to print.
    expect(html.match(/data-salt-part="\d"/g)).toEqual(['data-salt-part="1"', 'data-salt-part="2"']);
    // The names, subject, 文號 and the attachment's file name are blank cells too: the server never receives them.
    expect(html.match(/data-local-field="[a-z-]+(?::\d)?"/g)).toEqual(
      [
        'recipient-name:1',
        'recipient-name:2',
        'subject',
        'reference',
        'part-name:2',
        'recipient-name:1',
        'recipient-name:2',
      ].map((f) => `data-local-field="${f}"`),
    );
    // Each part's check value in four groups of four, with its level, beside the full value.
    expect(html).toContain('<span class="check">機密 abab abab abab abab</span><br>' + HASH);
    expect(html).toContain(`<span class="check">極機密 ${checkValueGroups('cd'.repeat(32))}</span>`);
    // The sender's pane fills exactly those cells of this page, and nothing is left blank.
    const salts = ['0123456789abcdef'.repeat(2), 'fedcba9876543210'.repeat(2)];
    const filled = fillDetails(fillSalts(html, salts), {
      recipientNames: ['王科長', '陳顧問'],
      subject: '第三季協調會議',
      partNames: [null, '附件二.pdf'],
      reference: '府授人字第1150012345號',
    });
    expect(filled.match(/data-salt-part="\d">[^<]*<\/td>/g)).toEqual([
      `data-salt-part="1">${salts[0]}</td>`,
      `data-salt-part="2">${salts[1]}</td>`,
    ]);
    expect(filled).not.toContain(SALT_CELL_BLANK);
    for (const line of ['發文人', '收件人簽收', '日期', '簽章']) {
      expect(html).toContain(line);
    }
    expect(html).toContain('@page { size: A4');
    expect(html).not.toMatch(/<script/i);
    expect(filled).toContain('<div class="who" data-local-field="recipient-name:2">陳顧問</div>chen@partner.com.tw');
    expect(filled).toContain('<td data-local-field="part-name:2">附件二.pdf</td>');
    // One signature row per recipient, the name (filled by the pane) above the address.
    expect(
      html.match(/<tr><td><div class="who"[^>]*>[\s\S]*?<\/div>[^<]+@[^<]+<\/td><td><\/td><td><\/td><\/tr>/g),
    ).toHaveLength(2);
  });

  it('never takes a subject, names, file names or a 文號, so its page cannot print them', async () => {
    const withContent = {
      recipients: ['wang@example.gov.tw'],
      parts: [{ level: '機密', lengthAtMost: 64, commitment: HASH, kind: 'attachment', name: '甲案預算表.docx' }],
    };
    const asked = [
      withContent,
      { ...withContent, parts: [{ ...withContent.parts[0], name: undefined }], subject: '第三季協調會議' },
      { ...withContent, parts: [{ ...withContent.parts[0], name: undefined }], recipientNames: ['王科長'] },
      { ...withContent, parts: [{ ...withContent.parts[0], name: undefined }], reference: '府授人字第1150012345號' },
    ];
    for (const payload of asked) {
      const res = await send('POST', '/api/receipts', payload);
      expect(res.statusCode).toBe(400);
    }
    const id = await oneSmallReceipt();
    const res = await get(id, sender);
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toMatch(/甲案預算表|第三季協調會議|王科長|府授人字/);
    const stored = await db.query('SELECT * FROM paper_receipts');
    expect(JSON.stringify(stored.rows)).not.toMatch(/甲案預算表|第三季協調會議|王科長|府授人字/);
    // What the server prints in their place, for a copy printed without the sender's pane.
    expect(res.body).toContain(`<td data-local-field="subject">${SALT_CELL_BLANK}</td>`);
    expect(res.body).toContain(`<td data-local-field="reference">${SALT_CELL_BLANK}</td>`);
  });

  it('shows a cancelled receipt as cancelled', async () => {
    const id = await oneSmallReceipt();
    await send('PUT', `/api/receipts/${id}/status`, { status: 'cancelled' });
    expect((await get(id, sender)).body).toContain('已作廢 CANCELLED');
  });

  it('is the sender’s only: 404 for another user or tenant, 401 without a token, 400 for a bad id', async () => {
    const id = await oneSmallReceipt();
    expect((await get(id, await entra.token({ oid: OTHER }))).statusCode).toBe(404);
    expect((await get(id, await entra.token({ oid: SENDER, tid: FOREIGN_TENANT }))).statusCode).toBe(404);
    expect((await get(id)).statusCode).toBe(401);
    expect((await get('SG-404', sender)).statusCode).toBe(404);
    expect((await get('-bad id', sender)).statusCode).toBe(400);
  });

  const audit = (payload: object) => send('POST', '/api/audit', payload);

  it('takes a bounded reason on an override and refuses it anywhere else, too long, or carrying a mark', async () => {
    const ok = await audit({ kind: 'override', verdict: 'warn', justification: '主管已核准，收件人皆為本案承辦人。' });
    expect(ok.statusCode).toBe(202);
    const rows = await db.query<{ kind: string; data: unknown }>(
      'SELECT kind, data FROM audit_pending UNION ALL SELECT kind, data FROM audit_events',
    );
    expect(JSON.stringify(rows.rows)).toContain('主管已核准');

    expect(
      (await audit({ kind: 'decision', verdict: 'warn', justification: '主管已核准，收件人皆為本案承辦人。' }))
        .statusCode,
    ).toBe(400);
    expect((await audit({ kind: 'override', verdict: 'warn', justification: '短' })).statusCode).toBe(400);
    expect((await audit({ kind: 'override', verdict: 'warn', justification: '理'.repeat(301) })).statusCode).toBe(400);
    const marked = await audit({ kind: 'override', verdict: 'warn', justification: '〔機密〕預算表細節〔/機密〕照寄' });
    expect(marked.statusCode).toBe(400);
    expect(marked.json()).toMatchObject({ code: 'justification_has_mark' });
    expect(
      (await audit({ kind: 'override', verdict: 'warn', justification: '主管已核准\u0000收件人皆為承辦人' }))
        .statusCode,
    ).toBe(400);
  });
});
