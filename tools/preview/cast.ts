/**
 * What both preview histories share: the nodes each event happens on, and the exporter they start on the simulated
 * cluster (its own flags, the Kubernetes join on, the exporter's scrape cycles driven by the run).
 */
import { join } from 'node:path';

import { type RunningExporter, type StartOptions, startExporter } from '../../exporter/app';
import { loadConfig } from '../../exporter/config/config';
import { type RunningSimulator, writeKubeconfig } from '../../simulator';

const SPIKE_REASON = 'Policy denied';

type Node = RunningSimulator['cluster']['nodes'][number];

/** The nodes the planned events happen on, chosen the same way in both histories. */
export interface Cast {
  /** A node with ingress "Policy denied" drops (or the first node), and the drop profile that spikes. */
  spikeNode: Node;
  spikeProfile: NonNullable<Node['agent']>['dropProfiles'][number];
  restartNode: Node;
  /** Fails regenerations and policy imports. */
  failingNode: Node;
  /** Loses its agent. */
  agentlessNode: Node;
  /** Fails its last scrapes. */
  downNode: Node;
}

export function castOf(sim: RunningSimulator): Cast {
  const nodes = sim.cluster.nodes.filter((n) => n.agent !== null);
  const spikes = (n: Node) => n.agent!.dropProfiles.find((p) => p.reason === SPIKE_REASON && p.direction === 'INGRESS');
  const spikeNode = nodes.find((n) => spikes(n) !== undefined) ?? nodes[0];
  return {
    spikeNode,
    spikeProfile: spikes(spikeNode) ?? spikeNode.agent!.dropProfiles[0],
    restartNode: nodes[1 % nodes.length],
    failingNode: nodes[2 % nodes.length],
    agentlessNode: nodes[3 % nodes.length],
    downNode: nodes[nodes.length - 1],
  };
}

/** The exporter's flags for the simulator's Hubble: every agent's metrics through discovery, and Relay if asked. */
export function hubbleFlags(sim: RunningSimulator, options: { relay: boolean }): string[] {
  return [
    ...['--hubble-port', '9965', '--hubble-url-template', `${sim.url}/hubble/{node}/metrics`],
    ...(options.relay ? ['--hubble-relay', sim.relayAddress!] : []),
  ];
}

/**
 * The exporter of a preview: on the simulator's agents, operator and Kubernetes API (a kubeconfig written in `dir`),
 * listening on a free loopback port, quiet, with `flags` added; started without its own scrape timer and synced with
 * the Kubernetes API.
 */
export async function startPreviewExporter(
  sim: RunningSimulator,
  dir: string,
  flags: string[],
  options: Omit<StartOptions, 'autoScrape'> = {}
): Promise<RunningExporter> {
  const kubeconfig = await writeKubeconfig(sim, join(dir, 'kubeconfig'));
  const argv = [
    ...['--listen', '127.0.0.1:0', '--log-level', 'silent'],
    ...['--kubeconfig', kubeconfig, '--agent-url-template', `${sim.url}/agents/{node}/metrics`],
    ...['--operator-url-template', `${sim.url}/operator/metrics`],
    ...flags,
  ];
  const loaded = loadConfig({ argv, env: {} });
  if (loaded.kind !== 'config') {
    throw new Error('the exporter flags of the preview asked for help or the version');
  }
  const exporter = await startExporter(loaded.config, { ...options, autoScrape: false });
  await exporter.kube?.whenSynced(10_000);
  return exporter;
}
