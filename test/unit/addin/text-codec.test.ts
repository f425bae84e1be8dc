/**
 * The pure-JS decoders the on-send script uses where the runtime has no TextDecoder, held to Node's (WHATWG)
 * decoder on the same bytes, and the base64 reader held to Node's Buffer.
 */
import fc from 'fast-check';

import { base64ToBytes } from '../../../addin/on-send/runtime/base64';
import { PureBlob } from '../../../addin/on-send/runtime/blob';
import {
  BIG5_FIRST_POINTER,
  BIG5_POINTER_COUNT,
  PureTextDecoder,
  PureTextEncoder,
  setBig5Index,
  setGb18030Index,
} from '../../../addin/on-send/runtime/text-codec';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { packedBig5Index } = require('../../../scripts/build/big5-index.cjs') as { packedBig5Index: () => string };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { packedGb18030Index } = require('../../../scripts/build/gb18030-index.cjs') as {
  packedGb18030Index: () => { index: string; ranges: number[] };
};

beforeAll(() => {
  setBig5Index(packedBig5Index());
  setGb18030Index(packedGb18030Index());
});

const native = (label: string, bytes: Uint8Array, fatal: boolean): string | 'error' => {
  try {
    return new TextDecoder(label, { fatal }).decode(bytes);
  } catch {
    return 'error';
  }
};
const pure = (label: string, bytes: Uint8Array, fatal: boolean): string | 'error' => {
  try {
    return new PureTextDecoder(label, { fatal }).decode(bytes);
  } catch {
    return 'error';
  }
};

describe('PureTextDecoder', () => {
  it.each(['utf-8', 'utf-16le', 'utf-16be'])('decodes %s like the WHATWG decoder, fatal or not', (label) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.boolean(), (bytes, fatal) => {
        expect(pure(label, bytes, fatal)).toEqual(native(label, bytes, fatal));
      }),
      { numRuns: 3000 },
    );
  });

  it('decodes valid UTF-8 of any text exactly, BOM removed', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
        const bytes = new TextEncoder().encode(`\ufeff${text}`);
        expect(new PureTextDecoder('utf-8', { fatal: true }).decode(bytes)).toBe(text);
      }),
    );
  });

  it('decodes every Big5 pair of lead bytes 0xA1–0xF9 as the WHATWG decoder does', () => {
    const pairs: number[] = [];
    for (let p = BIG5_FIRST_POINTER; p < BIG5_FIRST_POINTER + BIG5_POINTER_COUNT; p++) {
      const t = p % 157;
      pairs.push(Math.floor(p / 157) + 0x81, t < 0x3f ? t + 0x40 : t + 0x62);
    }
    const bytes = Uint8Array.from(pairs);
    expect(pure('big5', bytes, false)).toBe(native('big5', bytes, false));
  });

  it('decodes Big5 text with ASCII and broken sequences like the WHATWG decoder', () => {
    // Lead bytes only from 0xA1–0xF9 (0xFA–0xFE are user-defined: Node maps them to private use, the index does not).
    const big5Byte = fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa1, max: 0xf9 }));
    fc.assert(
      fc.property(fc.array(big5Byte, { maxLength: 40 }), fc.boolean(), (list, fatal) => {
        const bytes = Uint8Array.from(list);
        expect(pure('big5', bytes, fatal)).toEqual(native('big5', bytes, fatal));
      }),
      { numRuns: 3000 },
    );
    expect(new PureTextDecoder('big5').decode(Uint8Array.from([0xbe, 0xf7, 0xb1, 0x4b]))).toBe('機密');
    // WHATWG: 0x80 and 0xFF are never Big5; a bad pair with an ASCII trail keeps the ASCII.
    expect(new PureTextDecoder('big5').decode(Uint8Array.from([0x80, 0x41, 0xff, 0xa4, 0x20]))).toBe(
      '\ufffdA\ufffd\ufffd ',
    );
    expect(() => new PureTextDecoder('big5', { fatal: true }).decode(Uint8Array.from([0xfa, 0x40]))).toThrow(TypeError);
  });

  it('decodes windows-1252 (what latin1 and ascii mean) with the WHATWG table for 0x80–0x9F', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const text = new PureTextDecoder('latin1', { fatal: true }).decode(all);
    expect(text.length).toBe(256);
    for (let i = 0; i < 256; i++) {
      if (i < 0x80 || i >= 0xa0) {
        expect(text.charCodeAt(i)).toBe(i);
      }
    }
    expect(text.slice(0x80, 0xa0)).toBe('€\x81‚ƒ„…†‡ˆ‰Š‹Œ\x8dŽ\x8f\x90‘’“”•–—˜™š›œ\x9džŸ');
  });

  it('decodes every GBK/GB18030 pair as the WHATWG decoder does', () => {
    const pairs: number[] = [];
    for (let lead = 0x81; lead <= 0xfe; lead++) {
      for (let trail = 0x40; trail <= 0xfe; trail++) {
        if (trail !== 0x7f) {
          pairs.push(lead, trail);
        }
      }
    }
    const bytes = Uint8Array.from(pairs);
    expect(pure('gb18030', bytes, false)).toBe(native('gb18030', bytes, false));
    // WHATWG decodes GBK labels with the GB18030 decoder; Node's ICU has a GBK table of its own, so the reference here
    // is its gb18030.
    expect(pure('gbk', bytes, false)).toBe(native('gb18030', bytes, false));
  });

  it('decodes GB18030 four-byte sequences, ASCII and broken sequences like the WHATWG decoder', () => {
    const gbByte = fc.oneof(
      fc.integer({ min: 0x20, max: 0x7e }),
      fc.integer({ min: 0x30, max: 0x39 }),
      fc.integer({ min: 0x80, max: 0xff }),
    );
    fc.assert(
      fc.property(fc.array(gbByte, { maxLength: 40 }), fc.boolean(), (list, fatal) => {
        const bytes = Uint8Array.from(list);
        expect(pure('gb18030', bytes, fatal)).toEqual(native('gb18030', bytes, fatal));
      }),
      { numRuns: 5000 },
    );
    // Every BMP four-byte pointer, and the supplementary planes by arithmetic.
    const four: number[] = [];
    for (let p = 0; p < 39420; p++) {
      four.push(Math.floor(p / 12600) + 0x81, (Math.floor(p / 1260) % 10) + 0x30, (Math.floor(p / 10) % 126) + 0x81);
      four.push((p % 10) + 0x30);
    }
    four.push(0x90, 0x30, 0x81, 0x30, 0xe3, 0x32, 0x9a, 0x35, 0x84, 0x31, 0xa4, 0x39);
    const bytes = Uint8Array.from(four);
    expect(pure('gb18030', bytes, false)).toBe(native('gb18030', bytes, false));
    expect(new PureTextDecoder('gb2312').decode(Uint8Array.from([0xbb, 0xfa, 0xc3, 0xdc]))).toBe('机密');
    expect(new PureTextDecoder('gb2312').encoding).toBe('gbk');
  });

  it('knows Shift_JIS and the other legacy encodings by name but refuses to decode them, so nothing falls back to windows-1252', () => {
    for (const label of ['shift_jis', 'euc-kr', 'iso-8859-2']) {
      const decoder = new PureTextDecoder(label);
      expect(() => decoder.decode(Uint8Array.from([0xc3, 0xdc]))).toThrow(TypeError);
    }
    expect(() => new PureTextDecoder('klingon')).toThrow(RangeError);
    expect(new PureTextDecoder('latin1').encoding).toBe('windows-1252');
    expect(new PureTextDecoder(' UTF8 ').encoding).toBe('utf-8');
  });
});

describe('PureTextDecoder in a stream ({ stream: true }), as the send path reads inflated XML', () => {
  /** Decodes `bytes` cut at the given points, each piece with `stream: true`, then the final call. */
  const streamed = (decoder: { decode: TextDecoder['decode'] }, bytes: Uint8Array, cuts: number[]): string => {
    let out = '';
    let from = 0;
    for (const cut of [...cuts].sort((a, b) => a - b)) {
      out += decoder.decode(bytes.subarray(from, cut), { stream: true });
      from = cut;
    }
    out += decoder.decode(bytes.subarray(from), { stream: true });
    return out + decoder.decode();
  };

  it('reads a mark cut anywhere in UTF-8 whole: every split point of a multi-byte text', () => {
    const text = '\ufeff【機密】𠀀ü本案';
    const bytes = new TextEncoder().encode(text);
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(streamed(new PureTextDecoder('utf-8', { fatal: true }), bytes, [cut])).toBe(text.slice(1));
    }
    for (let a = 0; a <= bytes.length; a++) {
      for (let b = a; b <= bytes.length; b++) {
        expect(streamed(new PureTextDecoder('utf-8'), bytes, [a, b])).toBe(text.slice(1));
      }
    }
  });

  it('reads UTF-16 cut inside a code unit or between surrogates whole', () => {
    const text = '【機密】𠀀x';
    for (const [label, bigEndian] of [
      ['utf-16le', false],
      ['utf-16be', true],
    ] as const) {
      const units = Array.from({ length: text.length }, (_, k) => text.charCodeAt(k));
      const bytes = Uint8Array.from(units.flatMap((u) => (bigEndian ? [u >> 8, u & 0xff] : [u & 0xff, u >> 8])));
      for (let cut = 0; cut <= bytes.length; cut++) {
        expect(streamed(new PureTextDecoder(label, { fatal: true }), bytes, [cut])).toBe(text);
      }
    }
  });

  it.each(['utf-8', 'utf-16le', 'utf-16be', 'big5', 'gb18030'])(
    'decodes %s in any pieces as the WHATWG decoder decodes the whole, an incomplete end included',
    (label) => {
      // The reference is Node's decoder on the whole input: its ICU gb18030 throws when streamed. Big5 bytes as in
      // the Big5 test above (Node maps 0x80 and the user-defined leads 0xFA–0xFE, the index does not).
      const byte =
        label === 'big5'
          ? fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa1, max: 0xf9 }))
          : fc.integer({ min: 0, max: 255 });
      fc.assert(
        fc.property(
          fc.array(byte, { maxLength: 48 }),
          fc.array(fc.integer({ min: 0, max: 48 }), { maxLength: 4 }),
          (list, cuts) => {
            const bytes = Uint8Array.from(list);
            const at = cuts.map((c) => Math.min(c, bytes.length));
            expect(streamed(new PureTextDecoder(label), bytes, at)).toBe(new TextDecoder(label).decode(bytes));
          },
        ),
        { numRuns: 3000 },
      );
    },
  );

  it('a call without stream ends the stream: a held incomplete character is U+FFFD, and the next call starts anew', () => {
    const decoder = new PureTextDecoder('utf-8');
    expect(decoder.decode(Uint8Array.from([0x41, 0xe6, 0xa9]), { stream: true })).toBe('A');
    expect(decoder.decode()).toBe('\ufffd');
    expect(decoder.decode(Uint8Array.from([0xef, 0xbb, 0xbf, 0x42]))).toBe('B');
    const fatal = new PureTextDecoder('utf-8', { fatal: true });
    expect(fatal.decode(Uint8Array.from([0xe6]), { stream: true })).toBe('');
    expect(() => fatal.decode()).toThrow(TypeError);
  });
});

describe('PureTextEncoder, PureBlob, base64ToBytes', () => {
  it('encodes like TextEncoder, lone surrogates included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 100 }), (text) => {
        expect(new PureTextEncoder().encode(text)).toEqual(new TextEncoder().encode(text));
      }),
    );
  });

  it('joins blob parts into one buffer', async () => {
    const blob = new PureBlob([Uint8Array.from([1, 2]), '機', new Uint8Array([9]).buffer, new PureBlob(['a'])]);
    expect(blob.size).toBe(7);
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(Uint8Array.from([1, 2, 0xe6, 0xa9, 0x9f, 9, 0x61]));
  });

  it('reads base64 (with line breaks, with or without padding) as Buffer does, and rejects what is not base64', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (bytes, wrap) => {
        let text = Buffer.from(bytes).toString('base64');
        if (wrap) {
          text = text.replace(/(.{76})/g, '$1\r\n');
        }
        expect(base64ToBytes(text)).toEqual(new Uint8Array(bytes));
        expect(base64ToBytes(text.replace(/=+$/, ''))).toEqual(new Uint8Array(bytes));
      }),
    );
    expect(() => base64ToBytes('%%%')).toThrow('not base64');
    expect(() => base64ToBytes('QUJD\u6a5f')).toThrow('not base64');
    expect(() => base64ToBytes('QUJDR')).toThrow('lone trailing digit');
    expect(() => base64ToBytes('QU=JD')).toThrow('not base64');
  });
});
