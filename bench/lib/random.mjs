// One seeded generator for the bench's workloads and the reliability tests' schedules, so that a
// seed means the same sequence everywhere. No imports: tests load it without a build.

/** mulberry32: small, fast, and good enough to drive a schedule from one 32-bit seed. */
export function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
