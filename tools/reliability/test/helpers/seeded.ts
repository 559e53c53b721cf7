/** A seeded pseudo-random generator, so every reliability run can be replayed from its seed. */

/** mulberry32: small, fast, and good enough to schedule faults and fill payloads. Returns [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `length` bytes drawn from the seed. */
export function seededBytes(seed: number, length: number): Uint8Array {
  const random = seededRandom(seed);
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i += 4) {
    const word = Math.floor(random() * 4294967296);
    bytes[i] = word & 0xff;
    if (i + 1 < length) bytes[i + 1] = (word >>> 8) & 0xff;
    if (i + 2 < length) bytes[i + 2] = (word >>> 16) & 0xff;
    if (i + 3 < length) bytes[i + 3] = (word >>> 24) & 0xff;
  }
  return bytes;
}

/** A whole number in [min, max]. */
export function between(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}
