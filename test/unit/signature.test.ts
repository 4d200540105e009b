import { describe, expect, test } from 'bun:test';
import {
  base64ToBytes,
  failed,
  headerValue,
  hexToBytes,
  HmacSha256,
  parseUnixSeconds,
  sha256,
  timingSafeEqual,
  utf8,
  withinTolerance,
} from '../../src/source/signature.ts';

const bytes = (...values: number[]) => new Uint8Array(values);
const hex = (data: Uint8Array) => [...data].map((b) => b.toString(16).padStart(2, '0')).join('');

describe('timingSafeEqual', () => {
  test('equal byte strings are equal', () => {
    expect(timingSafeEqual(bytes(1, 2, 3), bytes(1, 2, 3))).toBe(true);
    expect(timingSafeEqual(bytes(), bytes())).toBe(true);
  });

  test('a difference in the first, a middle or the last byte is found', () => {
    expect(timingSafeEqual(bytes(9, 2, 3), bytes(1, 2, 3))).toBe(false);
    expect(timingSafeEqual(bytes(1, 9, 3), bytes(1, 2, 3))).toBe(false);
    expect(timingSafeEqual(bytes(1, 2, 9), bytes(1, 2, 3))).toBe(false);
    // A single flipped bit in the last byte of a 32-byte digest.
    const digest = new Uint8Array(32).fill(0xab);
    const flipped = digest.slice();
    flipped[31] = 0xaa;
    expect(timingSafeEqual(digest, flipped)).toBe(false);
  });

  test('different lengths are unequal, including a prefix', () => {
    expect(timingSafeEqual(bytes(1, 2), bytes(1, 2, 3))).toBe(false);
    expect(timingSafeEqual(bytes(1, 2, 3), bytes(1, 2))).toBe(false);
    expect(timingSafeEqual(bytes(), bytes(0))).toBe(false);
  });
});

describe('encodings', () => {
  test('hex decodes either case and refuses odd lengths and non-hex', () => {
    expect(hexToBytes('00ff10Ab')).toEqual(bytes(0, 255, 16, 171));
    expect(hexToBytes('')).toEqual(bytes());
    expect(hexToBytes('abc')).toBeNull();
    expect(hexToBytes('zz')).toBeNull();
    expect(hexToBytes('0x10')).toBeNull();
  });

  test('base64 decodes standard base64 and refuses other text', () => {
    expect(base64ToBytes('AAEC/w==')).toEqual(bytes(0, 1, 2, 255));
    expect(base64ToBytes('not base64!')).toBeNull();
    expect(base64ToBytes('a')).toBeNull();
    expect(base64ToBytes('-_8')).toBeNull();
  });

  test('unix seconds are plain non-negative integers', () => {
    expect(parseUnixSeconds('1614265330')).toBe(1614265330);
    for (const bad of ['', 'hello', '-1', '1.5', '1e9', ' 1', '0x10']) expect(parseUnixSeconds(bad)).toBeNull();
  });

  test('a blank header counts as missing', () => {
    const headers = new Headers({ 'x-a': '  v  ', 'x-blank': '   ' });
    expect(headerValue(headers, 'X-A')).toBe('v');
    expect(headerValue(headers, 'x-blank')).toBeNull();
    expect(headerValue(headers, 'x-none')).toBeNull();
  });
});

describe('withinTolerance', () => {
  const now = 1_700_000_000_000;
  test('accepts up to the tolerance either way and nothing beyond', () => {
    expect(withinTolerance(1_700_000_000, now, 300)).toBe(true);
    expect(withinTolerance(1_700_000_000 - 300, now, 300)).toBe(true);
    expect(withinTolerance(1_700_000_000 + 300, now, 300)).toBe(true);
    expect(withinTolerance(1_700_000_000 - 301, now, 300)).toBe(false);
    expect(withinTolerance(1_700_000_000 + 301, now, 300)).toBe(false);
  });
});

describe('HmacSha256', () => {
  // RFC 4231, test case 2.
  const rfc4231 = { key: 'Jefe', data: 'what do ya want for nothing?', mac: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843' };

  test('matches the RFC 4231 test vector', async () => {
    const hmac = new HmacSha256([utf8(rfc4231.key)]);
    expect(await hmac.matchesAny(rfc4231.data, [hexToBytes(rfc4231.mac)!])).toBe(true);
    expect(await hmac.matchesAny(`${rfc4231.data}!`, [hexToBytes(rfc4231.mac)!])).toBe(false);
  });

  test('any configured key may match any candidate (rotation, several signatures)', async () => {
    const hmac = new HmacSha256([utf8('old'), utf8(rfc4231.key)]);
    const wrong = new Uint8Array(32);
    expect(await hmac.matchesAny(rfc4231.data, [wrong, hexToBytes(rfc4231.mac)!, wrong])).toBe(true);
    expect(await hmac.matchesAny(rfc4231.data, [wrong])).toBe(false);
    expect(await hmac.matchesAny(rfc4231.data, [])).toBe(false);
  });

  test('needs a key', () => {
    expect(() => new HmacSha256([])).toThrow();
  });

  test('sha256 of a text', async () => {
    expect(hex(await sha256('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  test('a failure carries only its check', () => {
    expect(failed('no signature matched')).toEqual({ ok: false, check: 'no signature matched' });
  });
});
