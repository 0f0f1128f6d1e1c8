import { describe, inject, it } from 'vitest';

/**
 * `describe` for tests that need the real Flowrra: skipped when it is missing (globalSetup printed
 * the one line saying what to install), except under CI, where a missing Flowrra fails.
 */
export function describeRealFlowrra(name: string, body: (real: { pythonPath: string[] }) => void): void {
  const real = inject('realFlowrra');
  if ('pythonPath' in real) describe(name, () => body(real));
  else if (process.env.CI === 'true') {
    describe(name, () =>
      it('finds Flowrra and the Python frameworks', () => {
        throw new Error(real.missing);
      }),
    );
  } else describe.skip(name, () => body({ pythonPath: [] }));
}
