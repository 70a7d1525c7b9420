/** The Cilium operator: IPAM bookkeeping, identity garbage collection, its process, the unmanaged-pod gauge. */
import { roundTo } from './values';
import { Prng } from './prng';

export interface OperatorNodeIpam {
  node: string;
  available: number;
  used: number;
  needed: number;
}

export class OperatorState {
  readonly rng: Prng;
  processStartTimeSeconds: number;
  cpuSeconds: number;
  residentMemoryBytes = 0;
  openFds = 0;
  identityGcRuns = { failure: 0, success: 0 };
  identityGcEntries = { alive: 0, deleted: 0 };
  endpointGcObjects = { failure: 0, success: 0 };
  ipam: OperatorNodeIpam[] = [];
  /** Headroom of pre-allocated IPs per node, stable per node. */
  private readonly headroom = new Map<string, number>();
  private ticksToGc: number;
  private readonly gcEveryTicks: number;
  restarts = 0;

  constructor(
    seed: number,
    nowSeconds: number,
    private readonly tickSeconds: number
  ) {
    this.rng = new Prng(seed);
    this.processStartTimeSeconds = roundTo(nowSeconds - this.rng.range(86400, 30 * 86400), 0.01);
    this.cpuSeconds = roundTo(this.rng.range(500, 9000), 0.01);
    // The identity GC runs every 15 minutes by default.
    this.gcEveryTicks = Math.max(1, Math.round(900 / tickSeconds));
    this.ticksToGc = 1 + this.rng.int(this.gcEveryTicks);
    this.identityGcRuns.success = Math.floor((nowSeconds - this.processStartTimeSeconds) / 900);
    this.updateProcess(0);
  }

  /** `used` per node is the agent's allocated IPv4 count. */
  advance(usedByNode: ReadonlyArray<{ node: string; used: number }>, identities: number): void {
    this.ipam = usedByNode.map(({ node, used }) => {
      let headroom = this.headroom.get(node);
      if (headroom === undefined) {
        headroom = 8 + this.rng.int(17);
        this.headroom.set(node, headroom);
      }
      return { node, used, available: used + headroom, needed: 0 };
    });
    this.ticksToGc--;
    if (this.ticksToGc <= 0) {
      this.ticksToGc = this.gcEveryTicks;
      if (this.rng.chance(0.01)) {
        this.identityGcRuns.failure++;
      } else {
        this.identityGcRuns.success++;
        this.identityGcEntries = { alive: identities, deleted: this.rng.poisson(1.5) };
      }
    }
    if (this.rng.chance(0.05)) {
      this.endpointGcObjects.success += 1 + this.rng.int(3);
    }
    this.cpuSeconds = roundTo(this.cpuSeconds + this.tickSeconds * this.rng.range(0.005, 0.02), 0.01);
    this.updateProcess(usedByNode.length);
  }

  restart(nowSeconds: number): void {
    this.restarts++;
    this.processStartTimeSeconds = roundTo(nowSeconds + this.rng.range(0.05, 0.9), 0.01);
    this.cpuSeconds = roundTo(this.rng.range(1, 4), 0.01);
    this.identityGcRuns = { failure: 0, success: 0 };
    this.identityGcEntries = { alive: 0, deleted: 0 };
    this.endpointGcObjects = { failure: 0, success: 0 };
    this.ticksToGc = this.gcEveryTicks;
  }

  totals(): { available: number; used: number; needed: number } {
    let available = 0;
    let used = 0;
    let needed = 0;
    for (const entry of this.ipam) {
      available += entry.available;
      used += entry.used;
      needed += entry.needed;
    }
    return { available, used, needed };
  }

  nodesByCategory(): Record<string, number> {
    return {
      'at-capacity': this.ipam.filter((e) => e.used >= e.available).length,
      'in-deficit': this.ipam.filter((e) => e.needed > 0).length,
      total: this.ipam.length,
    };
  }

  private updateProcess(nodes: number): void {
    this.residentMemoryBytes = 4096 * Math.round((6.5e7 + nodes * 6e4 + 2e6 * this.rng.normal()) / 4096);
    this.openFds = 18 + this.rng.int(8);
  }
}
