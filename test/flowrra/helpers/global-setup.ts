import type { TestProject } from 'vitest/node';
import { findRealFlowrra } from './python';

// Once per run, so a machine without Flowrra gets one line about it, not one per test file.
export default async function setup(project: TestProject): Promise<void> {
  const real = await findRealFlowrra();
  if ('missing' in real) console.warn(real.missing);
  project.provide('realFlowrra', real);
}
