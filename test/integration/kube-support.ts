/** Starting the simulator with its Kubernetes API and the exporter pointed at it, and reading both sides. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningExporter, startExporter } from '../../exporter/app';
import type { ExporterConfig } from '../../exporter/config/config';
import type { KubeSettings } from '../../exporter/kube';
import { type RunningSimulator, type SimulatorOptions, startSimulator, writeKubeconfig } from '../../simulator';
import type { UnmanagedPodsResponse } from '../../src/contract';
import { testConfig } from '../support/config';
import { readExposition } from '../support/exposition';

export const FAST_TIMING: KubeSettings['timing'] = {
  backoffInitialMs: 50,
  backoffMaxMs: 400,
  watchTimeoutSeconds: 60,
  watchGraceMs: 3000,
  listTimeoutMs: 10_000,
  absentRetryMs: 300,
};

export interface Pair {
  sim: RunningSimulator;
  exporter: RunningExporter;
  kubeconfig: string;
  close(): Promise<void>;
}

export async function startPair(
  simOptions: Partial<SimulatorOptions> = {},
  options: {
    token?: string;
    staleAfterMs?: number;
    kube?: Partial<KubeSettings>;
    config?: (sim: RunningSimulator) => Partial<ExporterConfig>;
  } = {}
): Promise<Pair> {
  const sim = await startSimulator({
    nodes: 6,
    seed: 7,
    autoTickMs: 0,
    pageKB: 30,
    kube: { token: 'sim-token' },
    ...simOptions,
  });
  const dir = mkdtempSync(join(tmpdir(), 'ciliumscope-kube-'));
  const kubeconfig = await writeKubeconfig(sim, join(dir, 'kubeconfig'), options.token ? { token: options.token } : {});
  const kube: KubeSettings = {
    connection: { kind: 'kubeconfig', path: kubeconfig, context: null },
    discover: true,
    namespace: 'kube-system',
    agent: { selector: 'k8s-app=cilium', port: 9962, urlTemplate: `${sim.url}/agents/{node}/metrics` },
    operator: { selector: 'io.cilium/app=operator', port: 9963, urlTemplate: `${sim.url}/operator/metrics` },
    timing: FAST_TIMING,
    ...options.kube,
  };
  const exporter = await startExporter(
    testConfig({ kube, scrapeTimeoutMs: 2000, staleAfterMs: options.staleAfterMs ?? 60_000, ...options.config?.(sim) }),
    { autoScrape: false }
  );
  return {
    sim,
    exporter,
    kubeconfig,
    close: async () => {
      await exporter.close();
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) {
    throw new Error(`${url}: HTTP ${res.status} ${await res.text()}`);
  }
  return (await res.json()) as T;
}

export async function unmanaged(exporter: RunningExporter, query = ''): Promise<UnmanagedPodsResponse> {
  return getJson<UnmanagedPodsResponse>(`${exporter.url}/api/v1/unmanaged-pods${query}`);
}

export async function metrics(exporter: RunningExporter): Promise<Map<string, number>> {
  const res = await fetch(`${exporter.url}/metrics`);
  return readExposition(await res.text());
}

/** The exporter's answer in the truth's terms (what a correct join must equal). */
export function comparable(a: UnmanagedPodsResponse) {
  return { pods: a.pods, nodesWithoutAgent: a.nodesWithoutAgent, terminating: a.terminating };
}

export function truthComparable(sim: RunningSimulator, keep: (node: string) => boolean = () => true) {
  const t = sim.truth().unmanaged;
  return {
    pods: t.pods.filter((p) => keep(p.node)),
    nodesWithoutAgent: t.nodesWithoutAgent.filter((n) => keep(n.node)),
    terminating: t.terminating.filter((p) => keep(p.node)),
  };
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T> | T,
  done: (value: T) => boolean,
  timeoutMs = 8000
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!done(last)) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last).slice(0, 2000)}`);
    }
    await new Promise((r) => setTimeout(r, 25));
    last = await probe();
  }
  return last;
}

/** Waits until the exporter's unmanaged-pods answer equals the simulator's truth, without a scrape cycle. */
export async function converged(
  pair: Pair,
  timeoutMs = 8000,
  keep?: (node: string) => boolean
): Promise<UnmanagedPodsResponse> {
  let answer: UnmanagedPodsResponse | null = null;
  await waitFor(
    'the unmanaged pods to match the truth',
    async () => {
      answer = await unmanaged(pair.exporter);
      return JSON.stringify(comparable(answer)) === JSON.stringify(truthComparable(pair.sim, keep));
    },
    (ok) => ok,
    timeoutMs
  ).catch((err) => {
    throw new Error(
      `${(err as Error).message}\nexporter: ${JSON.stringify(answer && comparable(answer))}\ntruth: ${JSON.stringify(truthComparable(pair.sim, keep))}`
    );
  });
  return answer!;
}
