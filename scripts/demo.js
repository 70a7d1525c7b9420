#!/usr/bin/env node
/**
 * `npm run demo`: a simulated Cilium cluster and the exporter wired to it, in one process: the exporter watches the
 * simulator's Kubernetes API (a kubeconfig in a temporary directory), discovers the agents and the operator from
 * their pods and joins pods with CiliumEndpoints for the unmanaged-pods panels. Prints the URLs and stops cleanly
 * on Ctrl-C. Options: --nodes N (20), --exporter HOST:PORT (127.0.0.1:9967),
 * --simulator HOST:PORT (127.0.0.1:9970), --cilium-version V (1.18), --interval DURATION (5s),
 * --scenario NAME (kube-hard-cases: unmanaged pods, a node without an agent, terminating pods, on top of the
 * default traffic), --hubble-context FORM (pod: simulated Hubble metrics in pod context and a Hubble Relay, which the
 * exporter scrapes and follows for drops by workload; namespace, workload, labels or mixed for the other context
 * forms; off for no Hubble).
 */
'use strict';
const { parseArgs } = require('node:util');
const path = require('node:path');
const fs = require('node:fs');
const os = require('node:os');

const build = path.join(__dirname, '..', 'build');
if (!fs.existsSync(path.join(build, 'exporter', 'app.js'))) {
  process.stderr.write(
    'demo: the exporter is not built; run `npm run build:exporter` (npm run demo does it for you)\n'
  );
  process.exit(1);
}
const { startSimulator, writeKubeconfig, ClusterOptionsError } = require(path.join(build, 'simulator'));
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
      scenario: { type: 'string', default: 'kube-hard-cases' },
      'hubble-context': { type: 'string', default: 'pod' },
      'log-level': { type: 'string', default: 'warn' },
    },
  });
  const nodes = Number(values.nodes);
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 5000) {
    throw new Error(`--nodes: "${values.nodes}" must be an integer from 1 to 5000`);
  }
  const simAddr = hostPort(values.simulator, '--simulator');
  const hubbleContext = values['hubble-context'];
  const hubble = hubbleContext !== 'off';
  const sim = await startSimulator({
    nodes,
    seed: 42,
    ciliumVersion: values['cilium-version'],
    scenario: values.scenario,
    autoTickMs: 5000,
    host: simAddr.host,
    port: simAddr.port,
    kube: { token: 'ciliumscope-demo' },
    ...(hubble ? { hubbleContext: hubbleContext, hubbleRelay: { host: '127.0.0.1', port: 0 } } : {}),
  });
  // Every agent and the operator are found through the simulator's Kubernetes API; their pods' IPs are not
  // reachable here, so the URL templates point at the simulator's pages by node name.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ciliumscope-demo-'));
  const kubeconfig = await writeKubeconfig(sim, path.join(dir, 'kubeconfig'));
  const argv = [
    ...['--listen', values.exporter, '--scrape-interval', values.interval, '--log-level', values['log-level']],
    ...['--kubeconfig', kubeconfig],
    ...[
      '--agent-url-template',
      `${sim.url}/agents/{node}/metrics`,
      '--operator-url-template',
      `${sim.url}/operator/metrics`,
    ],
    // Every agent's Hubble metrics through discovery (the workload-name form cannot be told from namespaces), and Relay.
    ...(hubble
      ? [
          '--hubble-port',
          '9965',
          '--hubble-url-template',
          `${sim.url}/hubble/{node}/metrics`,
          '--hubble-relay',
          sim.relayAddress,
        ]
      : []),
    ...(hubbleContext === 'workload' ? ['--hubble-context', 'workload-name'] : []),
  ];
  const loaded = loadConfig({ argv, env: {} });
  const exporter = await startExporter(loaded.config, { logger: createLogger(values['log-level']) });
  const e = exporter.url;
  process.stdout.write(
    [
      '',
      `Cilium Scope demo: ${nodes} simulated nodes (Cilium ${values['cilium-version']}, scenario ${values.scenario}), scraped every ${values.interval}.`,
      '',
      `  exporter metrics     ${e}/metrics`,
      `  exporter API         ${e}/api/v1/nodes   ${e}/api/v1/status   ${e}/api/v1/drop-reasons`,
      `  unmanaged pods       ${e}/api/v1/unmanaged-pods`,
      hubble
        ? `  drops by workload    Hubble metrics (${hubbleContext} context) and Relay at ${sim.relayAddress}: ${e}/api/v1/workloads, queryType workloadDrops`
        : '  drops by workload    off (--hubble-context off)',
      `  Kubernetes API       KUBECONFIG=${kubeconfig} kubectl get pods -A`,
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
    fs.rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  const known =
    err instanceof ConfigError ||
    err instanceof ClusterOptionsError ||
    /^--|must be|EADDRINUSE|in use/.test(err.message);
  process.stderr.write(`demo: ${known ? err.message : err.stack}\n`);
  process.exit(1);
});
