/**
 * The add-in's use of sessionData and roaming settings near their limits, against the Office host fake (which checks
 * them as office-js and Outlook do): every key at its largest fits beside the others, measured as Office measures.
 */
import { AttachmentCache } from '../../../addin/on-send/attachment-cache';
import { AUDIT_QUEUE_KEY, enqueueAudit } from '../../../addin/on-send/audit';
import { cachedPolicy, POLICY_SETTING, storePolicy } from '../../../addin/on-send/policy-source';
import {
  attachmentCacheBudget,
  AUDIT_ROAMING_MAX_CHARS,
  AUDIT_SESSION_MAX_CHARS,
  measuredEntryLength,
  POLICY_ROAMING_MAX_CHARS,
  roamingSettingsLength,
  sessionDataLength,
} from '../../../addin/on-send/storage-budget';
import { DEFAULT_POLICY, type Policy } from '../../../src/core';
import type { AuditDecisionEvent } from '../../../src/shared/api';
import {
  createFakeItem,
  createFakeMailbox,
  createFakeOffice,
  type FakeItemState,
  type FakeMailboxState,
  type FakeMailboxVersion,
  roamingSettingsLength as officeRoamingLength,
} from '../../fakes/office';

const host = globalThis as { Office?: unknown; OfficeRuntime?: unknown };

function install(
  version: FakeMailboxVersion = '1.15',
  item: FakeItemState = createFakeItem(),
  mailbox = createFakeMailbox(),
) {
  const fake = createFakeOffice({ mailboxVersion: version, item, mailbox });
  host.Office = fake.Office;
  return { fake, item, mailbox };
}

afterEach(() => {
  delete host.Office;
});

/** Lets the fake's asynchronous answers (and background saves) arrive. */
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

const attachment = (i: number) => ({
  id: `AAMkAGI2-att-${i}`,
  name: `第${i}號附件 "報告".docx`,
  size: 1000 + i,
  attachmentType: 'file' as const,
  isInline: false,
});

/** A cache of `n` attachments, each with findings whose places are full of quotes (escaped again when measured). */
function cacheOf(n: number): AttachmentCache {
  const cache = AttachmentCache.empty();
  for (let i = 0; i < n; i++) {
    const base = `attachment:第${i}號附件 "報告".docx`;
    cache.put(attachment(i), 'fp', {
      findings: [
        {
          rule: 'level.standalone',
          level: '機密',
          location: `${base}/"a"/"b".xml#header`,
          strippable: false,
          count: 2,
        },
      ],
      unscannable: [{ location: `!other:"${i}"`, reason: 'encrypted' }],
      definitive: true,
    });
  }
  return cache;
}

const event = (i: number): AuditDecisionEvent => ({
  kind: 'decision',
  verdict: 'block',
  level: '機密',
  scope: 'external',
  rules: ['level.standalone', 'field.classification', `custom.rule-${i}`],
  unscannable: ['encrypted', 'timeout'],
  findingCount: 3,
  attachmentCount: 2,
  recipientCount: 4,
  externalRecipientCount: 1,
  bodyBytes: 2048,
  messageIdHash: 'ab'.repeat(32),
  policyVersion: 3,
});

describe('the attachment cache', () => {
  it('fits its budget as Office measures it, evicting the least recently used first', () => {
    const cache = cacheOf(40);
    // The oldest entry is used again: it stays, the next oldest goes first.
    expect(cache.lookup(attachment(0), 'fp')).not.toBeNull();
    const raw = JSON.stringify(JSON.parse(cache.serialise(1e9))).length;
    // A budget the raw JSON fits but Office's measure (quotes escaped again) does not.
    const budget = raw + 40;
    const json = cache.serialise(budget);
    expect(measuredEntryLength('sg.attachments', json)).toBeLessThanOrEqual(budget);
    const kept = Object.keys((JSON.parse(json) as { e: object }).e).length;
    expect(kept).toBeLessThan(40);
    const stored = JSON.parse(json) as { e: Record<string, { t: number }> };
    const ages = Object.values(stored.e).map((e) => e.t);
    // What is left is the most recently used: attachment 0 (used last) and the newest puts.
    expect(Math.max(...ages)).toBe(41);
    expect(ages.sort((a, b) => a - b)[0]).toBeGreaterThan(41 - kept);
  });

  it('fills sessionData up to its share, and the audit queue, the item key and a grant still fit beside it', async () => {
    const { item } = install('1.15');
    const cache = cacheOf(400);
    await cache.save();
    expect(measuredEntryLength('sg.attachments', item.sessionData['sg.attachments'])).toBeLessThanOrEqual(
      attachmentCacheBudget(),
    );
    for (let i = 0; i < 40; i++) {
      await enqueueAudit(event(i), false);
    }
    expect(measuredEntryLength(AUDIT_QUEUE_KEY, item.sessionData[AUDIT_QUEUE_KEY])).toBeLessThanOrEqual(
      AUDIT_SESSION_MAX_CHARS,
    );
    item.sessionData['sg.item'] = 'f'.repeat(32);
    item.sessionData['sg.override'] = JSON.stringify({ v: 1, p: 'f'.repeat(16), h: 'e'.repeat(64), x: 1e13 });
    expect(sessionDataLength(item.sessionData)).toBeLessThanOrEqual(50000);
  });

  it('measures what other keys take and tries once more when sessionData is fuller than its budgets allow for', async () => {
    const { item, fake } = install('1.15');
    // A key the budgets do not know of (another writer), 20,000 characters.
    item.sessionData.foreign = 'x'.repeat(20000);
    await cacheOf(400).save();
    expect(fake.calls.filter((c) => c.api === 'sessionData.setAsync').map((c) => c.detail)).toEqual([
      'sg.attachments',
      'sg.attachments',
    ]);
    expect(sessionDataLength(item.sessionData)).toBeLessThanOrEqual(50000);
    expect(Object.keys((JSON.parse(item.sessionData['sg.attachments']!) as { e: object }).e).length).toBeGreaterThan(0);
  });
});

/** A valid policy whose keywords (short, quoted, many) make it grow when Office measures it, to `size` by `measure`. */
function policyOfSize(
  size: number,
  measure: (value: unknown) => number = (v) => measuredEntryLength(POLICY_SETTING, v),
): Policy {
  const rules: Policy['customRules'][number][] = [];
  const policy = (): Policy => ({ ...DEFAULT_POLICY, version: 5, customRules: rules });
  const value = (): unknown => ({ version: 5, fetchedAt: Date.now(), policy: policy() });
  for (let r = 0; r < 200 && measure(value()) < size; r++) {
    const keywords: string[] = [];
    rules.push({ id: `r${r}`, level: '密', keywords });
    for (let k = 0; k < 200 && measure(value()) < size; k++) {
      keywords.push(`"k${r}-${k}"`);
    }
  }
  return policy();
}

describe('roaming settings', () => {
  it('do not keep a policy past its share as Office measures it (its raw JSON fits), and keep none stale', async () => {
    const mailbox: FakeMailboxState = createFakeMailbox();
    install('1.15', createFakeItem(), mailbox);
    storePolicy(DEFAULT_POLICY, Date.now());
    await tick();
    expect(mailbox.roamingSettings[POLICY_SETTING]).toBeDefined();

    const big = policyOfSize(POLICY_ROAMING_MAX_CHARS + 500);
    const value = { version: big.version, fetchedAt: 0, policy: big };
    expect(JSON.stringify(value).length).toBeLessThan(POLICY_ROAMING_MAX_CHARS);
    storePolicy(big, Date.now());
    await tick();
    expect(mailbox.roamingSettings[POLICY_SETTING]).toBeUndefined();
    expect(cachedPolicy()).toBeNull();
  });

  it.each([
    ['at its share as Office measures it', policyOfSize(POLICY_ROAMING_MAX_CHARS - 50), true],
    [
      'whose raw JSON is near that share (larger as Office measures it)',
      policyOfSize(22900, (v) => JSON.stringify(v).length),
      false,
    ],
  ])('hold a policy %s and a full audit queue within 32 KB as office-js counts', async (_label, policy, held) => {
    const mailbox: FakeMailboxState = createFakeMailbox();
    install('1.15', createFakeItem(), mailbox);
    storePolicy(policy, Date.now());
    for (let i = 0; i < 40; i++) {
      await enqueueAudit(event(i), true);
      await tick();
    }
    // Every save went through: the mailbox has the newest event, and office-js's own measure is within its limit.
    const queue = mailbox.roamingSettings[AUDIT_QUEUE_KEY] as AuditDecisionEvent[];
    expect(queue.length).toBeGreaterThan(10);
    expect(queue[queue.length - 1]).toEqual(event(39));
    expect(measuredEntryLength(AUDIT_QUEUE_KEY, queue)).toBeLessThanOrEqual(AUDIT_ROAMING_MAX_CHARS);
    expect(officeRoamingLength(mailbox.roamingSettings)).toBeLessThanOrEqual(32 * 1024);
    expect(roamingSettingsLength(mailbox.roamingSettings)).toBe(officeRoamingLength(mailbox.roamingSettings));
    // A policy past its share is not kept (the server is asked instead); one within it is.
    expect(mailbox.roamingSettings[POLICY_SETTING] !== undefined).toBe(held);
  });

  it('take over the events waiting in sessionData when the item may leave, in order', async () => {
    const mailbox: FakeMailboxState = createFakeMailbox();
    const { item } = install('1.15', createFakeItem(), mailbox);
    mailbox.roamingSettings[AUDIT_QUEUE_KEY] = [event(0)];
    install('1.15', item, mailbox);
    await enqueueAudit(event(1), false);
    await enqueueAudit(event(2), false);
    expect(JSON.parse(item.sessionData[AUDIT_QUEUE_KEY]!)).toEqual([event(1), event(2)]);
    await enqueueAudit(event(3), true);
    await tick();
    expect(item.sessionData[AUDIT_QUEUE_KEY]).toBeUndefined();
    expect(mailbox.roamingSettings[AUDIT_QUEUE_KEY]).toEqual([event(0), event(1), event(2), event(3)]);
  });
});
