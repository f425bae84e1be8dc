/**
 * Charsets never fail open: a body, subject or text attachment whose bytes contradict their label, whose label is
 * unknown or missing, is read by its bytes; what stays doubtful is `unreadable-charset`, never `allow`. And the
 * other side: ASCII under a silly label, and Latin-1 prose, are read as what they are, not flagged.
 */
import fc from 'fast-check';
import { readFileSync } from 'fs';
import path from 'path';

import { PureTextDecoder, setBig5Index, setGb18030Index } from '../../../addin/on-send/runtime/text-codec';
import { decide, DEFAULT_POLICY, type Policy } from '../../../src/core';
import {
  budgetFor,
  decodeText,
  extractFile,
  type ExtractOptions,
  type ParsedMessage,
  parseEml,
} from '../../../src/extract';
import { decodeCharset, encodingForLabel } from '../../../src/extract/charset';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { packedBig5Index } = require('../../../scripts/build/big5-index.cjs') as { packedBig5Index: () => string };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { packedGb18030Index } = require('../../../scripts/build/gb18030-index.cjs') as {
  packedGb18030Index: () => { index: string; ranges: number[] };
};

/** The bytes of `text` in a legacy double-byte encoding, by inverting the platform decoder over its pairs. */
function encoder(encoding: string, leads: [number, number]): (text: string) => Uint8Array {
  const table = new Map<string, number[]>();
  const decoder = new TextDecoder(encoding);
  for (let hi = leads[0]; hi <= leads[1]; hi++) {
    for (let lo = 0x40; lo <= 0xfe; lo++) {
      const ch = decoder.decode(new Uint8Array([hi, lo]));
      if (ch.length === 1 && ch !== '\ufffd' && !table.has(ch)) {
        table.set(ch, [hi, lo]);
      }
    }
  }
  return (text) =>
    Uint8Array.from(
      Array.from(text).flatMap((ch) => {
        if (ch.charCodeAt(0) < 0x80) {
          return [ch.charCodeAt(0)];
        }
        const bytes = table.get(ch);
        if (!bytes) {
          throw new Error(`${ch} has no ${encoding} bytes`);
        }
        return bytes;
      }),
    );
}
const big5 = encoder('big5', [0xa1, 0xf9]);
const gb2312 = encoder('gb18030', [0xa1, 0xf7]);
const shiftJis = encoder('shift_jis', [0x81, 0x9f]);
const latin1 = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'latin1'));
const ascii = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'ascii'));
const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

const FIELD = '密等及解密條件或保密期限：機密';
const MEMO = `各位同仁好：\r\n附件為本週會議資料，請查收。\r\n${FIELD}\r\n承辦人：王小明\r\n`;
const FRENCH = "Le président a été élu à l'unanimité ; la séance reprendra à 14 h. Café, crème brûlée et «déjà‑vu».";

function options(): ExtractOptions {
  const budget = budgetFor({ ...DEFAULT_POLICY.limits, scanTimeoutMs: 30000 });
  return { limits: budget.limits, expired: budget.expired, pdf: 'defer' };
}

/** A single-part message with a raw 8-bit body under the given charset label (none when null). */
function mail(body: Uint8Array, charset: string | null, subject: Uint8Array = ascii('Meeting notes')): Uint8Array {
  const head = ascii('From: a@example.gov.tw\r\nTo: b@example.gov.tw\r\nSubject: ');
  const rest = ascii(
    `\r\nMIME-Version: 1.0\r\nContent-Type: text/plain${charset === null ? '' : `; charset=${charset}`}\r\n` +
      'Content-Transfer-Encoding: 8bit\r\n\r\n',
  );
  return Uint8Array.from([...head, ...subject, ...rest, ...body, 0x0d, 0x0a]);
}

/** A message with one text attachment, its content base64 on the wire. */
function mailWithAttachment(name: string, content: Uint8Array, charset: string | null = null): Uint8Array {
  const wrapped = b64(content).replace(/.{76}/g, '$&\r\n');
  return ascii(
    'From: a@example.gov.tw\r\nTo: b@example.gov.tw\r\nSubject: files\r\nMIME-Version: 1.0\r\n' +
      'Content-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n' +
      `See attached.\r\n--b1\r\nContent-Type: text/plain${charset ? `; charset=${charset}` : ''}; name="${name}"\r\n` +
      `Content-Disposition: attachment; filename="${name}"\r\nContent-Transfer-Encoding: base64\r\n\r\n${wrapped}\r\n--b1--\r\n`,
  );
}

async function verdictOf(message: ParsedMessage, policy: Policy = DEFAULT_POLICY) {
  return decide({ ...message, recipients: ['b@example.gov.tw'] }, policy);
}

describe('charset labels', () => {
  it('knows every label of the WHATWG Encoding Standard as the platform decoder does', () => {
    const labels =
      'unicode-1-1-utf-8 utf8 866 cp866 l2 iso_8859-3:1988 cyrillic asmo-708 greek8 visual logical iso885910 ' +
      'iso8859-13 iso885914 l9 iso-8859-16 koi cskoi8r koi8-ru csmacintosh dos-874 tis-620 x-cp1250 cp1251 ' +
      'ansi_x3.4-1968 us-ascii iso-8859-1 latin1 cp1253 l5 cp1255 cp1256 cp1257 cp1258 x-mac-ukrainian chinese ' +
      'gb_2312-80 x-gbk gb18030 big5 big5-hkscs cn-big5 csbig5 x-x-big5 cseucpkdfmtjapanese csiso2022jp ms_kanji ' +
      'windows-31j x-sjis ks_c_5601-1987 windows-949 unicodefffe csunicode ucs-2 utf-16 x-user-defined';
    for (const label of labels.split(' ')) {
      let platform: string | null;
      try {
        platform = new TextDecoder(label).encoding;
      } catch {
        // Node's ICU lacks a few (x-user-defined, iso-8859-16): known all the same, and unreadable when undecodable.
        platform = null;
      }
      expect([label, encodingForLabel(label)]).toEqual([label, platform ?? encodingForLabel(label)]);
      expect(encodingForLabel(label)).not.toBeNull();
    }
    for (const label of ['hz-gb-2312', 'iso-2022-kr', 'csiso2022kr', 'iso-2022-cn-ext', 'replacement']) {
      expect(encodingForLabel(label)).toBe('replacement');
    }
  });

  it('knows the mail and Windows aliases, quoted, in any case, with or without x- and separators', () => {
    const expected: Record<string, string> = {
      big5_tw: 'big5',
      'BIG5-TW': 'big5',
      cp950: 'big5',
      MS950: 'big5',
      'windows-950': 'big5',
      'Big5-HKSCS': 'big5',
      big5hkscs: 'big5',
      '"x-big5"': 'big5',
      cp936: 'gbk',
      'x-euc-cn': 'gbk',
      'GB-18030': 'gb18030',
      cp932: 'shift_jis',
      ks_c_5601: 'euc-kr',
      'X-EUC-TW': 'euc-tw',
      'utf-7': 'utf-7',
      UTF_8: 'utf-8',
      'Latin-1': 'windows-1252',
    };
    for (const [label, encoding] of Object.entries(expected)) {
      expect([label, encodingForLabel(label)]).toEqual([label, encoding]);
    }
    for (const label of ['x-unknown', 'none', 'klingon', '', null]) {
      expect(encodingForLabel(label)).toBeNull();
    }
  });
});

describe('decodeCharset on any input', () => {
  const labels = [
    'utf-8',
    'big5',
    'gbk',
    'iso-8859-1',
    'shift_jis',
    'utf-16',
    'replacement',
    'x-unknown',
    'utf-7',
    null,
  ];

  it('never throws: text, or unreadable-charset', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom(...labels), (bytes, label) => {
        const r = decodeCharset(bytes, label);
        expect(r.ok || r.reason === 'unreadable-charset').toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads printable ASCII as itself under every ASCII-compatible label, and with none', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 200 }),
        fc.constantFrom('utf-8', 'big5', 'gbk', 'iso-8859-1', 'shift_jis', 'x-unknown', 'x-euc-tw', null),
        (text, label) => {
          expect(decodeCharset(ascii(text), label)).toMatchObject({ ok: true, text });
        },
      ),
    );
  });
});

describe('a Big5 body is read as Big5 whatever its label says', () => {
  it.each(['utf-8', 'iso-8859-1', 'us-ascii', 'big5_tw', 'x-unknown', null])('labelled %s', async (label) => {
    const message = await parseEml(mail(big5(MEMO), label), options());
    expect(message.bodyText).toContain(FIELD);
    const v = await verdictOf(message);
    expect(v.level).toBe('機密');
    expect(v.verdict).not.toBe('allow');
    expect(v.unscannable).toEqual([]);
  });

  it('a GB2312 body without a label is read as GB2312, not as Big5', async () => {
    const message = await parseEml(mail(gb2312('会议材料\r\n密级：绝密★\r\n'), null), options());
    expect(message.bodyText).toContain('密级：绝密★');
  });

  it('a Big5 body labelled gb2312 is read by where its bytes sit, as Big5', async () => {
    const message = await parseEml(mail(big5(MEMO), 'gb2312'), options());
    expect(message.bodyText).toContain(FIELD);
  });
});

describe('forwarded messages', () => {
  it('an inline forwarded message with a mislabelled Big5 body is read as Big5 too', async () => {
    const inner = mail(big5(MEMO), 'utf-8');
    const outer = Uint8Array.from([
      ...ascii(
        'From: a@example.gov.tw\r\nSubject: FW\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=o\r\n\r\n' +
          '--o\r\nContent-Type: text/plain\r\n\r\nFYI\r\n--o\r\nContent-Type: message/rfc822\r\n' +
          'Content-Disposition: inline\r\n\r\n',
      ),
      ...inner,
      ...ascii('\r\n--o--\r\n'),
    ]);
    const v = await verdictOf(await parseEml(outer, options()));
    expect(v.level).toBe('機密');
    expect(v.unscannable).toEqual([]);
  });
});

describe('the subject', () => {
  it.each([
    ['an encoded word labelled big5_tw', ascii(`=?big5_tw?B?${b64(big5('【機密】會議資料'))}?=`)],
    ['an encoded word labelled x-unknown', ascii(`=?x-unknown?B?${b64(big5('【機密】會議資料'))}?=`)],
    ['an encoded word labelled utf-8', ascii(`=?utf-8?B?${b64(big5('【機密】會議資料'))}?=`)],
    ['raw 8-bit Big5', big5('【機密】會議資料')],
    [
      'a Big5 character split across two encoded words',
      ascii(
        `=?big5?B?${b64(big5('【機密】會').subarray(0, 7))}?= =?big5?B?${b64(big5('【機密】會議資料').subarray(7))}?=`,
      ),
    ],
  ])('%s', async (_, subject) => {
    const message = await parseEml(mail(ascii('Please see below.'), 'us-ascii', subject), options());
    expect(message.subject).toBe('【機密】會議資料');
    const v = await verdictOf(message);
    expect(v.level).toBe('機密');
    expect(v.findings.some((f) => f.location === 'subject')).toBe(true);
  });

  it('an encoded word in an encoding that cannot be read is unreadable-charset, not allowed', async () => {
    const subject = ascii(`=?x-unknown?B?${b64(shiftJis('機密文書の件について'))}?=`);
    const v = await verdictOf(await parseEml(mail(ascii('Please see below.'), 'us-ascii', subject), options()));
    expect(v.unscannable).toEqual([expect.objectContaining({ location: 'subject', reason: 'unreadable-charset' })]);
    expect(v.verdict).toBe('block');
  });
});

describe('text attachments', () => {
  it('UTF-16LE without a BOM is found by its NULs and read', async () => {
    const bytes = Uint8Array.from(Buffer.from(MEMO, 'utf16le'));
    const v = await verdictOf(await parseEml(mailWithAttachment('memo.txt', bytes), options()));
    expect(v.level).toBe('機密');
    expect(v.unscannable).toEqual([]);
    const be = Uint8Array.from(Buffer.from(MEMO, 'utf16le')).map((_, i, a) => a[i ^ 1] as number);
    expect(decodeText(be)).toEqual({ ok: true, text: MEMO, encoding: 'utf-16be' });
  });

  it('a file that is itself base64 of a 公文 (encoded twice) is decoded and scanned', async () => {
    const once = ascii(b64(big5(MEMO)).replace(/.{76}/g, '$&\r\n'));
    const v = await verdictOf(await parseEml(mailWithAttachment('kungwen.txt', once), options()));
    expect(v.level).toBe('機密');
    expect(new Set(v.findings.map((f) => f.location))).toEqual(new Set(['attachment:kungwen.txt']));
    // Twice more wrapped, UTF-8 inside: still read (bounded at two layers inside the file).
    const twice = ascii(b64(ascii(b64(Uint8Array.from(Buffer.from(MEMO, 'utf8'))))));
    expect((await extractFile('memo.txt', twice, options())).segments.map((s) => s.text).join()).toContain(FIELD);
  });

  it('a text file that is base64 of a document is that document, extracted one level deeper', async () => {
    const docx = new Uint8Array(
      readFileSync(path.resolve(__dirname, '..', '..', 'fixtures', 'docs', 'header-mark.docx')),
    );
    const wrapped = ascii(b64(docx).replace(/.{76}/g, '$&\r\n'));
    const v = await verdictOf(await parseEml(mailWithAttachment('a.txt', wrapped), options()));
    expect(v.level).toBe('機密');
    expect(v.findings.map((f) => f.location)).toContain('attachment:a.txt#base64/word/header1.xml#header');
    // Under a second layer too; under a third, beyond what is peeled, unscannable.
    const twice = ascii(b64(ascii(b64(docx))));
    expect((await extractFile('a.txt', twice, options())).segments.map((s) => s.text).join()).toContain('機密');
    const thrice = ascii(b64(ascii(b64(ascii(b64(docx))))));
    expect((await extractFile('a.txt', thrice, options())).unscannable).toEqual([
      expect.objectContaining({ location: 'attachment:a.txt', reason: 'unreadable' }),
    ]);
  });

  it('text under more base64 layers than are peeled is unscannable, not allowed', async () => {
    const thrice = ascii(b64(ascii(b64(ascii(b64(Uint8Array.from(Buffer.from(MEMO, 'utf8'))))))));
    const v = await verdictOf(await parseEml(mailWithAttachment('memo.txt', thrice), options()));
    expect(v.unscannable).toEqual([expect.objectContaining({ location: 'attachment:memo.txt', reason: 'unreadable' })]);
    expect(v.verdict).not.toBe('allow');
  });

  it('a UTF-8 BOM over bytes that are not all UTF-8 is checked like any utf-8 label', () => {
    const bom = [0xef, 0xbb, 0xbf];
    const stray = Uint8Array.from([...bom, ...Buffer.from('會議 caf', 'utf8'), 0xe9, ...ascii(' ok')]);
    expect(decodeText(stray)).toMatchObject({ ok: true, text: '會議 caf\ufffd ok' });
    expect(decodeText(Uint8Array.from([...bom, ...big5(MEMO)]))).toMatchObject({ ok: true, text: MEMO });
  });

  it('base64 of binary, and words that merely look like base64, stay as they are', () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
    const text = b64(Uint8Array.from([...png, ...png]));
    expect(decodeText(ascii(text))).toEqual({ ok: true, text, encoding: 'us-ascii' });
    expect(decodeText(ascii('ThisIsAnIdentifierOfTwentyFourPlusChars'))).toMatchObject({ encoding: 'us-ascii' });
  });

  it('the part charset label is checked, not trusted: Big5 labelled utf-8 is Big5', async () => {
    const v = await verdictOf(await parseEml(mailWithAttachment('notes.txt', big5(MEMO), 'utf-8'), options()));
    expect(v.level).toBe('機密');
  });
});

describe('Big5 pairs with an ASCII trail byte hide among "isolated" high bytes', () => {
  // 密 is B1 4B and （）【】 are A1 5D/5E/69/6A: a lone high byte before an ASCII one.
  const mark = Uint8Array.from([0xa1, 0x69, 0xb1, 0x4b, 0xa1, 0x6a]);

  it('under a Latin label, a Big5 reading with a mark in it is read', async () => {
    expect(decodeCharset(mark, 'iso-8859-1')).toMatchObject({ ok: true, text: '【密】', encoding: 'big5' });
    expect(decodeCharset(big5('(密)'), 'windows-1252')).toMatchObject({ ok: true, text: '(密)' });
    // In Latin-1 prose, both readings are scanned.
    const body = Uint8Array.from([...latin1(FRENCH.replace('‑', '-')), 0x20, ...mark]);
    const message = await parseEml(
      mail(body, 'iso-8859-1', Uint8Array.from([...ascii('Re: '), ...big5('(密)')])),
      options(),
    );
    expect(message.bodyText).toContain('【密】');
    expect(message.bodyText).toContain("Le président a été élu à l'unanimité");
    expect(message.subject).toContain('(密)');
    const v = await verdictOf(message);
    expect(v.verdict).not.toBe('allow');
    expect(v.findings.map((f) => f.location)).toEqual(expect.arrayContaining(['body']));
  });

  it('under utf-8, stray bytes that pair up as Big5 are read as Big5, not as U+FFFD', async () => {
    const body = Uint8Array.from([...Buffer.from('請參閱附表。', 'utf8'), ...big5('（密）')]);
    expect(decodeCharset(body, 'utf-8')).toMatchObject({ ok: true, text: '請參閱附表。（密）' });
    const message = await parseEml(mail(body, 'utf-8'), options());
    expect(message.bodyText).not.toContain('\ufffd');
    expect((await verdictOf(message)).verdict).not.toBe('allow');
  });
});

describe('what stays doubtful is unreadable-charset, which the policy warns or blocks', () => {
  const doubtful = () => mail(shiftJis('機密文書の件について、ご確認ください。'), 'x-unknown');

  it('double-byte bytes that are neither UTF-8, Big5 nor GB18030', async () => {
    const v = await verdictOf(await parseEml(doubtful(), options()));
    expect(v.unscannable).toEqual([expect.objectContaining({ location: 'body', reason: 'unreadable-charset' })]);
    expect(v.verdict).toBe('block');
  });

  it('the policy may warn instead, but never allows', async () => {
    const warn: Policy = {
      ...DEFAULT_POLICY,
      unscannableByReason: { 'unreadable-charset': { internal: 'warn', external: 'warn' } },
    };
    expect((await verdictOf(await parseEml(doubtful(), options()), warn)).verdict).toBe('warn');
  });

  it('the same bytes under their own label (shift_jis) are read', async () => {
    const message = await parseEml(mail(shiftJis('機密文書の件について'), 'shift_jis'), options());
    expect(message.bodyText).toContain('機密文書の件について');
    expect((await verdictOf(message)).unscannable).toEqual([]);
  });

  it("in classic Outlook's runtime, an encoding it cannot decode is unreadable, not read as something else", async () => {
    setBig5Index(packedBig5Index());
    setGb18030Index(packedGb18030Index());
    const native = globalThis.TextDecoder;
    globalThis.TextDecoder = PureTextDecoder as unknown as typeof TextDecoder;
    try {
      expect(decodeCharset(shiftJis('機密文書'), 'shift_jis')).toMatchObject({
        ok: false,
        reason: 'unreadable-charset',
      });
      expect(decodeCharset(latin1('Příliš žluťoučký kůň'), 'iso-8859-2')).toMatchObject({ ok: false });
      // What it can decode, it decodes; ASCII needs no decoder at all.
      expect(decodeCharset(big5(MEMO), 'big5_tw')).toMatchObject({ ok: true, text: MEMO, encoding: 'big5' });
      // A user-defined character (造字, lead 0xFA) it cannot map is one lost character, not an unreadable part.
      const withUserDefined = Uint8Array.from([...big5('承辦人：王'), 0xfa, 0x40, ...big5(`明\r\n${MEMO}`)]);
      expect(decodeCharset(withUserDefined, 'big5')).toMatchObject({ ok: true, encoding: 'big5' });
      expect((decodeCharset(withUserDefined, 'big5') as { text: string }).text).toContain(FIELD);
      expect(decodeCharset(gb2312('密级：绝密★'), 'gb2312')).toMatchObject({ ok: true, text: '密级：绝密★' });
      expect(decodeCharset(gb2312('会议材料，密级：绝密★'), null)).toMatchObject({ ok: true, encoding: 'gb18030' });
      expect(decodeCharset(ascii('Agenda attached.'), 'shift_jis')).toMatchObject({
        ok: true,
        text: 'Agenda attached.',
      });
    } finally {
      globalThis.TextDecoder = native;
    }
  });
});

describe('hard negatives: no false alarm on mail that is fine', () => {
  it.each(['x-unknown', 'big5_tw', 'gb2312', 'utf-16', 'iso-2022-kr', 'x-euc-tw', 'none'])(
    'plain ASCII labelled %s is read as ASCII and allowed',
    async (label) => {
      const body = 'Hi all,\r\nThe meeting moves to Friday 10:00, room 3.\r\nThanks';
      const message = await parseEml(mail(ascii(body), label), options());
      expect(message.bodyText?.trim()).toBe(body.replace(/\r\n/g, '\n'));
      const v = await verdictOf(message);
      expect([v.verdict, v.unscannable]).toEqual(['allow', []]);
    },
  );

  it.each(['iso-8859-1', 'windows-1252', 'utf-8', 'x-unknown', null])(
    'French Latin-1 prose labelled %s is Latin-1, not Big5',
    async (label) => {
      const message = await parseEml(mail(latin1(FRENCH.replace('‑', '-')), label), options());
      expect(message.bodyText).toContain("Le président a été élu à l'unanimité");
      expect(message.bodyText).toContain('crème brûlée et «déjà-vu»');
      const v = await verdictOf(message);
      expect([v.verdict, v.unscannable]).toEqual(['allow', []]);
    },
  );

  it('Latin-1 symbols in a long English mail labelled iso-8859-1 stay Latin-1', async () => {
    const text = `${'The sensor reads within tolerance. '.repeat(20)}Range \xb15 units, see \xa73 and \xa74.`;
    const message = await parseEml(mail(latin1(text), 'iso-8859-1'), options());
    expect(message.bodyText).toContain('Range ±5 units, see §3 and §4.');
  });

  it('stray Latin-1 symbols in an English mail labelled utf-8 are not a charset problem', async () => {
    const v = await verdictOf(
      await parseEml(mail(latin1('Keep it at 25\xb0C \xb1 2, see \xa73.'), 'utf-8'), options()),
    );
    expect([v.verdict, v.unscannable]).toEqual(['allow', []]);
  });

  it('UTF-8 labelled us-ascii (a common slip) is UTF-8', async () => {
    const message = await parseEml(
      mail(Uint8Array.from(Buffer.from('Envoyé — 會議改期', 'utf8')), 'us-ascii'),
      options(),
    );
    expect(message.bodyText).toContain('Envoyé — 會議改期');
  });
});
