/**
 * A simulated cluster and an exporter that has scraped it a few times on simulated time, for tests that drive the
 * built plugin against a real exporter (through the data proxy of tools/browser-host).
 */
import { type RunningExporter, startExporter } from '../../exporter/app';
import { type RunningSimulator, startSimulator } from '../../simulator';
import { testConfig } from './config';

type ScrapeStats = Awaited<ReturnType<RunningExporter['scrapeNow']>>;

export interface ScrapedCluster {
  sim: RunningSimulator;
  exporter: RunningExporter;
  token: string | null;
  /** What each scrape reported, in order. */
  scrapes: ScrapeStats[];
  /** The scraped span, with the scrape interval as the query step. */
  range: { from: number; to: number; intervalMs: number };
  close(): Promise<void>;
}

export interface ScrapedClusterOptions {
  nodes: number;
  seed: number;
  /** Scrapes, one simulated tick apart. */
  ticks: number;
  /** The tick at which the first node's agent restarts (an annotation event), if any. */
  restartTick?: number;
  /** Bearer token the exporter requires (default none). */
  token?: string | null;
  /** Called after each tick, before its scrape (e.g. to record the simulator's truth). */
  onTick?: (tick: number, sim: RunningSimulator) => void;
}

export async function startScrapedCluster(options: ScrapedClusterOptions): Promise<ScrapedCluster> {
  const sim = await startSimulator({ nodes: options.nodes, seed: options.seed, autoTickMs: 0, pageKB: 40 });
  let exporter: RunningExporter | undefined;
  try {
    const tickMs = sim.cluster.tickSeconds * 1000;
    exporter = await startExporter(
      testConfig({
        agents: sim.nodes.map((node) => ({ node, url: sim.agentUrl(node) })),
        operator: { node: '', url: sim.operatorUrl },
        scrapeIntervalMs: tickMs,
        scrapeTimeoutMs: 2000,
        staleAfterMs: 10 * tickMs,
        token: options.token ?? null,
      }),
      { autoScrape: false, now: () => sim.cluster.nowSeconds * 1000 }
    );
    const from = sim.cluster.nowSeconds * 1000;
    const scrapes: ScrapeStats[] = [];
    for (let k = 0; k < options.ticks; k++) {
      if (k > 0) {
        sim.tick();
      }
      if (k === options.restartTick) {
        sim.setFault(sim.nodes[0], 'restart');
      }
      options.onTick?.(k, sim);
      scrapes.push(await exporter.scrapeNow());
    }
    const running = exporter;
    return {
      sim,
      exporter: running,
      token: options.token ?? null,
      scrapes,
      range: { from, to: sim.cluster.nowSeconds * 1000, intervalMs: tickMs },
      close: async () => {
        await running.close();
        await sim.close();
      },
    };
  } catch (error) {
    await exporter?.close();
    await sim.close();
    throw error;
  }
}
