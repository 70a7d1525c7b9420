/**
 * One node's `ciliumscope_*` series over time, as the exporter would have exposed them and Prometheus stored them:
 * the label sets are those the exporter exposed for a node of the learning cluster (catalog.ts); the values follow
 * the node's own random stream and the cluster's events (context.ts).
 *
 * Dynamics: counters only go up, and start again from 0 when the agent restarts; traffic follows a daily cycle; drops
 * are mostly zero, in bursts, with now and then a spike on one reason; pods churn, endpoints follow them through
 * their states, a few pods go unmanaged for hours; policy revisions reach each agent after its own lag (a few agents
 * lag by steps); regenerations follow churn and policy changes, their durations a log-normal that sometimes slows
 * down; the drop anomaly baseline and band are learnt from the generated drop rates with the detector's parameters.
 * During an outage the agent's values are withdrawn (absent), target_up is 0 and scrape errors count up.
 */
import { DEFAULT_ANOMALY_PARAMS } from '../../exporter/anomaly/params';
import { Prng, hashSeed } from '../../simulator/prng';
import type { CatalogFamily } from './catalog';
import type { ClusterContext } from './context';
import { DropSeries } from './drops';
import { RegenerationHistogram, parseBound } from './regenerations';
import { EXPORTER_CYCLE_SECONDS, STALE_AFTER_SECONDS, SeriesModel } from './series-model';

type Accessor = (s: NodeModel) => number;

export class NodeModel extends SeriesModel {
  private readonly rng: Prng;
  private readonly res: number;
  private step = -1;
  private readonly restarts: Set<number>;
  private outageLeft = 0;
  private outageElapsed = 0;
  private outageIndex = 0;
  private policyIndex = 0;
  // State read by the accessors.
  up = 1;
  down = false;
  restartCount = 0;
  scrapeErrors = 0;
  everFailed = false;
  lastSuccess = 0;
  /** Unix seconds of the last scrape attempt, whatever its outcome. */
  lastScrape = 0;
  /** 1 while the anomaly detector is in its warm-up for this node: the first --anomaly-warmup after an agent restart. */
  warmingUp = 1;
  private warmupEnds = 0;
  scrapeSeconds = 0;
  pods: number;
  podsBase: number;
  terminating = 0;
  unmanaged = 0;
  private unmanagedLeft = 0;
  controllersFailing = 0;
  private controllersLeft = 0;
  revision: number;
  policies: number;
  importErrors = 0;
  /** Seconds this agent takes to apply a policy change: a log-normal, its median far longer on a few agents. */
  private readonly lagMedian: number;
  private readonly lagRng: Prng;
  private nextLag: number;
  forwardedPackets: Record<string, number> = {};
  forwardedBytes: Record<string, number> = {};
  private readonly forwardBase: Record<string, number> = {};
  regenerations: Record<string, number> = { success: 0, failure: 0 };
  readonly regenerationTime: RegenerationHistogram;
  private readonly regenMedian: number;
  private slowLeft = 0;
  readonly drops: DropSeries[] = [];
  private readonly phase: number;
  private readonly anomalyAlpha: number;
  private readonly spreadAlpha: number;

  constructor(
    readonly node: string,
    readonly index: number,
    private readonly ctx: ClusterContext,
    template: CatalogFamily[],
    templateNode: string
  ) {
    super();
    this.rng = new Prng(hashSeed(ctx.seed, 'node', node));
    this.res = ctx.resolutionSeconds;
    this.restarts = new Set(ctx.events[index].restarts);
    this.phase = 0.1 * this.rng.normal();
    const own = (family: string) =>
      template.find((f) => f.name === family)?.samples.filter((s) => s.labels.node === templateNode) ?? [];
    const first = (family: string, fallback: number) => own(family)[0]?.value ?? fallback;
    this.podsBase = Math.max(3, Math.round(first('ciliumscope_pods', 30) * this.rng.range(0.5, 1.5)));
    this.pods = this.podsBase;
    const firstEvent = ctx.policyEvents[0];
    this.revision = firstEvent ? firstEvent.revision - 1 : first('ciliumscope_policy_max_revision', 1);
    this.policies = first('ciliumscope_policies', 10);
    this.lagMedian = this.rng.chance(0.05) ? 60 : 3;
    this.lagRng = new Prng(hashSeed(ctx.seed, 'lag', node));
    this.nextLag = this.lagRng.logNormal(this.lagMedian, 1);
    this.regenerationTime = new RegenerationHistogram(
      own('ciliumscope_endpoint_regeneration_seconds')
        .filter((x) => x.name.endsWith('_bucket'))
        .map((x) => parseBound(x.labels.le))
    );
    this.regenMedian = this.rng.logNormal(0.6, 0.5);
    this.anomalyAlpha = 1 - Math.exp(-this.res / (DEFAULT_ANOMALY_PARAMS.windowMs / 1000));
    this.spreadAlpha = 1 - Math.exp(-this.res / (DEFAULT_ANOMALY_PARAMS.spreadWindowMs / 1000));
    for (const family of template.filter((f) => f.perNode)) {
      this.addFamily(family, own(family.name));
    }
  }

  private add(name: string, labels: Record<string, string>, accessor: Accessor): void {
    const { node: _, ...rest } = labels;
    this.addSeries(name, { node: this.node, ...rest }, this.ctx.shardOfNode[this.index], accessor);
  }

  /** The series of one family on this node, with the template node's label sets, and how each one moves. */
  private addFamily(family: CatalogFamily, samples: CatalogFamily['samples']): void {
    const agentOnly =
      (f: Accessor): Accessor =>
      (s) =>
        s.down ? NaN : f(s);
    const one = (f: Accessor) => {
      for (const sample of samples) {
        this.add(sample.name, sample.labels, f);
      }
    };
    const each = (label: string, f: (value: string, template: number) => Accessor) => {
      for (const sample of samples) {
        this.add(sample.name, sample.labels, f(sample.labels[label], sample.value));
      }
    };
    // The operator's target series belong to the shard that scrapes the operator (shard-model.ts).
    samples = samples.filter((s) => s.labels.component !== 'operator');
    switch (family.name) {
      case 'ciliumscope_target_up':
        return one((s) => s.up);
      case 'ciliumscope_target_stale':
        return one((s) => (s.down && s.outageElapsed >= STALE_AFTER_SECONDS ? 1 : 0));
      case 'ciliumscope_target_scrape_duration_seconds':
        return one((s) => s.scrapeSeconds);
      case 'ciliumscope_target_last_success_timestamp_seconds':
        return one((s) => s.lastSuccess);
      case 'ciliumscope_target_last_scrape_timestamp_seconds':
        return one((s) => s.lastScrape);
      case 'ciliumscope_drop_anomaly_warming_up':
        return one(agentOnly((s) => s.warmingUp));
      case 'ciliumscope_target_scrape_errors_total':
        // One kind (the one the learning cluster's failed agent gave): the series exists from the first failure on.
        return this.add(
          samples[0]?.name ?? family.name,
          { ...(samples[0]?.labels ?? { component: 'agent', kind: 'connect' }) },
          (s) => (s.everFailed ? s.scrapeErrors : NaN)
        );
      case 'ciliumscope_target_response_bytes':
        return each('component', (_, v) => (s) => (s.up ? Math.round(v * (1 + 0.01 * s.rng.normal())) : NaN));
      case 'ciliumscope_agent_info':
        return one(agentOnly(() => 1));
      case 'ciliumscope_agent_restarts_total':
        return one((s) => s.restartCount);
      case 'ciliumscope_endpoints':
        // The states an endpoint passes through on its way to ready (not the ones on its way out).
        this.transientStates = samples
          .map((x) => x.labels.state)
          .filter((st) => st !== 'ready' && !st.startsWith('disconnect'));
        return each('state', (state) =>
          agentOnly((s) =>
            state === 'ready'
              ? s.endpointsTotal() - s.notReady
              : state === 'disconnecting' || state === 'disconnected'
                ? 0
                : s.notReadyOf(state)
          )
        );
      case 'ciliumscope_endpoints_total':
        return one(agentOnly((s) => s.endpointsTotal()));
      case 'ciliumscope_pod_endpoints':
        return one(agentOnly((s) => s.podEndpoints()));
      case 'ciliumscope_endpoint_regenerations_total':
        return each('outcome', (outcome) => agentOnly((s) => s.regenerations[outcome] ?? 0));
      case 'ciliumscope_forwarded_packets_total':
        return each('direction', (d, v) => this.forward(d, v, false));
      case 'ciliumscope_forwarded_bytes_total':
        return each('direction', (d, v) => this.forward(d, v, true));
      case 'ciliumscope_dropped_packets_total':
        return this.eachDrop(samples, (d) => d.packets);
      case 'ciliumscope_dropped_bytes_total':
        return this.eachDrop(samples, (d) => d.bytes);
      case 'ciliumscope_drop_anomaly_score':
        return this.eachDrop(samples, (d) => d.score);
      case 'ciliumscope_drop_rate_upper_band':
        return this.eachDrop(samples, (d) => d.band);
      case 'ciliumscope_drop_rate_baseline':
        return this.eachDrop(samples, (d) => d.baseline);
      case 'ciliumscope_policies':
        return one(agentOnly((s) => s.policies));
      case 'ciliumscope_policy_max_revision':
        return one(agentOnly((s) => s.revision));
      case 'ciliumscope_policy_import_errors_total':
        return one(agentOnly((s) => s.importErrors));
      case 'ciliumscope_policy_enforcement_endpoints': {
        const total = samples.reduce((a, x) => a + x.value, 0) || 1;
        return each('enforcement', (_, v) => agentOnly((s) => Math.round((v / total) * s.podEndpoints())));
      }
      case 'ciliumscope_identities':
        return one(
          agentOnly((s) =>
            Math.round(samples[0].value * (1 + 0.05 * Math.sin((2 * Math.PI * s.step) / s.stepsPerDay(7))))
          )
        );
      case 'ciliumscope_unreachable_nodes':
        return one(agentOnly((s) => s.ctx.nodesDown[s.step]));
      case 'ciliumscope_unreachable_health_endpoints':
        return one(agentOnly((s) => s.ctx.nodesDown[s.step]));
      case 'ciliumscope_controllers_failing':
        return one(agentOnly((s) => s.controllersFailing));
      case 'ciliumscope_bpf_map_pressure':
        return each('map_name', (_, v) =>
          agentOnly((s) => Math.min(1, Math.round(v * (0.8 + 0.4 * s.daily()) * 1e4) / 1e4))
        );
      case 'ciliumscope_ip_addresses':
        return each('family', (_, v) => agentOnly((s) => (v === 0 ? 0 : s.endpointsTotal())));
      case 'ciliumscope_endpoint_regeneration_seconds':
        for (const sample of samples) {
          const i = this.regenerationTime.bounds.indexOf(parseBound(sample.labels.le));
          const f: Accessor = sample.name.endsWith('_bucket')
            ? (s) => s.regenerationTime.buckets[i]
            : sample.name.endsWith('_sum')
              ? (s) => Math.round(s.regenerationTime.sum * 1000) / 1000
              : (s) => s.regenerationTime.count;
          this.add(sample.name, sample.labels, agentOnly(f));
        }
        return;
      case 'ciliumscope_pods':
        return one((s) => s.pods);
      case 'ciliumscope_unmanaged_pods':
        return one((s) => s.unmanaged);
      case 'ciliumscope_endpoint_pod_delta':
        return one(agentOnly((s) => s.pods - s.podEndpoints()));
      case 'ciliumscope_terminating_pods':
        return one((s) => s.terminating);
      case 'ciliumscope_node_without_agent':
        return one(() => 0);
      default:
        throw new Error(
          `the backfill has no dynamics for the per-node family ${family.name}: add them in bench/history/node-model.ts`
        );
    }
  }

  private forward(direction: string, templateTotal: number, bytes: boolean): Accessor {
    if (!(direction in this.forwardBase)) {
      // Packets per second around which the daily cycle moves: 200 to 20,000.
      this.forwardBase[direction] = this.rng.logNormal(2000, 1);
      this.forwardedPackets[direction] = Math.round(templateTotal * this.rng.range(0, 0.001));
      this.forwardedBytes[direction] = this.forwardedPackets[direction] * 800;
    }
    return (s) => (s.down ? NaN : bytes ? s.forwardedBytes[direction] : s.forwardedPackets[direction]);
  }

  private eachDrop(samples: CatalogFamily['samples'], f: (d: DropSeries) => number): void {
    for (const { name, labels } of samples) {
      let d = this.drops.find((x) => x.direction === labels.direction && x.reason === labels.reason);
      if (!d) {
        d = new DropSeries(labels.direction, labels.reason, this.rng);
        this.drops.push(d);
      }
      const drop = d;
      this.add(name, labels, (s) => (s.down ? NaN : f(drop)));
    }
  }

  stepsPerDay(days = 1): number {
    return (days * 86_400) / this.res;
  }

  /** 0..1 over the day, peaking in the afternoon of the cluster's time zone. */
  daily(): number {
    const t = this.ctx.timeOf(this.step) / 86_400 + this.phase;
    return 0.5 + 0.5 * Math.sin(2 * Math.PI * (t - 0.375));
  }

  podEndpoints(): number {
    return Math.max(0, this.pods - this.unmanaged);
  }

  endpointsTotal(): number {
    // Host and health endpoints besides the pods' (--non-pod-endpoints 2).
    return this.podEndpoints() + 2;
  }

  notReady = 0;
  private transientStates: string[] = [];
  private notReadyByState: Record<string, number> = {};
  notReadyOf(state: string): number {
    return this.notReadyByState[state] ?? 0;
  }

  /** Moves the node to `step` (steps must come in order). */
  advance(step: number): void {
    if (step !== this.step + 1) {
      throw new Error(`node ${this.node}: step ${step} after ${this.step}`);
    }
    this.step = step;
    const rng = this.rng;
    const res = this.res;
    const now = this.ctx.timeOf(step);
    const outages = this.ctx.events[this.index].outages;
    while (this.outageIndex < outages.length && outages[this.outageIndex].to <= step) {
      this.outageIndex++;
    }
    const outage = outages[this.outageIndex];
    const wasDown = this.down;
    this.down = outage !== undefined && outage.from <= step && step < outage.to;
    this.outageElapsed = this.down ? (step - outage.from + 1) * res : 0;
    const restarted = this.restarts.has(step);
    // The scrape at a restart may catch the agent away.
    this.up = this.down || (restarted && rng.chance(0.3)) ? 0 : 1;
    this.lastScrape = Math.round((now - rng.range(0, Math.min(res, EXPORTER_CYCLE_SECONDS))) * 1000) / 1000;
    if (this.up === 0) {
      this.everFailed = true;
      this.scrapeErrors += this.down ? Math.max(1, Math.round(res / EXPORTER_CYCLE_SECONDS)) : 1;
      this.scrapeSeconds = 10;
    } else {
      this.lastSuccess = Math.round((now - rng.range(0, Math.min(res, EXPORTER_CYCLE_SECONDS))) * 1000) / 1000;
      this.scrapeSeconds = Math.round(rng.logNormal(0.012, 0.3) * 1e5) / 1e5;
    }
    if (restarted) {
      this.restartCount++;
      this.resetCounters();
    }
    if (step === 0 || restarted) {
      this.warmupEnds = now + DEFAULT_ANOMALY_PARAMS.warmupMs / 1000;
    }
    this.warmingUp = now < this.warmupEnds ? 1 : 0;
    this.pods = Math.max(
      1,
      Math.round(this.pods + rng.normal() * Math.sqrt(res / 600) + 0.02 * (this.podsBase - this.pods))
    );
    this.terminating = rng.poisson(0.3);
    this.stepEpisodes();
    const policy = this.stepPolicy();
    const daily = this.daily();
    for (const direction in this.forwardBase) {
      const packets = Math.round(this.forwardBase[direction] * (0.4 + 1.2 * daily) * res * rng.range(0.9, 1.1));
      this.forwardedPackets[direction] += packets;
      this.forwardedBytes[direction] += packets * Math.round(rng.range(700, 900));
    }
    // Regenerations: pod churn, and every endpoint at a policy change.
    const success = rng.poisson(res / 180) + (policy ? this.podEndpoints() : 0);
    const failure = rng.poisson(success * 0.002);
    this.regenerations.success += success;
    this.regenerations.failure += failure;
    this.regenerationTime.observe(success + failure, this.regenMedian * (this.slowLeft > 0 ? 6 : 1));
    this.notReady = 0;
    this.notReadyByState = {};
    for (const state of this.transientStates) {
      const n = Math.min(rng.poisson(policy ? 1 : 0.15), this.podEndpoints() - this.notReady);
      this.notReadyByState[state] = n;
      this.notReady += n;
    }
    this.stepDrops(wasDown || restarted);
  }

  private resetCounters(): void {
    for (const d in this.forwardedPackets) {
      this.forwardedPackets[d] = 0;
      this.forwardedBytes[d] = 0;
    }
    this.regenerations = { success: 0, failure: 0 };
    this.regenerationTime.reset();
    this.importErrors = 0;
    for (const d of this.drops) {
      d.resetCounters();
    }
  }

  /** Unmanaged pods for hours, failing controllers for minutes, slow regenerations for an hour: now and then. */
  private stepEpisodes(): void {
    const rng = this.rng;
    if (this.unmanagedLeft > 0) {
      this.unmanagedLeft--;
    } else {
      this.unmanaged = 0;
      if (rng.chance(this.ctx.perStep(10 * 86_400))) {
        this.unmanaged = 1 + rng.int(3);
        this.unmanagedLeft = Math.round(rng.range(1800, 8 * 3600) / this.res);
      }
    }
    if (this.controllersLeft > 0) {
      this.controllersLeft--;
    } else {
      this.controllersFailing = 0;
      if (rng.chance(this.ctx.perStep(15 * 86_400))) {
        this.controllersFailing = 1 + rng.int(2);
        this.controllersLeft = Math.round(rng.range(300, 3600) / this.res);
      }
    }
    if (this.slowLeft > 0) {
      this.slowLeft--;
    } else if (rng.chance(this.ctx.perStep(20 * 86_400))) {
      this.slowLeft = Math.round(3600 / this.res);
    }
  }

  /** Applies the policy changes this agent has picked up by now; true when one arrived in this step. */
  private stepPolicy(): boolean {
    const events = this.ctx.policyEvents;
    let arrived = false;
    const now = this.ctx.timeOf(this.step);
    while (this.policyIndex < events.length) {
      const e = events[this.policyIndex];
      if (e.time + this.nextLag > now) {
        break;
      }
      this.nextLag = this.lagRng.logNormal(this.lagMedian, 1);
      this.revision = e.revision;
      this.policies = e.policies;
      if (this.rng.chance(0.01)) {
        this.importErrors++;
      }
      this.policyIndex++;
      arrived = true;
    }
    return arrived;
  }

  /** Bursty drops, a spike on one of them now and then, and the anomaly detector's view of them. */
  private stepDrops(restarted: boolean): void {
    if (this.drops.length > 0 && this.rng.chance(this.ctx.perStep(7 * 86_400))) {
      this.drops[this.rng.int(this.drops.length)].startSpike(this.rng, this.res);
    }
    for (const d of this.drops) {
      const packets = d.advance(this.rng, this.res);
      if (!restarted && !this.down) {
        d.learn(packets, this.res, this.anomalyAlpha, this.spreadAlpha);
      }
    }
  }
}
