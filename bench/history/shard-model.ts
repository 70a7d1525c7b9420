/**
 * The series of one exporter shard that are not per node: its own scrape cycles, history and watchers, the
 * operator's families and target (shard 0 scrapes the operator), and Prometheus's own `up` and
 * `scrape_duration_seconds` for the shard's target. Label sets come from the learning cluster (catalog.ts); counts
 * that grow with the cluster are scaled from it.
 */
import { Prng, hashSeed } from '../../simulator/prng';
import type { CatalogFamily, CatalogSample } from './catalog';
import type { ClusterContext } from './context';
import { EXPORTER_CYCLE_SECONDS, SeriesModel } from './series-model';

type Accessor = (s: ShardModel) => number;

export class ShardModel extends SeriesModel {
  readonly rng: Prng;
  step = -1;
  cycles = 0;
  saves = 0;
  gcRuns = 0;
  watchRestarts = 0;
  /** The initial list of each resource counts as one. */
  lists = 1;
  private readonly restartEvery: number;

  constructor(
    readonly shard: number,
    readonly ctx: ClusterContext,
    catalog: { families: CatalogFamily[]; nodes: string[]; operatorNode: string | null },
    /** Nodes of this shard, and their drop series (what the anomaly detector tracks). */
    readonly nodesInShard: number,
    readonly dropSeries: number
  ) {
    super();
    this.rng = new Prng(hashSeed(ctx.seed, 'shard', shard));
    this.restartEvery = ctx.perStep(15 * 86_400);
    const clusterScale = ctx.nodes.length / catalog.nodes.length;
    const shardScale = nodesInShard / catalog.nodes.length;
    for (const family of catalog.families) {
      if (!family.perNode) {
        this.addFamily(family, clusterScale, shardScale);
      } else if (shard === 0) {
        for (const sample of family.samples.filter((x) => x.labels.component === 'operator')) {
          this.add(sample, { node: ctx.nodes[0] }, this.operatorTarget(family.name, sample.value));
        }
      }
    }
    this.add({ name: 'up', labels: {}, value: 1 }, {}, () => 1);
    this.add({ name: 'scrape_duration_seconds', labels: {}, value: 0 }, {}, (s) =>
      round(s.rng.logNormal(0.02 + 0.0004 * s.nodesInShard, 0.3), 5)
    );
  }

  private add(sample: CatalogSample, over: Record<string, string>, accessor: Accessor): void {
    this.addSeries(sample.name, { ...sample.labels, ...over }, this.shard, accessor);
  }

  private operatorTarget(family: string, value: number): Accessor {
    switch (family) {
      case 'ciliumscope_target_up':
        return () => 1;
      case 'ciliumscope_target_stale':
        return () => 0;
      case 'ciliumscope_target_scrape_duration_seconds':
        return (s) => round(s.rng.logNormal(0.02, 0.3), 5);
      case 'ciliumscope_target_last_success_timestamp_seconds':
      case 'ciliumscope_target_last_scrape_timestamp_seconds':
        return (s) => round(s.ctx.timeOf(s.step) - s.rng.range(0, EXPORTER_CYCLE_SECONDS), 3);
      case 'ciliumscope_target_response_bytes':
        return () => value;
      default:
        throw new Error(
          `the backfill has no dynamics for the operator's ${family}: add them in bench/history/shard-model.ts`
        );
    }
  }

  private addFamily(family: CatalogFamily, clusterScale: number, shardScale: number): void {
    const each = (f: (sample: CatalogSample) => Accessor) => {
      for (const sample of family.samples) {
        this.add(sample, {}, f(sample));
      }
    };
    const constant = () => each((x) => () => x.value);
    const scaled = (scale: number) => each((x) => (s) => Math.round(x.value * scale * (1 + 0.01 * s.rng.normal())));
    const operatorOnly = (f: () => void) => (this.shard === 0 ? f() : undefined);
    switch (family.name) {
      case 'ciliumscope_build_info':
      case 'ciliumscope_unmanaged_pods_source':
      case 'ciliumscope_kube_synced':
      case 'ciliumscope_kube_in_sync':
      case 'ciliumscope_kube_last_sync_age_seconds':
      case 'ciliumscope_kube_resource_absent':
      case 'ciliumscope_history_retention_seconds':
      case 'ciliumscope_history_dropped_series_total':
      case 'ciliumscope_scrape_cycle_overruns_total':
      case 'ciliumscope_drop_anomaly_refused_series_total':
        return constant();
      case 'ciliumscope_scrape_cycle_duration_seconds':
        return each(() => (s) => round(s.rng.logNormal(0.05 + 0.0025 * s.nodesInShard, 0.2), 4));
      case 'ciliumscope_scrape_cycles_total':
        return each(() => (s) => s.cycles);
      case 'ciliumscope_history_series':
      case 'ciliumscope_history_bytes':
        return scaled(shardScale);
      case 'ciliumscope_kube_objects':
        return scaled(clusterScale);
      case 'ciliumscope_kube_watch_restarts_total':
        return each(() => (s) => s.watchRestarts);
      case 'ciliumscope_kube_lists_total':
        return each(() => (s) => s.lists);
      case 'ciliumscope_discovered_targets':
        return each((x) => () => (x.labels.component === 'agent' ? this.ctx.nodes.length : x.value));
      case 'ciliumscope_drop_anomaly_series':
        return each(() => () => this.dropSeries);
      case 'ciliumscope_drop_anomaly_state_saves_total':
        return each(() => (s) => s.saves);
      case 'ciliumscope_operator_unmanaged_pods':
      case 'ciliumscope_operator_identity_gc_entries':
        return operatorOnly(constant);
      case 'ciliumscope_operator_ipam_ips':
        return operatorOnly(() => scaled(clusterScale));
      case 'ciliumscope_operator_ipam_nodes':
        return operatorOnly(() => each((x) => () => (x.labels.category === 'total' ? this.ctx.nodes.length : x.value)));
      case 'ciliumscope_operator_identity_gc_runs':
        return operatorOnly(() => each((x) => (s) => x.value + (x.labels.outcome === 'success' ? s.gcRuns : 0)));
      default:
        throw new Error(
          `the backfill has no dynamics for the exporter family ${family.name}: add them in bench/history/shard-model.ts`
        );
    }
  }

  advance(step: number): void {
    this.step = step;
    const res = this.ctx.resolutionSeconds;
    if (step > 0 && this.rng.chance(this.restartEvery)) {
      // An exporter restart (a rollout): its own counters start again.
      this.cycles = 0;
      this.saves = 0;
      this.watchRestarts = 0;
      this.lists = 1;
    }
    this.cycles += Math.round(res / EXPORTER_CYCLE_SECONDS);
    this.saves += Math.round(res / (EXPORTER_CYCLE_SECONDS * 10));
    this.gcRuns += this.rng.poisson(res / 900);
    this.watchRestarts += this.rng.poisson(res / 21_600);
    this.lists += this.rng.poisson(res / 86_400);
  }
}

function round(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}
