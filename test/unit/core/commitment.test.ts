import { createHash, createHmac } from 'node:crypto';

import fc from 'fast-check';

import {
  commitToDigest,
  commitToText,
  LENGTH_BUCKETS,
  lengthBucket,
  MIN_LENGTH_BUCKET,
  SALT_BYTES,
} from '../../../src/core/commitment';
import { utf8Bytes } from '../../../src/core/regex';
import { bytesOfHex, hexOf, hmacSha256 } from '../../../src/core/sha256';

describe('hmacSha256', () => {
  it('matches RFC 4231 test cases 1, 2 and 6 (a key longer than a block)', () => {
    expect(hexOf(hmacSha256(bytesOfHex('0b'.repeat(20)), utf8Bytes('Hi There')))).toBe(
      'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
    );
    expect(hexOf(hmacSha256(utf8Bytes('Jefe'), utf8Bytes('what do ya want for nothing?')))).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
    expect(
      hexOf(
        hmacSha256(bytesOfHex('aa'.repeat(131)), utf8Bytes('Test Using Larger Than Block-Size Key - Hash Key First')),
      ),
    ).toBe('60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54');
  });

  it('property: agrees with Node for any key and message', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 300 }), (key, message) => {
        expect(hexOf(hmacSha256(key, message))).toBe(createHmac('sha256', key).update(message).digest('hex'));
      }),
      { numRuns: 300 },
    );
  });
});

describe('the commitment to a removed part', () => {
  const text = '〔機密〕開會時間改為3月5日14時〔/機密〕';
  const salt = '00112233445566778899aabbccddeeff';

  it('is HMAC-SHA256(salt, SHA-256(text)), as a 政風 officer recomputes it with standard tools', () => {
    const digest = createHash('sha256').update(text, 'utf8').digest();
    const expected = createHmac('sha256', Buffer.from(salt, 'hex')).update(digest).digest('hex');
    expect(commitToText(text, salt)).toBe(expected);
    expect(commitToDigest(digest.toString('hex'), bytesOfHex(salt))).toBe(expected);
  });

  it('differs under another salt, and refuses a short salt or a digest that is not one', () => {
    expect(commitToText(text, 'ff'.repeat(SALT_BYTES))).not.toBe(commitToText(text, salt));
    expect(() => commitToText(text, 'ab'.repeat(SALT_BYTES - 1))).toThrow(RangeError);
    expect(() => commitToDigest('xyz', bytesOfHex(salt))).toThrow(RangeError);
    expect(() => bytesOfHex('abc')).toThrow(RangeError);
  });

  it('buckets lengths to powers of two from 64, so a short part says only that it is short', () => {
    expect([0, 1, 24, 64, 65, 128, 129, 5000].map(lengthBucket)).toEqual([64, 64, 64, 64, 128, 128, 256, 8192]);
    expect(LENGTH_BUCKETS[0]).toBe(MIN_LENGTH_BUCKET);
    expect(lengthBucket(2 ** 40)).toBe(LENGTH_BUCKETS[LENGTH_BUCKETS.length - 1]);
  });
});
