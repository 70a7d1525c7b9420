/**
 * Scrape targets found in Kubernetes: one agent per node (the agent pods matched by the selector, node from
 * spec.nodeName) and the operator pods, each Running with a pod IP. The list follows the pods as they come and go;
 * it is rebuilt only after a change.
 */
import { type ScrapeTarget, type TargetSource, makeTarget } from '../scrape/targets';
import type { SlimPod } from './objects';
import { expandUrlTemplate } from './template';

export interface PodScrapeSettings {
  port: number;
  urlTemplate: string;
}

function scrapeable(pod: SlimPod): pod is SlimPod & { podIP: string } {
  return pod.phase === 'Running' && pod.podIP !== null;
}

/** Not terminating first, then the most recently started, then by name, so a rolling update settles on the new pod. */
function preferred(a: SlimPod, b: SlimPod): number {
  if (a.terminating !== b.terminating) {
    return a.terminating ? 1 : -1;
  }
  const sa = a.startedAt ?? '';
  const sb = b.startedAt ?? '';
  if (sa !== sb) {
    return sa > sb ? -1 : 1;
  }
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
}

function urlFor(pod: SlimPod & { podIP: string }, s: PodScrapeSettings): string {
  return expandUrlTemplate(s.urlTemplate, {
    podIP: pod.podIP,
    port: String(s.port),
    node: pod.node,
    pod: pod.metadata.name,
    namespace: pod.metadata.namespace,
  });
}

export function agentTargets(pods: readonly SlimPod[], settings: PodScrapeSettings): ScrapeTarget[] {
  const byNode = new Map<string, SlimPod & { podIP: string }>();
  for (const pod of pods) {
    if (!scrapeable(pod) || pod.node === '') {
      continue;
    }
    const current = byNode.get(pod.node);
    if (!current || preferred(pod, current) < 0) {
      byNode.set(pod.node, pod);
    }
  }
  return [...byNode.values()]
    .sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0))
    .map((pod) => makeTarget('agent', pod.node, urlFor(pod, settings), 'kubernetes'));
}

export function operatorTargets(pods: readonly SlimPod[], settings: PodScrapeSettings): ScrapeTarget[] {
  return pods
    .filter(scrapeable)
    .sort(preferred)
    .map((pod) => makeTarget('operator', pod.node, urlFor(pod, settings), 'kubernetes'));
}

/** The agents' Hubble metrics targets: the same pod per node as the agent target, on the Hubble port. */
export function hubbleTargets(
  agents: readonly ScrapeTarget[],
  pods: readonly SlimPod[],
  settings: PodScrapeSettings
): ScrapeTarget[] {
  const agentNodes = new Set(agents.map((t) => t.node));
  return agentTargets(pods, settings)
    .filter((t) => agentNodes.has(t.node))
    .map((t) => makeTarget('hubble', t.node, t.url, 'kubernetes'));
}

export class DiscoveredTargetSource implements TargetSource {
  private cached: ScrapeTarget[] | null = null;

  constructor(
    private readonly agentPods: () => readonly SlimPod[],
    private readonly agent: PodScrapeSettings,
    private readonly operatorPods: () => readonly SlimPod[],
    private readonly operator: PodScrapeSettings,
    /** The agents' Hubble metrics (--hubble-port), or null to discover none. */
    private readonly hubble: PodScrapeSettings | null = null
  ) {}

  /** Called on every agent or operator pod event. */
  invalidate(): void {
    this.cached = null;
  }

  targets(): ScrapeTarget[] {
    if (this.cached === null) {
      const agents = agentTargets(this.agentPods(), this.agent);
      this.cached = [
        ...agents,
        ...operatorTargets(this.operatorPods(), this.operator),
        ...(this.hubble ? hubbleTargets(agents, this.agentPods(), this.hubble) : []),
      ];
    }
    return this.cached;
  }
}
