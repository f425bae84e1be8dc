import { createHash, createHmac } from 'node:crypto';

import { type PlannedPart, sealParts } from '../../../../addin/taskpane/model/strip-plan';
import { fillSalts, receiptSalts } from '../../../../addin/taskpane/services/receipt-salts';
import { renderReceiptPage } from '../../../../src/server/receipt-print';

const sha = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

describe('sealing the parts of a 簽收單', () => {
  const parts: PlannedPart[] = [
    { level: '機密', length: 24, sha256: sha('〔機密〕開會時間改為3月5日14時〔/機密〕'), kind: 'text' },
    { level: '密', length: 70_000, sha256: sha('file bytes'), kind: 'attachment' },
  ];
  let n = 0;
  const salt = (): Uint8Array => new Uint8Array(16).fill(++n);

  it('tells the server a length bucket and a commitment under a fresh salt per part, never the length or hash', () => {
    const sealed = sealParts(parts, salt);
    expect(sealed.salts).toHaveLength(2);
    expect(sealed.salts[0]).not.toBe(sealed.salts[1]);
    expect(sealed.parts.map((p) => Object.keys(p).sort())).toEqual([
      ['commitment', 'kind', 'lengthAtMost', 'level'],
      ['commitment', 'kind', 'lengthAtMost', 'level'],
    ]);
    expect(sealed.parts.map((p) => p.lengthAtMost)).toEqual([64, 131_072]);
    sealed.parts.forEach((p, i) => {
      const digest = Buffer.from((parts[i] as PlannedPart).sha256, 'hex');
      expect(p.commitment).toBe(
        createHmac('sha256', Buffer.from(sealed.salts[i] as string, 'hex'))
          .update(digest)
          .digest('hex'),
      );
      expect(JSON.stringify(p)).not.toContain((parts[i] as PlannedPart).sha256);
    });
  });
});

describe('the salts on this machine and on the paper', () => {
  const store = new Map<string, string>();
  const salts = receiptSalts(() => ({ getItem: (k) => store.get(k) ?? null, setItem: (k, v) => void store.set(k, v) }));
  const a = 'a'.repeat(32);
  const b = 'b'.repeat(32);

  it('keeps them per receipt, and says when they could not be kept', () => {
    expect(salts.save('SG-20261207-AAAAAA', [a, b])).toBe(true);
    expect(salts.load('SG-20261207-AAAAAA')).toEqual([a, b]);
    expect(salts.load('SG-20261207-BBBBBB')).toBeNull();
    store.set('sg.receipt-salts.v1.SG-X', '["<script>"]');
    expect(salts.load('SG-X')).toBeNull();
    const full = receiptSalts(() => ({
      getItem: () => null,
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    }));
    expect(full.save('SG-1', [a])).toBe(false);
  });

  const page = renderReceiptPage(
    {
      id: 'SG-20261207-AAAAAA',
      recipients: ['wang@example.gov.tw'],
      parts: [
        { level: '機密', lengthAtMost: 64, commitment: 'c'.repeat(64), kind: 'text' },
        { level: '密', lengthAtMost: 128, commitment: 'd'.repeat(64), kind: 'text' },
      ],
      status: 'pending',
      createdAt: new Date('2026-12-07T00:00:00Z'),
    },
    { name: '林承辦', upn: null },
  );

  it('writes each salt into its part’s cell of the server’s page, and only there', () => {
    const printed = fillSalts(page, [a, b]);
    expect(printed).toContain(`data-salt-part="1">${a}</td>`);
    expect(printed).toContain(`data-salt-part="2">${b}</td>`);
    expect(printed.replace(a, '').replace(b, '')).toBe(page.replace(/(data-salt-part="\d">)[\s\S]*?(<\/td>)/g, '$1$2'));
  });

  it('says so on the page when this machine does not hold the salts, and never prints something else as one', () => {
    for (const held of [null, [a], ['<b>x</b>', b]]) {
      const printed = fillSalts(page, held);
      expect(printed).toContain('本電腦未保存鹽值');
      expect(printed).not.toContain('<b>x</b>');
    }
  });
});
