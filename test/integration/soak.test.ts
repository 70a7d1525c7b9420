/**
 * Soak: about two minutes of back-to-back scrape cycles of a 50-node simulated cluster with faults moving over 10%
 * of the agents (every kind, the operator too), dashboard queries and /metrics scrapes in between, a history ring
 * that wraps many times. Memory after warm-up must stay flat: heapUsed (after a full GC) and RSS within a bound,
 * printed with their trend. bench/soak.ts runs the same for an hour (--minutes 60).
 */
import { analyse, format, soak } from '../support/soak-driver';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 110);
const MiB = 1024 * 1024;

test(
  `memory stays flat over ${SECONDS} s of cycles with faults moving`,
  async () => {
    const result = await soak({
      durationMs: SECONDS * 1000,
      nodes: 50,
      pageKB: 40,
      seed: 7,
    });
    const a = analyse(result.samples);
    console.log(`soak (${SECONDS} s):\n${format(result, a)}`);
    expect(result.apiErrors).toEqual([]);
    expect(result.cycles).toBeGreaterThan(100);
    expect(result.faultChanges).toBeGreaterThan(20);
    // Faults of several kinds were really met.
    expect(Object.keys(result.failures).length).toBeGreaterThanOrEqual(5);
    // A cycle never waits much beyond the 250 ms scrape timeout, and the API stays quick.
    expect(result.maxCycleMs).toBeLessThan(3000);
    expect(result.maxApiMs).toBeLessThan(3000);
    // Flat after warm-up: the heap grows by less than 8 MiB plus 5%, RSS by less than 64 MiB.
    expect(a.cycles).toBeGreaterThan(50);
    expect(a.heapGrowth).toBeLessThan(8 * MiB + 0.05 * a.heapStart);
    expect(a.rssGrowth).toBeLessThan(64 * MiB);
  },
  (SECONDS + 90) * 1000
);
