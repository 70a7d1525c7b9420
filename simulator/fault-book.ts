/** Which fault each agent endpoint and the operator endpoint is in, and the per-endpoint request counts of flapping. */
import type { SimulatedCluster } from './cluster';
import { type Fault, type FaultKind, type FaultSpec, normaliseFault } from './faults';

const NONE: Required<FaultSpec> = normaliseFault('none');

export class FaultBook {
  private readonly agents = new Map<string, Required<FaultSpec>>();
  private operatorFault: Required<FaultSpec> = NONE;
  private readonly flapRequests = new Map<string, number>();

  constructor(private readonly cluster: SimulatedCluster) {}

  /** Node "*" applies to every node. `restart` restarts at once and leaves the endpoint healthy. */
  setAgent(node: string, fault: Fault | unknown, extra?: { delayMs?: unknown; sizeMB?: unknown }): Required<FaultSpec> {
    const spec = normaliseFault(fault, extra);
    // "*" means every node that runs an agent; a single node without one still gets a clear error from restartAgent.
    const names =
      node === '*'
        ? this.cluster.nodeNames().filter((name) => this.cluster.requireNode(name).agent !== null)
        : [this.cluster.requireNode(node).name];
    for (const name of names) {
      this.flapRequests.delete(name);
      if (spec.kind === 'restart') {
        this.cluster.restartAgent(name);
        this.agents.delete(name);
      } else if (spec.kind === 'none') {
        this.agents.delete(name);
      } else {
        this.agents.set(name, spec);
      }
    }
    return spec;
  }

  setOperator(fault: Fault | unknown, extra?: { delayMs?: unknown; sizeMB?: unknown }): Required<FaultSpec> {
    const spec = normaliseFault(fault, extra);
    this.flapRequests.delete('');
    if (spec.kind === 'restart') {
      this.cluster.restartOperator();
      this.operatorFault = NONE;
    } else {
      this.operatorFault = spec;
    }
    return spec;
  }

  agent(node: string): Required<FaultSpec> {
    return this.agents.get(node) ?? NONE;
  }

  agentKind(node: string): FaultKind {
    return this.agent(node).kind;
  }

  operator(): Required<FaultSpec> {
    return this.operatorFault;
  }

  /** Flapping endpoints answer the 1st, 3rd, 5th... request and reset the 2nd, 4th... ("" is the operator). */
  flapDown(key: string): boolean {
    const n = (this.flapRequests.get(key) ?? 0) + 1;
    this.flapRequests.set(key, n);
    return n % 2 === 0;
  }
}
