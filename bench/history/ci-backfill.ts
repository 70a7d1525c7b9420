/**
 * npm run history-backfill: the 30-day test's backfill (CI_SHAPE: 1,000 nodes × 30 days at 1 h) made into the cache
 * (bench/history/cached.ts) unless it is there already; prints which, and the figures of the run that made it.
 * `.ci/run` runs it before the tests, so test/integration/history-30d.test.ts finds it.
 */
import { cachedBackfill } from './cached';
import { CI_SHAPE } from './defaults';

cachedBackfill({ ...CI_SHAPE }, (line) => process.stderr.write(`  ${line}\n`)).then(
  (entry) => {
    const f = entry.figures;
    console.log(
      `${entry.made ? 'made' : 'found in the cache'}: ${entry.dir} (${entry.seconds.toFixed(0)} s)\n` +
        `  ${f.nodes} nodes × ${f.days} days at ${f.resolutionSeconds} s, ${f.series.toLocaleString('en')} series, ${f.samples.toLocaleString('en')} samples, ` +
        `${f.blocks} blocks, TSDB ${(f.diskBytes / 1e6).toFixed(0)} MB; when made: generation ${f.generateCpuSeconds.toFixed(0)} CPU s, ` +
        `promtool ${f.promtoolCpuSeconds.toFixed(0)} CPU s, ${f.wallSeconds.toFixed(0)} s of wall time`
    );
    process.exit(0);
  },
  (err) => {
    console.error(err);
    process.exit(1);
  }
);
