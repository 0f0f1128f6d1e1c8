/** `npm run test:chaos` sets CHAOS=long: the same tests at full size. */
export const LONG = process.env.CHAOS === 'long';

/** Picks the figure for the running variant. */
export function pick<T>(fast: T, long: T): T {
  return LONG ? long : fast;
}
