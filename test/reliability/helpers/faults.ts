import type { ChaosProxy, Link } from './proxy';
import { between } from './seed';

export type FaultKind = 'close' | 'stall' | 'blackhole' | 'outage';

export interface Fault {
  /** ms after the schedule starts */
  at: number;
  kind: FaultKind;
  /** How long a stall, black hole or outage lasts. */
  holdMs: number;
  /** A stall ends with the stalled connections closed (true) or flowing again (false). */
  thenClose: boolean;
}

export interface FaultShape {
  durationMs: number;
  gapMs: [number, number];
  holdMs: [number, number];
}

/*
 * - close: every connection ends at once.
 * - stall: every open connection stops carrying anything, both ways, without closing.
 * - blackhole: a stall that also swallows new connections.
 * - outage: every connection ends and new ones are refused for a while (a server restart).
 */
const KINDS: FaultKind[] = ['close', 'close', 'stall', 'stall', 'blackhole', 'outage', 'outage'];

/** The whole schedule, drawn from the seed up front so that a replay gets the same one. */
export function planFaults(random: () => number, shape: FaultShape): Fault[] {
  const faults: Fault[] = [];
  for (let at = between(random, ...shape.gapMs); ; ) {
    const kind = KINDS[Math.floor(random() * KINDS.length)];
    const holdMs = kind === 'close' ? 0 : between(random, ...shape.holdMs);
    if (at + holdMs > shape.durationMs) return faults;
    faults.push({ at, kind, holdMs, thenClose: random() < 0.5 });
    at += holdMs + between(random, ...shape.gapMs);
  }
}

export interface FaultLog {
  /** Faults that hit at least one connection: closed, stalled or refused it. */
  effective: number;
  byKind: Record<FaultKind, number>;
}

/** Plays `faults` on `proxy` in real time, one after the other (none before its time); resolves after the last one ends. */
export async function runFaults(proxy: ChaosProxy, faults: Fault[]): Promise<FaultLog> {
  const log: FaultLog = { effective: 0, byKind: { close: 0, stall: 0, blackhole: 0, outage: 0 } };
  const started = performance.now();
  const until = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, started + ms - performance.now())));
  for (const fault of faults) {
    await until(fault.at);
    // A fault is meant for live connections: right after a close there may be none for a moment.
    for (let waited = 0; proxy.open === 0 && waited < 2_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    const before = { ...proxy.counts };
    await play(proxy, fault);
    const hit = proxy.counts.closed - before.closed + proxy.counts.stalled - before.stalled + proxy.counts.refused - before.refused;
    if (hit > 0) {
      log.effective++;
      log.byKind[fault.kind]++;
    }
  }
  return log;
}

async function play(proxy: ChaosProxy, fault: Fault): Promise<void> {
  // Held from when the fault began, which may be a little after its planned time.
  const hold = () => new Promise((resolve) => setTimeout(resolve, fault.holdMs));
  let stalled: Link[] = [];
  switch (fault.kind) {
    case 'close':
      proxy.closeAll();
      return;
    case 'outage':
      proxy.closeAll();
      proxy.refuse(true);
      await hold();
      proxy.refuse(false);
      return;
    case 'blackhole':
      proxy.stallNew(true);
      stalled = proxy.stallAll();
      await hold();
      proxy.stallNew(false);
      break;
    case 'stall':
      stalled = proxy.stallAll();
      await hold();
  }
  // Connections born inside a black hole are stalled too; they end the same way as the others.
  const all = fault.kind === 'blackhole' ? proxy.stalledLinks() : stalled;
  if (fault.thenClose) proxy.close(all);
  else proxy.resume(all);
}
