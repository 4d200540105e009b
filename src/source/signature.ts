// Signature checks shared by the signed sources. Web Crypto only (crypto.subtle), so the same code
// runs on Node, Bun, Deno and Cloudflare Workers.
import type { VerifyResult } from './types.ts';

export const VERIFIED: VerifyResult = { ok: true };

/** A failed check; `check` is shown to the sender, so it names the check and nothing secret. */
export function failed(check: string): VerifyResult {
  return { ok: false, check };
}

const encoder = new TextEncoder();

export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text);
}

/**
 * Compares two byte strings in time that depends on their length only: every byte is visited, with
 * no early exit. Lengths are public here (digests have a fixed size).
 */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

/** Hex (either case) to bytes; null when `hex` is not an even-length hex string. */
export function hexToBytes(hex: string): Uint8Array | null {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return null;
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/** Standard base64 to bytes; null when `text` is not base64. */
export function base64ToBytes(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    return null;
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The value of a header, trimmed; null when absent or blank. */
export function headerValue(headers: Headers, name: string): string | null {
  const value = headers.get(name)?.trim();
  return value ? value : null;
}

/** Unix seconds from a header; null unless it is a plain non-negative integer. */
export function parseUnixSeconds(text: string): number | null {
  return /^\d{1,15}$/.test(text) ? Number(text) : null;
}

/** True when the signed timestamp is within `toleranceSeconds` of the receiver's clock, either way. */
export function withinTolerance(timestampSeconds: number, receivedAtMs: number, toleranceSeconds: number): boolean {
  const nowSeconds = Math.floor(receivedAtMs / 1000);
  return Math.abs(nowSeconds - timestampSeconds) <= toleranceSeconds;
}

/** SHA-256 of `text`, for comparing secrets of any length in constant time (bearer tokens). */
export async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', utf8(text)));
}

/**
 * HMAC-SHA256 under one or more keys (several while a secret is being rotated). The keys are
 * imported once, as non-extractable CryptoKeys, and only ever used to sign.
 */
export class HmacSha256 {
  private readonly keys: Promise<CryptoKey[]>;

  constructor(secrets: readonly Uint8Array<ArrayBuffer>[]) {
    if (secrets.length === 0) throw new Error('HMAC-SHA256 needs at least one secret');
    this.keys = Promise.all(
      secrets.map((secret) => crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])),
    );
  }

  /** True when some candidate equals HMAC-SHA256(key, message) for some configured key. */
  async matchesAny(message: string, candidates: readonly Uint8Array[]): Promise<boolean> {
    if (candidates.length === 0) return false;
    const data = utf8(message);
    let matched = false;
    for (const key of await this.keys) {
      const digest = new Uint8Array(await crypto.subtle.sign('HMAC', key, data));
      // Every candidate is compared even after a match, so timing says nothing about which one it was.
      for (const candidate of candidates) if (timingSafeEqual(digest, candidate)) matched = true;
    }
    return matched;
  }
}
