#!/usr/bin/env node
/**
 * A query replica for the history benchmark (replica.ts starts it): the exporter of a build directory with
 * `--history-backend prometheus`, its clock fixed at NOW_MS when given. Prints `{"url"}` once listening; exits on
 * SIGINT or SIGTERM after closing the exporter.
 *
 * Usage: node bench/history/replica-process.js BUILD_DIR PROMETHEUS_URL [NOW_MS] [exporter flags...]
 */
'use strict';

const path = require('node:path');

async function main() {
  const [build, prometheusUrl, nowMs, ...flags] = process.argv.slice(2);
  const { startExporter, queryReplicaConfig } = require(path.join(path.resolve(build), 'exporter', 'app.js'));
  const fixed = nowMs ? Number(nowMs) : null;
  const exporter = await startExporter(
    queryReplicaConfig(prometheusUrl, flags),
    fixed === null ? {} : { now: () => fixed }
  );
  process.stdout.write(`${JSON.stringify({ url: exporter.url })}\n`);
  const stop = async () => {
    await exporter.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
