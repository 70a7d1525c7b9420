/**
 * Soak by hand: --minutes of back-to-back scrape cycles of a simulated cluster (in this process, on the
 * simulator's clock) with faults moving over 10% of the agents every few cycles, dashboard queries and /metrics
 * scrapes in between, and memory sampled after a full GC (test/support/soak-driver.ts, the same as
 * test/integration/soak.test.ts runs for two minutes). Prints progress, then heapUsed and RSS after warm-up with
 * their trend, against the bound the CI test holds (heap growth < 8 MiB + 5%, RSS growth < 64 MiB). The exporter
 * and simulator run from their TypeScript sources, so the process also holds ts-node and the TypeScript compiler
 * (about 27 MiB of heap and 85 MiB of RSS on Node 20, the same from start to end): the bounds are on growth.
 *
 * Usage: npx ts-node bench/soak.ts [--minutes 60] [--nodes 50] [--page-kb 40] [--seed 1] [--quick]
 */
import { parseArgs } from 'node:util';
import { analyse, format, soak } from '../test/support/soak-driver';

const { describeMachine } = require('./scale/proc') as { describeMachine: () => string };

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '60' },
      nodes: { type: 'string', default: '50' },
      'page-kb': { type: 'string', default: '40' },
      seed: { type: 'string', default: '1' },
      quick: { type: 'boolean' },
    },
  });
  const minutes = values.quick ? 2 : Number(values.minutes);
  console.log(
    `soak: ${minutes} min, ${values.nodes} nodes × ${values['page-kb']} KiB, faults moving over 10% of the agents`
  );
  console.log(`machine: ${describeMachine()}`);
  let lastPrint = 0;
  const result = await soak({
    durationMs: minutes * 60_000,
    nodes: Number(values.nodes),
    pageKB: Number(values['page-kb']),
    seed: Number(values.seed),
    onSample: (s, r) => {
      if (s.seconds - lastPrint >= Math.min(60, minutes * 6)) {
        lastPrint = s.seconds;
        console.log(
          `  ${s.seconds.toFixed(0).padStart(5)} s  cycle ${String(s.cycle).padStart(6)}  heapUsed ${(s.heapUsed / 2 ** 20).toFixed(1)} MiB  RSS ${(s.rss / 2 ** 20).toFixed(1)} MiB  history ${s.historySeries} series  API errors ${r.apiErrors.length}`
        );
      }
    },
  });
  const a = analyse(result.samples);
  console.log(format(result, a));
  const MiB = 2 ** 20;
  const heapOk = a.heapGrowth < 8 * MiB + 0.05 * a.heapStart;
  const rssOk = a.rssGrowth < 64 * MiB;
  console.log(
    `bounds: heap growth ${heapOk ? 'within' : 'OVER'} 8 MiB + 5%; RSS growth ${rssOk ? 'within' : 'OVER'} 64 MiB; API errors ${result.apiErrors.length}`
  );
  for (const e of result.apiErrors.slice(0, 5)) {
    console.log(`  ${e}`);
  }
  process.exit(heapOk && rssOk && result.apiErrors.length === 0 ? 0 : 1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
