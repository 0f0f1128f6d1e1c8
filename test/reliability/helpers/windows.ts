/** The most timestamps (ms) falling in any window of `width` ms: a sliding window, not fixed bins. */
export function peakInWindow(times: number[], width: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let peak = 0;
  for (let end = 0, start = 0; end < sorted.length; end++) {
    while (sorted[end] - sorted[start] >= width) start++;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
}
