/**
 * The override grant (addin/on-send/override.ts): what a reason is given for, as a hash that stays the same for the
 * same warning however the pane and the send handler count and order it, and differs for any other; a grant read
 * back from the Office host fake's sessionData, and refused whenever it is not exactly what the pane writes.
 */
import fc from 'fast-check';

import {
  grantCovers,
  grantFor,
  OVERRIDE_KEY,
  OVERRIDE_VALID_MS,
  overrideSubject,
  parseGrant,
  readGrant,
  writeGrant,
} from '../../../addin/on-send/override';
import type { Finding, Unscannable } from '../../../src/core';
import { createFakeItem, createFakeOffice, type FakeMailboxVersion } from '../../fakes/office';

const host = globalThis as { Office?: unknown };
afterEach(() => {
  delete host.Office;
});

const WARN = { verdict: 'warn', level: '機敏', scope: 'internal' } as const;
const finding = (rule: string, level: Finding['level'], location: string): Finding => ({
  rule,
  level,
  location,
  excerpt: '機敏資料',
  strippable: false,
});
const FINDINGS: Finding[] = [
  finding('label.standalone', '機敏', 'attachment:簡報.odt/styles.xml#header'),
  finding('label.standalone', '機敏', 'body'),
  finding('region.delimited', '機敏', 'body'),
];
const UNREAD: Unscannable[] = [
  { location: 'attachment:議程.pdf', reason: 'unsupported-format', detail: 'PDF left to the pane' },
];
const SUBJECT = overrideSubject(WARN, FINDINGS, UNREAD);

describe('overrideSubject', () => {
  it('is a SHA-256 hex digest, the same for the same warning', () => {
    expect(SUBJECT).toMatch(/^[0-9a-f]{64}$/);
    expect(
      overrideSubject(
        { ...WARN },
        FINDINGS.map((f) => ({ ...f })),
        UNREAD.map((u) => ({ ...u })),
      ),
    ).toBe(SUBJECT);
  });

  it('does not depend on order, repeats, excerpts or details (the pane and the send handler count apart)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(FINDINGS.length - 1), { minLength: FINDINGS.length, maxLength: 12 }),
        fc.boolean(),
        (picks, withExcerpts) => {
          // Every finding at least once, some repeated, in any order; the send handler's have empty excerpts.
          const list = [...FINDINGS, ...picks.map((i) => FINDINGS[i]!)]
            .reverse()
            .map((f) => (withExcerpts ? f : { ...f, excerpt: '' }));
          const unread = [...UNREAD, { location: 'attachment:議程.pdf', reason: 'unsupported-format' as const }];
          return overrideSubject(WARN, list, unread) === SUBJECT;
        },
      ),
    );
  });

  it('differs for another verdict, level, scope, rule, finding level, place or unread reason', () => {
    const others = [
      overrideSubject({ ...WARN, verdict: 'block' }, FINDINGS, UNREAD),
      overrideSubject({ ...WARN, level: '密' }, FINDINGS, UNREAD),
      overrideSubject({ ...WARN, scope: 'external' }, FINDINGS, UNREAD),
      overrideSubject(WARN, [...FINDINGS.slice(1), { ...FINDINGS[0]!, rule: 'label.header' }], UNREAD),
      overrideSubject(WARN, [...FINDINGS.slice(1), { ...FINDINGS[0]!, level: '密' }], UNREAD),
      overrideSubject(WARN, [...FINDINGS.slice(1), { ...FINDINGS[0]!, location: 'attachment:簡報2.odt' }], UNREAD),
      overrideSubject(WARN, FINDINGS.slice(1), UNREAD),
      overrideSubject(WARN, [...FINDINGS, finding('label.standalone', '機敏', 'subject')], UNREAD),
      overrideSubject(WARN, FINDINGS, [{ location: 'attachment:議程.pdf', reason: 'unreadable' }]),
      overrideSubject(WARN, FINDINGS, [{ location: 'attachment:附件.pdf', reason: 'unsupported-format' }]),
      overrideSubject(WARN, FINDINGS, []),
    ];
    expect(new Set([SUBJECT, ...others]).size).toBe(others.length + 1);
  });

  it('keeps fields apart: a place cannot pass for a rule', () => {
    expect(overrideSubject(WARN, [finding('a', '密', 'b\u0000c')], [])).not.toBe(
      overrideSubject(WARN, [finding('a\u0000b', '密', 'c')], []),
    );
  });
});

describe('grantCovers', () => {
  const NOW = 1_780_000_000_000;
  const grant = grantFor('0123456789abcdef', SUBJECT, NOW);

  it('covers the same warning under the same policy for 30 minutes', () => {
    expect(grant).toEqual({ v: 1, p: '0123456789abcdef', h: SUBJECT, x: NOW + 30 * 60 * 1000 });
    expect(grantCovers(grant, '0123456789abcdef', SUBJECT, NOW)).toBe(true);
    expect(grantCovers(grant, '0123456789abcdef', SUBJECT, NOW + OVERRIDE_VALID_MS - 1)).toBe(true);
  });

  it('covers nothing else: another policy, another warning, expired, none, or an expiry it was never given', () => {
    expect(grantCovers(grant, 'fedcba9876543210', SUBJECT, NOW)).toBe(false);
    expect(grantCovers(grant, '0123456789abcdef', overrideSubject(WARN, FINDINGS, []), NOW)).toBe(false);
    expect(grantCovers(grant, '0123456789abcdef', SUBJECT, NOW + OVERRIDE_VALID_MS)).toBe(false);
    expect(grantCovers(null, '0123456789abcdef', SUBJECT, NOW)).toBe(false);
    expect(grantCovers({ ...grant, x: NOW + OVERRIDE_VALID_MS + 1 }, '0123456789abcdef', SUBJECT, NOW)).toBe(false);
  });
});

describe('parseGrant', () => {
  const good = { v: 1, p: '0123456789abcdef', h: SUBJECT, x: 1_780_000_000_000 };

  it('reads back what the pane writes', () => {
    expect(parseGrant(JSON.stringify(good))).toEqual(good);
  });

  it.each([
    ['nothing', null],
    ['an empty string', ''],
    ['not JSON', '{"v":1,'],
    ['JSON null', 'null'],
    ['a number', '42'],
    ['a string', JSON.stringify(JSON.stringify(good))],
    ['an array', JSON.stringify([good])],
    ['another version', JSON.stringify({ ...good, v: 2 })],
    ['no policy', JSON.stringify({ ...good, p: '' })],
    ['a policy too long', JSON.stringify({ ...good, p: 'a'.repeat(65) })],
    ['a subject not a digest', JSON.stringify({ ...good, h: 'warn' })],
    ['a subject in capitals', JSON.stringify({ ...good, h: SUBJECT.toUpperCase() })],
    ['an expiry as text', JSON.stringify({ ...good, x: String(good.x) })],
    ['no expiry', JSON.stringify({ ...good, x: null })],
    ['an infinite expiry', '{"v":1,"p":"0123456789abcdef","h":"' + SUBJECT + '","x":1e999}'],
  ])('is none for %s', (_what, raw) => {
    expect(parseGrant(raw)).toBeNull();
  });
});

describe('the grant in sessionData', () => {
  const install = (version: FakeMailboxVersion) => {
    const item = createFakeItem();
    host.Office = createFakeOffice({ mailboxVersion: version, item }).Office;
    return item;
  };

  it('is written under sg.override and read back as it was written', async () => {
    const item = install('1.15');
    expect(await readGrant()).toBeNull();
    const grant = grantFor('0123456789abcdef', SUBJECT, Date.now());
    await writeGrant(grant);
    expect(JSON.parse(item.sessionData[OVERRIDE_KEY]!)).toEqual(grant);
    expect(await readGrant()).toEqual(grant);
    // Holds a hash and a fingerprint, never a mark or a place.
    expect(item.sessionData[OVERRIDE_KEY]).not.toMatch(/機敏|簡報|attachment/);
  });

  it('is none where the value is malformed, and below Mailbox 1.11, where there is no sessionData', async () => {
    const item = install('1.15');
    item.sessionData[OVERRIDE_KEY] = '{"v":1,"p":"x","h":"y"';
    expect(await readGrant()).toBeNull();
    install('1.10');
    expect(await readGrant()).toBeNull();
    await expect(writeGrant(grantFor('0123456789abcdef', SUBJECT, Date.now()))).rejects.toThrow(/Mailbox 1\.11/);
  });
});
