// Frames cross to the inference worker in SharedArrayBuffers. TypedArray.set() into
// shared memory copies with V8's relaxed (word by word) memmove, at half the speed of
// libc's: ~0.06 against ~0.035 ms for a 640x480 RGB frame here. Buffer.fill() with a value
// as long as the range is one plain memcpy, so both copies of a camera frame (the booth's
// slot, the detector's own buffer) go through here.

/** n bytes of new shared memory, as a Buffer (for copyInto). */
export function sharedBytes(n: number): Buffer {
  return Buffer.from(new SharedArrayBuffer(n));
}

/** Copy the first n bytes of `from` to the start of `to` (n > 0, both at least n long). */
export function copyInto(to: Buffer, from: Uint8Array, n: number): void {
  to.fill(from.length === n ? from : from.subarray(0, n), 0, n);
}
