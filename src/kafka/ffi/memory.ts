const encoder = new TextEncoder();

/** A NUL-terminated UTF-8 copy of `text`, for a `const char *` argument. */
export function cstr(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length * 3 + 1);
  const { written } = encoder.encodeInto(text, bytes);
  return bytes.subarray(0, written + 1);
}

/** UTF-8 bytes of a string, or the bytes themselves. */
export function bytesOf(value: string | Uint8Array): Uint8Array {
  return typeof value === 'string' ? encoder.encode(value) : value;
}

/** Writes a 64-bit unsigned value (a pointer or size_t < 2^53) into a little-endian Uint32Array. */
export function writeU64(words: Uint32Array, byteOffset: number, value: number): void {
  const index = byteOffset >>> 2;
  words[index] = value >>> 0;
  words[index + 1] = Math.floor(value / 0x1_0000_0000);
}

let held: readonly unknown[] = [];

/**
 * Call after a native call with the buffers whose addresses it took: a pointer number does not
 * keep its buffer alive, so without a use after the call the GC could free one while C reads it.
 */
export function keepAlive(...buffers: readonly unknown[]): void {
  held = buffers;
}
