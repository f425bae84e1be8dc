/**
 * Issue 12 §2: a removed part must not be recoverable by guessing from anything the server stores, returns or
 * prints. The attack is the one that recovered 「〔機密〕開會時間改為3月5日14時〔/機密〕」 in 1,599 guesses: enumerate
 * every date and hour in the template and compare what each guess hashes to (and its length) with what the server
 * holds. It runs against every row of every table, every answer of the receipt and audit routes, and the printed
 * 簽收單, all made through the add-in's own planning and sealing code.
 */
import { createHash, createHmac, randomFillSync } from 'node:crypto';

import type { FastifyInstance } from 'fastify';

import { type PlannedPart, planStrip, sealParts } from '../../addin/taskpane/model/strip-plan';
import { fillSalts } from '../../addin/taskpane/services/receipt-salts';
import { DEFAULT_POLICY, lengthBucket, SALT_BYTES } from '../../src/core';
import { buildApp, inProcessEventBus } from '../../src/server/app';
import { appendAudit } from '../../src/server/store/audit';
import type { Db } from '../../src/server/store/db';
import { migrate, MIGRATIONS } from '../../src/server/store/migrations';
import { type FakeEntra, startFakeEntra, TENANT } from '../fakes/entra';
import { entraVerifier } from '../support/entra-verifier';
import { openStore, type StoreKind, STORES } from '../support/stores';

const SENDER = '00000000-0000-0000-0000-0000000005e1';
const SECRET = '〔機密〕開會時間改為3月5日14時〔/機密〕';
const BODY = `<p>各位委員好：</p><p>${SECRET}</p><p>敬請準時出席。</p>`;

/** Every guess the template allows, in the order an attacker would try them. */
function* guesses(): Generator<string> {
  for (let month = 1; month <= 12; month++) {
    for (let day = 1; day <= 31; day++) {
      for (let hour = 0; hour <= 23; hour++) {
        const inner = `開會時間改為${month}月${day}日${hour}時`;
        yield `〔機密〕${inner}〔/機密〕`;
        yield inner;
      }
    }
  }
}

const sha256Hex = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

/**
 * The attack on a pile of text: every 64-hex string in it is a hash to match, every 32-hex string a possible salt,
 * every number a possible length to narrow the guesses by. A guess is recovered when its SHA-256, or its commitment
 * under any salt found, is one of the hashes.
 */
function attack(artifacts: readonly string[]): { text: string; guesses: number } | null {
  const text = artifacts.join('\n');
  const hashes = new Set(text.match(/(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])/g) ?? []);
  const salts = [...new Set(text.match(/(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])/g) ?? [])];
  const lengths = new Set((text.match(/\d+/g) ?? []).map(Number));
  // Guesses of a length the server shows go first: an exact length saves most of the work, a bucket saves none.
  const candidates = [...guesses()];
  const ordered = [
    ...candidates.filter((g) => lengths.has(g.length)),
    ...candidates.filter((g) => !lengths.has(g.length)),
  ];
  let tried = 0;
  for (const guess of ordered) {
    tried++;
    const digest = createHash('sha256').update(guess, 'utf8').digest();
    if (
      hashes.has(digest.toString('hex')) ||
      salts.some((s) => hashes.has(createHmac('sha256', Buffer.from(s, 'hex')).update(digest).digest('hex')))
    ) {
      return { text: guess, guesses: tried };
    }
  }
  return null;
}

/** Every row of every table, as text. */
async function everyRow(db: Db): Promise<string[]> {
  const tables = (
    await db.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    )
  ).rows.map((r) => r.table_name);
  expect(tables).toEqual(expect.arrayContaining(['paper_receipts', 'audit_events', 'audit_pending']));
  const rows: string[] = [];
  for (const t of tables) {
    const res = await db.query<{ row: unknown }>(`SELECT row_to_json(t)::text AS row FROM "${t}" t`);
    rows.push(...res.rows.map((r) => `${t}: ${String(r.row)}`));
  }
  return rows;
}

/** What the sender's pane plans for the mail: the part removed, with its exact length and plain hash (local). */
function plannedPart(): PlannedPart {
  const plan = planStrip({
    body: BODY,
    format: 'html',
    attachments: [],
    removeAttachmentIds: [],
    policy: DEFAULT_POLICY,
    receiptNumber: 'SG-UNNUMBERED',
  });
  expect(plan.parts).toHaveLength(1);
  const part = plan.parts[0] as PlannedPart;
  // The attack's template is exactly what the stripper removes.
  expect(part.sha256).toBe(sha256Hex(SECRET));
  return part;
}

const store = STORES.includes('postgres') ? 'postgres' : 'pglite';

describe(`guessing removed parts back from the server (${store})`, () => {
  let entra: FakeEntra;
  let db: Db;
  let app: FastifyInstance;
  let token: string;

  beforeAll(async () => {
    entra = await startFakeEntra();
    db = await openStore(store);
    await migrate(db);
    app = await buildApp({ db, events: inProcessEventBus(), verifier: entraVerifier(entra, [TENANT]) });
    token = await entra.token({ oid: SENDER, name: '林承辦', upn: 'lin@example.gov.tw' });
  });
  afterAll(async () => {
    await app.close();
    await db.close();
    await entra.close();
  });

  const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
    app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });

  const everythingStored = (): Promise<string[]> => everyRow(db);

  it('recovers nothing from what the server stores, answers and prints for a receipt and its audit event', async () => {
    const sealed = sealParts([plannedPart()], () => randomFillSync(new Uint8Array(SALT_BYTES)));
    const created = await call('POST', '/api/receipts', { recipients: ['wang@example.gov.tw'], parts: sealed.parts });
    expect(created.statusCode).toBe(201);
    const { id } = created.json() as { id: string };
    const audited = await call('POST', '/api/audit', {
      kind: 'strip',
      verdict: 'strip',
      level: '機密',
      removed: sealed.parts,
    });
    expect(audited.statusCode).toBe(202);
    const answers = [
      created.body,
      audited.body,
      (await call('GET', '/api/receipts')).body,
      (await call('GET', `/api/receipts/${id}/print`)).body,
    ];
    const stored = await everythingStored();

    expect(attack([...stored, ...answers])).toBeNull();
    // What the attack had to work with: the commitment is there, stored and printed.
    expect(answers[3]).toContain(sealed.parts[0]?.commitment);
    expect(stored.join('\n')).toContain(sealed.parts[0]?.commitment);

    // The attack is not toothless: given the salt, which only the sender's machine and the paper hold, it succeeds.
    // So the salt must be nowhere the server keeps or sends, and the paper (the pane's page) does carry it.
    const paper = fillSalts(answers[3] as string, sealed.salts);
    expect(paper).toContain(sealed.salts[0]);
    expect(attack([...stored, ...answers, paper])).toEqual({ text: SECRET, guesses: expect.any(Number) });
  });
});

describe.each(STORES)('receipts from before salted commitments, after migration 14, on %s', (kind: StoreKind) => {
  let entra: FakeEntra;
  let db: Db;
  let app: FastifyInstance;
  let token: string;
  // What add-ins sent before the commitment: the planned part as is (exact length, plain SHA-256), and an attachment.
  let old: PlannedPart;
  const oldAttachment = { level: '密', length: 70_000, sha256: 'cd'.repeat(32), kind: 'attachment' };

  beforeAll(async () => {
    entra = await startFakeEntra();
    old = plannedPart();
    db = await openStore(kind);
    // The store as it was before migration 14, with a receipt and its event written the way the old code wrote them.
    await migrate(
      db,
      MIGRATIONS.filter((m) => m.version < 14),
    );
    await db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO paper_receipts (id, tenant_id, sender, recipients, parts, status) VALUES ($1, $2, $3, $4, $5, 'signed')`,
        ['R-115-0042', TENANT, SENDER, JSON.stringify(['wang@example.gov.tw']), JSON.stringify([old, oldAttachment])],
      );
    });
    await appendAudit(db, {
      tenantId: TENANT,
      actorOid: SENDER,
      kind: 'receipt.created',
      data: { id: 'R-115-0042', parts: [old, oldAttachment], recipientCount: 1 },
    });
    // The attack works on the row as the old code left it.
    expect(attack((await everyRow(db)).filter((r) => r.startsWith('paper_receipts:')))?.text).toBe(SECRET);
    expect(await migrate(db)).toEqual([14]);
    app = await buildApp({ db, events: inProcessEventBus(), verifier: entraVerifier(entra, [TENANT]) });
    token = await entra.token({ oid: SENDER, name: '林承辦', upn: 'lin@example.gov.tw' });
  });
  afterAll(async () => {
    await app.close();
    await db.close();
    await entra.close();
  });

  const get = (url: string) => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });

  it('recovers nothing from the receipt rows, the list or the printed 簽收單, which still read and print', async () => {
    const listed = await get('/api/receipts');
    expect(listed.statusCode).toBe(200);
    const receipt = (listed.json() as { receipts: { id: string; parts: unknown; status: string }[] }).receipts.find(
      (r) => r.id === 'R-115-0042',
    );
    expect(receipt?.status).toBe('signed');
    expect(receipt?.parts).toEqual([
      { level: '機密', lengthAtMost: lengthBucket(old.length), kind: 'text', legacy: true },
      { level: '密', lengthAtMost: lengthBucket(70_000), kind: 'attachment', legacy: true },
    ]);
    const printed = await get('/api/receipts/R-115-0042/print');
    expect(printed.statusCode).toBe(200);
    expect(printed.body).toContain('舊格式：無核對值');
    expect(printed.body).toContain('legacy format: no check value');
    expect(printed.body).toContain('≤ 64 字');

    const stored = await everyRow(db);
    const receiptRows = stored.filter((r) => r.startsWith('paper_receipts:'));
    expect(receiptRows).toHaveLength(1);
    expect(receiptRows[0]).not.toContain(old.sha256);
    expect(attack([...receiptRows, listed.body, printed.body])).toBeNull();
    // The audit event of that time is left as it was written: the chain and its signed checkpoints commit to it (the
    // README says so). It is the one place left, and nothing the server answers or prints carries it.
    const auditRows = stored.filter((r) => r.startsWith('audit_events:'));
    expect(attack(auditRows)?.text).toBe(SECRET);
    expect(attack(stored.filter((r) => !r.startsWith('audit_events:')))).toBeNull();
  });

  it('shows a row still in the old shape (an instance not yet migrated wrote it) as the legacy format too', async () => {
    await db.query(
      `INSERT INTO paper_receipts (id, tenant_id, sender, recipients, parts, status) VALUES ($1, $2, $3, $4, $5, 'sent')`,
      ['R-115-0043', TENANT, SENDER, JSON.stringify(['wang@example.gov.tw']), JSON.stringify([old])],
    );
    const listed = await get('/api/receipts');
    const printed = await get('/api/receipts/R-115-0043/print');
    expect(printed.statusCode).toBe(200);
    expect(printed.body).toContain('舊格式：無核對值');
    expect(attack([listed.body, printed.body])).toBeNull();
  });
});
