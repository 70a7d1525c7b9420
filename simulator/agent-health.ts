/**
 * One agent's health gauges (unreachable nodes and health endpoints, failing controllers, node-local identities),
 * its BPF map pressure and its process collector, as they drift tick by tick and start again with a new process.
 */
import { Episode } from './episode';
import type { Prng } from './prng';
import { roundTo } from './values';
import type { AgentNaming } from './versions';

export class AgentHealth {
  /** Peers this agent cannot reach: as many nodes as health endpoints. */
  private readonly unreachable = new Episode();
  private readonly failingControllers = new Episode();
  nodeLocalIdentities: number;
  bpfMapPressure: Record<string, number>;
  processStartTimeSeconds: number;
  cpuSeconds = 0;
  residentMemoryBytes = 0;
  virtualMemoryBytes = 0;
  openFds = 0;

  constructor(
    private readonly rng: Prng,
    naming: AgentNaming,
    private readonly tickSeconds: number,
    nowSeconds: number
  ) {
    this.nodeLocalIdentities = rng.int(4);
    this.bpfMapPressure = naming.bpfMapPressure
      ? {
          cilium_ct4_global: roundTo(rng.range(0.05, 0.45), 1e-6),
          cilium_ct_any4_global: roundTo(rng.range(0.02, 0.2), 1e-6),
          cilium_snat_v4_external: roundTo(rng.range(0.03, 0.3), 1e-6),
        }
      : {};
    // Agents have been up for a while when the simulation starts.
    this.processStartTimeSeconds = roundTo(nowSeconds - rng.range(3600, 20 * 86400), 0.01);
    this.cpuSeconds = roundTo(rng.range(200, 5000), 0.01);
  }

  get unreachableNodes(): number {
    return this.unreachable.value;
  }

  get unreachableHealthEndpoints(): number {
    return this.unreachable.value;
  }

  get controllersFailing(): number {
    return this.failingControllers.value;
  }

  /** One tick: outages of peers and controllers come and go, map pressure drifts, CPU time grows. */
  advance(clusterNodes: number, endpoints: number): void {
    const rng = this.rng;
    this.unreachable.tick(
      () => clusterNodes > 1 && rng.chance(0.002 * (this.tickSeconds / 5)),
      () => ({ ticks: 2 + rng.int(6), value: 1 + (rng.chance(0.2) ? 1 : 0) })
    );
    this.failingControllers.tick(
      () => rng.chance(0.003 * (this.tickSeconds / 5)),
      () => ({ ticks: 1 + rng.int(10), value: 1 })
    );
    if (this.rng.chance(0.01)) {
      this.nodeLocalIdentities = Math.max(0, Math.min(12, this.nodeLocalIdentities + (this.rng.chance(0.5) ? 1 : -1)));
    }
    for (const name of Object.keys(this.bpfMapPressure)) {
      const value = this.bpfMapPressure[name] + 0.004 * this.rng.normal();
      this.bpfMapPressure[name] = roundTo(Math.min(0.95, Math.max(0.02, value)), 1e-6);
    }
    this.cpuSeconds = roundTo(this.cpuSeconds + this.tickSeconds * this.rng.range(0.02, 0.06), 0.01);
    this.updateProcess(endpoints);
  }

  /** Memory and file descriptors grow with the endpoints the agent manages. */
  updateProcess(endpoints: number): void {
    this.residentMemoryBytes = 4096 * Math.round((1.6e8 + endpoints * 1.2e6 + 4e6 * this.rng.normal()) / 4096);
    this.virtualMemoryBytes = 4096 * Math.round((1.45e9 + endpoints * 2e6) / 4096);
    this.openFds = 48 + endpoints * 2 + this.rng.int(12);
  }

  /** A new process: started just now, little CPU time, no outage carried over. */
  restart(nowSeconds: number): void {
    this.processStartTimeSeconds = roundTo(nowSeconds + this.rng.range(0.05, 0.9), 0.01);
    this.cpuSeconds = roundTo(this.rng.range(3, 9), 0.01);
    this.unreachable.end();
    this.failingControllers.end();
  }
}
