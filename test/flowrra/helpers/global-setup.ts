import type { TestProject } from 'vitest/node';
import { findRealFlowrra } from './python';

// Once per run, so a machine without Flowrra gets one line about it, not one per test file.
export default async function setup(project: TestProject): Promise<void> {
  const real = await findRealFlowrra();
  // Under CI the tests fail instead, with the same words (test/flowrra/helpers/real.ts).
  if ('missing' in real && process.env.CI !== 'true') console.warn(`real Flowrra tests skipped: ${real.missing}`);
  project.provide('realFlowrra', real);
}
