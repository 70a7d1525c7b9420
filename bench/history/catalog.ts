/**
 * The families a backfill writes, learnt from the exporter itself rather than restated: a real exporter (in this
 * process, with discovery and the pod ⟷ endpoint join) scrapes a small simulated cluster with its Kubernetes API
 * for a few cycles, one agent down for one of them (so the error families exist), and its /metrics page is read
 * back: every `ciliumscope_*` family with its type, its label names and each node's label sets and values. The
 * generator gives each family its dynamics by name and refuses a family it does not know, so a family added to the
 * exporter shows up here and in the backfill test at once. The learning cluster runs without Hubble, so the Hubble
 * families (ciliumscope_workload_dropped_packets_total, ciliumscope_hubble_*, the hubble targets) are not learnt and
 * a backfill has none of them; learning with Hubble on would need their dynamics first.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startExporter } from '../../exporter/app';
import { loadConfig } from '../../exporter/config/config';
import { startSimulator, writeKubeconfig } from '../../simulator';
import { parseLabels } from '../../test/support/exposition';

export type FamilyType = 'gauge' | 'counter' | 'histogram';

export interface CatalogSample {
  /** The sample's own name: the family name, or with _bucket, _sum, _count for a histogram. */
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface CatalogFamily {
  name: string;
  type: FamilyType;
  /** Label names of its samples (without `le`), sorted. */
  labelNames: string[];
  /** Whether its series carry the node label (one set per node) or belong to the exporter (one set per shard). */
  perNode: boolean;
  samples: CatalogSample[];
}

export interface Catalog {
  families: CatalogFamily[];
  /** Node names of the learning cluster, each with the samples of every per-node family. */
  nodes: string[];
  /** The node the operator runs on (its target_* series carry it). */
  operatorNode: string | null;
}

/** Parses an exposition page into the `ciliumscope_*` families with their samples. */
export function readCatalog(page: string): Catalog {
  const types = new Map<string, FamilyType>();
  const samples = new Map<string, CatalogSample[]>();
  for (const line of page.split('\n')) {
    const type = /^# TYPE (ciliumscope_\w+) (\w+)/.exec(line);
    if (type) {
      if (!['gauge', 'counter', 'histogram'].includes(type[2])) {
        throw new Error(`family ${type[1]} has type ${type[2]}, which a backfill cannot write`);
      }
      types.set(type[1], type[2] as FamilyType);
      samples.set(type[1], []);
      continue;
    }
    // The exporter stamps the series it read from an agent with that scrape's time (--metrics-timestamps).
    const m = /^(ciliumscope_\w+?)(\{(.*)\})? (\S+)(?: -?\d+)?$/.exec(line);
    if (m) {
      const family = types.has(m[1]) ? m[1] : m[1].replace(/_(bucket|sum|count)$/, '');
      samples.get(family)?.push({ name: m[1], labels: parseLabels(m[3] ?? ''), value: Number(m[4]) });
    }
  }
  const families = [...types].map(([name, type]): CatalogFamily => {
    const list = samples.get(name) ?? [];
    const labelNames = [...new Set(list.flatMap((s) => Object.keys(s.labels)))].filter((l) => l !== 'le').sort();
    return { name, type, labelNames, perNode: labelNames.includes('node'), samples: list };
  });
  const nodes = [
    ...new Set(
      families
        .filter((f) => f.name === 'ciliumscope_endpoints_total')
        .flatMap((f) => f.samples.map((s) => s.labels.node))
    ),
  ].sort();
  const operator = families
    .find((f) => f.name === 'ciliumscope_target_up')
    ?.samples.find((s) => s.labels.component === 'operator');
  return { families, nodes, operatorNode: operator?.labels.node ?? null };
}

/** A real exporter's /metrics over a simulated cluster of `nodes` nodes (Kubernetes API, discovery, join). */
export async function learnCatalog(options: { nodes?: number; seed?: number } = {}): Promise<Catalog> {
  const sim = await startSimulator({ nodes: options.nodes ?? 6, seed: options.seed ?? 7, pageKB: 20, autoTickMs: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'ciliumscope-catalog-'));
  try {
    const kubeconfig = await writeKubeconfig(sim, join(dir, 'kubeconfig'));
    const loaded = loadConfig({
      argv: [
        '--listen=127.0.0.1:0',
        '--log-level=silent',
        `--kubeconfig=${kubeconfig}`,
        `--agent-url-template=${sim.url}/agents/{node}/metrics`,
        `--operator-url-template=${sim.url}/operator/metrics`,
      ],
      env: {},
    });
    if (loaded.kind !== 'config') {
      throw new Error(`loadConfig answered ${loaded.kind}`);
    }
    const exporter = await startExporter(loaded.config, { autoScrape: false });
    try {
      await exporter.kube!.whenSynced(20_000);
      const down = sim.nodes[sim.nodes.length - 1];
      for (let cycle = 0; cycle < 4; cycle++) {
        sim.setFault(down, { kind: cycle === 1 ? 'down' : 'none' });
        await exporter.scrapeNow();
        sim.tick(6);
      }
      const response = await fetch(`${exporter.url}/metrics`);
      return readCatalog(await response.text());
    } finally {
      await exporter.close();
    }
  } finally {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
