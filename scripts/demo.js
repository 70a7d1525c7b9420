#!/usr/bin/env node
/**
 * `npm run demo`: a simulated Cilium cluster and the exporter wired to it, in one process. Prints the URLs and
 * stops cleanly on Ctrl-C. Options: --nodes N (20), --exporter HOST:PORT (127.0.0.1:9967),
 * --simulator HOST:PORT (127.0.0.1:9970), --cilium-version V (1.18), --interval DURATION (5s).
 */
'use strict';
const { parseArgs } = require('node:util');
const path = require('node:path');
const fs = require('node:fs');

const build = path.join(__dirname, '..', 'build');
if (!fs.existsSync(path.join(build, 'exporter', 'app.js'))) {
  process.stderr.write('demo: the exporter is not built; run `npm run build:exporter` (npm run demo does it for you)\n');
  process.exit(1);
}
const { startSimulator } = require(path.join(build, 'simulator'));
const { startExporter } = require(path.join(build, 'exporter', 'app'));
const { loadConfig, ConfigError } = require(path.join(build, 'exporter', 'config', 'config'));
const { createLogger } = require(path.join(build, 'exporter', 'log'));

function hostPort(text, flag) {
  const m = /^([^:]+):(\d+)$/.exec(text);
  if (!m) {
    throw new Error(`${flag}: "${text}" must be HOST:PORT`);
  }
  return { host: m[1], port: Number(m[2]) };
}

async function main() {
  const { values } = parseArgs({
    options: {
      nodes: { type: 'string', default: '20' },
      exporter: { type: 'string', default: '127.0.0.1:9967' },
      simulator: { type: 'string', default: '127.0.0.1:9970' },
      'cilium-version': { type: 'string', default: '1.18' },
      interval: { type: 'string', default: '5s' },
      'log-level': { type: 'string', default: 'warn' },
    },
  });
  const nodes = Number(values.nodes);
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 5000) {
    throw new Error(`--nodes: "${values.nodes}" must be an integer from 1 to 5000`);
  }
  const simAddr = hostPort(values.simulator, '--simulator');
  const sim = await startSimulator({
    nodes,
    seed: 42,
    ciliumVersion: values['cilium-version'],
    autoTickMs: 5000,
    host: simAddr.host,
    port: simAddr.port,
  });
  const argv = ['--listen', values.exporter, '--scrape-interval', values.interval, '--log-level', values['log-level'], '--operator', sim.operatorUrl];
  for (const node of sim.nodes) {
    argv.push('--agent', `${node}=${sim.agentUrl(node)}`);
  }
  const loaded = loadConfig({ argv, env: {} });
  const exporter = await startExporter(loaded.config, { logger: createLogger(values['log-level']) });
  const e = exporter.url;
  process.stdout.write(
    [
      '',
      `Cilium Scope demo: ${nodes} simulated nodes (Cilium ${values['cilium-version']}), scraped every ${values.interval}.`,
      '',
      `  exporter metrics     ${e}/metrics`,
      `  exporter API         ${e}/api/v1/nodes   ${e}/api/v1/status   ${e}/api/v1/drop-reasons`,
      `  a query              curl -s -XPOST ${e}/api/v1/query -H 'content-type: application/json' \\`,
      `                         -d '{"from":'$(($(date +%s)-300))000',"to":'$(date +%s)000',"queries":[{"refId":"A","queryType":"drops"}]}'`,
      `  simulator truth      ${sim.url}/truth`,
      `  inject a fault       curl -s -XPOST ${sim.url}/control/fault -d '{"node":"${sim.nodes[0]}","fault":"down"}'`,
      `  a drop spike         curl -s -XPOST ${sim.url}/control/spike -d '{"node":"${sim.nodes[0]}","direction":"INGRESS","reason":"Policy denied","factor":20,"ticks":24}'`,
      '',
      'Point the Grafana datasource (or Prometheus) at the exporter URL. Ctrl-C stops both.',
      '',
    ].join('\n')
  );
  const stop = async () => {
    await exporter.close();
    await sim.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  const known = err instanceof ConfigError || /^--|must be|EADDRINUSE|in use/.test(err.message);
  process.stderr.write(`demo: ${known ? err.message : err.stack}\n`);
  process.exit(1);
});
