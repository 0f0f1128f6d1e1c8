/**
 * `GET /flowrra/api/metrics`: the figures flowrra_live's `stats()` gives (docs/monitoring.md), in
 * its shape, so a page reads either server alike. One process, no fan-out, no run index: `remote`
 * stays 0, `fanout` null, `runs` the results the store holds.
 */
export interface ServerStats {
  sockets: { flowrra: number; live: number };
  events: { local: number; remote: number };
  subscriber_errors: number;
  polls: Record<string, number>;
  poll_seconds: { count: number; sum: number };
  fanout: null;
  runs: number;
  workers: 1;
}

export class StatsCounter {
  events = 0;
  /** Peers dropped for not reading: the events they were sent never arrived. */
  subscriberErrors = 0;
  private readonly polls: Record<string, number> = {};
  private pollCount = 0;
  private pollSum = 0;

  /** One results answer, by status, and the seconds it took. */
  poll(status: number, seconds: number): void {
    this.polls[status] = (this.polls[status] ?? 0) + 1;
    this.pollCount++;
    this.pollSum += seconds;
  }

  stats(sockets: number, runs: number): ServerStats {
    return {
      sockets: { flowrra: sockets, live: 0 },
      events: { local: this.events, remote: 0 },
      subscriber_errors: this.subscriberErrors,
      polls: { ...this.polls },
      poll_seconds: { count: this.pollCount, sum: this.pollSum },
      fanout: null,
      runs,
      workers: 1,
    };
  }
}
