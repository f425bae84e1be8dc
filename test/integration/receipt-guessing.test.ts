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
import { DEFAULT_POLICY, SALT_BYTES } from '../../src/core';
import { buildApp, inProcessEventBus } from '../../src/server/app';
import type { Db } from '../../src/server/store/db';
import { migrate } from '../../src/server/store/migrations';
import { type FakeEntra, startFakeEntra, TENANT } from '../fakes/entra';
import { entraVerifier } from '../support/entra-verifier';
import { openStore, STORES } from '../support/stores';

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

const TOTAL_GUESSES = [...guesses()].length;
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

  /** Every row of every table, as text. */
  async function everythingStored(): Promise<string[]> {
    const tables = (
      await db.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
      )
    ).rows.map((r) => r.table_name);
    expect(tables).toEqual(expect.arrayContaining(['paper_receipts', 'audit_events', 'audit_pending']));
    const rows: string[] = [];
    for (const t of tables) {
      const res = await db.query<{ row: unknown }>(`SELECT row_to_json(t)::text AS row FROM "${t}" t`);
      rows.push(...res.rows.map((r) => String(r.row)));
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

  it('recovers the part from the earlier format (exact length and plain SHA-256), stored and printed', async () => {
    // What add-ins sent before the commitment: the planned part as is. No route accepts it now.
    const old = plannedPart();
    expect(
      (await call('POST', '/api/receipts', { recipients: ['wang@example.gov.tw'], parts: [old] })).statusCode,
    ).toBe(400);
    expect((await call('POST', '/api/audit', { kind: 'strip', verdict: 'strip', removed: [old] })).statusCode).toBe(
      400,
    );
    // A row the earlier version wrote stays readable, and shows why the format had to go.
    await db.query(
      `INSERT INTO paper_receipts (id, tenant_id, sender, recipients, parts, status) VALUES ($1, $2, $3, $4, $5, 'signed')`,
      ['R-115-0042', TENANT, SENDER, JSON.stringify(['wang@example.gov.tw']), JSON.stringify([old])],
    );
    const listed = (await call('GET', '/api/receipts')).json() as { receipts: { id: string; parts: unknown }[] };
    expect(listed.receipts.find((r) => r.id === 'R-115-0042')?.parts).toEqual([old]);
    const printed = await call('GET', '/api/receipts/R-115-0042/print');
    expect(printed.statusCode).toBe(200);

    const recovered = attack([printed.body]);
    expect(recovered?.text).toBe(SECRET);
    // Fewer than all 17,856: the exact length among the page's numbers puts the right guesses early.
    expect(recovered?.guesses).toBeLessThan(TOTAL_GUESSES / 2);
    const fromList = attack([JSON.stringify(listed)]);
    expect(fromList?.text).toBe(SECRET);
    expect(fromList?.guesses).toBeLessThan(TOTAL_GUESSES / 2);
  });
});
