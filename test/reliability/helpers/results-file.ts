import { existsSync, mkdirSync, readFileSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

export const RESULTS_FILE = join(__dirname, '..', 'CHAOS-RESULTS.md');
const LOCK = `${RESULTS_FILE}.lock`;

const HEADER = `# Reliability figures

Written by \`npm run test:chaos\` (the long variants of \`test/reliability\`); each section is
replaced by the test that measures it. Replay a run with \`CHAOS_SEED=<seed> npm run test:chaos\`.
`;

/**
 * Replaces the `name` section of CHAOS-RESULTS.md (or appends it). Test files run in parallel
 * workers, so the read-modify-write happens under a lock directory (mkdir is atomic).
 */
export async function writeSection(name: string, markdown: string): Promise<void> {
  await underLock(() => replaceSection(name, () => `${markdown.trim()}\n\n_${environment()}_`));
}

const FUZZ_INTRO = `## Fuzzing

fast-check properties over hostile input (see \`test/reliability/fuzz-*.test.ts\`). Replay one with
\`CHAOS_SEED=<seed>\`.

| Property | Runs | Seed | Time |
| --- | --- | --- | --- |`;

/** One property's row in the fuzzing table; the other rows stay as they are. */
export async function writeFuzzRow(property: string, runs: number, seed: number, ms: number): Promise<void> {
  const row = `| ${property} | ${runs.toLocaleString('en')} | \`${seed}\` | ${(ms / 1000).toFixed(1)} s |`;
  await underLock(() =>
    replaceSection('fuzz', (current) => {
      const kept = (line: string) => line.startsWith('| ') && !/^\| (Property|---) \|/.test(line) && !line.startsWith(`| ${property} |`);
      const rows = (current ?? '').split('\n').filter(kept);
      return [FUZZ_INTRO, ...rows, row].join('\n') + `\n\n_${environment()}_`;
    }),
  );
}

function replaceSection(name: string, render: (current: string | undefined) => string): void {
  const current = existsSync(RESULTS_FILE) ? readFileSync(RESULTS_FILE, 'utf8') : HEADER;
  const section = new RegExp(`<!-- ${name} -->\\n([\\s\\S]*?)\\n<!-- /${name} -->`);
  const body = `<!-- ${name} -->\n${render(section.exec(current)?.[1])}\n<!-- /${name} -->`;
  const next = section.test(current) ? current.replace(section, () => body) : `${current.trimEnd()}\n\n${body}\n`;
  writeFileSync(RESULTS_FILE, next);
}

async function underLock(work: () => void): Promise<void> {
  for (let tries = 0; ; tries++) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (error) {
      if (tries > 200) throw error;
      // A lock this old was left by a run that was killed while holding it.
      if (Date.now() - (statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 30_000) rmdirSync(LOCK);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  try {
    work();
  } finally {
    rmdirSync(LOCK);
  }
}

function environment(): string {
  return `Measured ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} CPU cores, ${process.platform}.`;
}

/** A markdown table from rows of [label, value]. */
export function table(rows: [string, string | number][]): string {
  return ['| Figure | Value |', '| --- | --- |', ...rows.map(([label, value]) => `| ${label} | ${value} |`)].join('\n');
}
