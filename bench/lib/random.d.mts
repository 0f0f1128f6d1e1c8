// Types for test/reliability, which imports the generator from TypeScript.
export function seededRandom(seed: number): () => number;
