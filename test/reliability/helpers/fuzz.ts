import { writeFuzzRow } from './results-file';
import { chaosSeed } from './seed';
import { LONG, pick } from './variant';

export const FUZZ_RUNS = pick(300, 10_000);
// Taken before any test fakes the clock: fake timers replace performance.now as well.
const realNow = performance.now.bind(performance);

/** Runs one property with a printed, replayable seed; the long variant records it in CHAOS-RESULTS.md. */
export async function fuzz(property: string, run: (options: { seed: number; numRuns: number }) => unknown): Promise<void> {
  const seed = chaosSeed(`fuzz ${property}`);
  const started = realNow();
  await run({ seed, numRuns: FUZZ_RUNS });
  if (LONG) await writeFuzzRow(property, FUZZ_RUNS, seed, realNow() - started);
}
