import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    environment: 'node',
    // Finds the real Flowrra and its Python frameworks once, for the tests in test/flowrra.
    globalSetup: ['test/flowrra/helpers/global-setup.ts'],
    // The JSON report lets .ci/run print one closing "N passed, N failed" line.
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
    testTimeout: 20000,
    hookTimeout: 20000,
  },
});
