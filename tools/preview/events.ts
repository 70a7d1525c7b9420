/**
 * Things a steady simulated cluster does rarely or by chance, made certain so every panel of the dashboards has
 * something to show: pods Cilium does not manage, a policy change one agent fails to import, failed endpoint
 * regenerations. Each goes through the simulator's own model (the same calls its scenarios make), so the pages,
 * the Kubernetes API and the ground truth all agree.
 */
import type { RunningSimulator, SimNode } from '../../simulator';

function agentNode(sim: RunningSimulator, name: string): SimNode {
  const node = sim.cluster.requireNode(name);
  if (!node.agent) {
    throw new Error(`node ${name} has no Cilium agent`);
  }
  return node;
}

/**
 * Starts `count` Deployment pods on a node without endpoints (pods the agent does not manage, e.g. started while it
 * was down), `ageSeconds` old.
 */
export function addUnmanagedPods(sim: RunningSimulator, nodeName: string, count: number, ageSeconds: number): string[] {
  const node = sim.cluster.requireNode(nodeName);
  const workload = sim.cluster.workloads.find((w) => w.kind === 'Deployment' && !w.hostNetwork && !w.onFirstNodes);
  if (!workload) {
    throw new Error('the simulated cluster has no Deployment to start pods of');
  }
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const pod = sim.cluster.createPod(node, workload, { phase: 'Running', managed: false, ageSeconds });
    names.push(`${pod.namespace}/${pod.name}`);
  }
  return names;
}

/**
 * A cluster-wide policy change that one agent fails to import: every other agent moves to the next revision, the
 * failing one counts an import error and stays behind until the next change.
 */
export function policyChangeFailingOn(sim: RunningSimulator, failingNode: string): void {
  agentNode(sim, failingNode);
  sim.cluster.policyRevision++;
  for (const node of sim.cluster.nodes) {
    node.agent?.applyPolicyChange(sim.cluster.policies, node.name === failingNode);
  }
}

/** A failed full regeneration of one endpoint on a node (its build stops part way, as the agent's model records). */
export function failRegeneration(sim: RunningSimulator, nodeName: string): void {
  agentNode(sim, nodeName).agent!.regenerations.record('full', false);
}
