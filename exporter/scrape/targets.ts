/**
 * Scrape targets and where they come from. A TargetSource yields the current set; static flags are one source,
 * Kubernetes discovery another, and `CombinedTargetSource` merges them. The scheduler asks for the set at the
 * start of every cycle, so targets follow their source without restarts.
 */

/** agent: the agent's metrics; operator: the operator's; hubble: the agent's Hubble metrics (port 9965). */
export type Component = 'agent' | 'operator' | 'hubble';

export interface ScrapeTarget {
  /** Stable identity: component, node and URL. */
  id: string;
  component: Component;
  /** Kubernetes node name; empty for an operator whose node is unknown. */
  node: string;
  url: string;
  source: 'static' | 'kubernetes';
}

export interface TargetSource {
  targets(): ScrapeTarget[];
}

export function makeTarget(
  component: Component,
  node: string,
  url: string,
  source: ScrapeTarget['source']
): ScrapeTarget {
  return { id: `${component}|${node}|${url}`, component, node, url, source };
}

export class StaticTargetSource implements TargetSource {
  private readonly list: ScrapeTarget[];

  constructor(
    agents: Array<{ node: string; url: string }>,
    operator: { node: string; url: string } | null,
    hubble: Array<{ node: string; url: string }> = []
  ) {
    this.list = agents.map((a) => makeTarget('agent', a.node, a.url, 'static'));
    if (operator) {
      this.list.push(makeTarget('operator', operator.node, operator.url, 'static'));
    }
    this.list.push(...hubble.map((h) => makeTarget('hubble', h.node, h.url, 'static')));
  }

  targets(): ScrapeTarget[] {
    return this.list;
  }
}

/**
 * Static targets first; a discovered agent (or Hubble metrics target) on a node that a static target already covers
 * is ignored (the static flag is the operator's explicit choice), and only one operator is scraped.
 */
export class CombinedTargetSource implements TargetSource {
  constructor(private readonly sources: TargetSource[]) {}

  targets(): ScrapeTarget[] {
    const agentsByNode = new Map<string, ScrapeTarget>();
    const hubbleByNode = new Map<string, ScrapeTarget>();
    let operator: ScrapeTarget | null = null;
    for (const source of this.sources) {
      for (const t of source.targets()) {
        if (t.component === 'operator') {
          operator ??= t;
        } else {
          const byNode = t.component === 'agent' ? agentsByNode : hubbleByNode;
          if (!byNode.has(t.node)) {
            byNode.set(t.node, t);
          }
        }
      }
    }
    const all = [...agentsByNode.values()];
    if (operator) {
      all.push(operator);
    }
    all.push(...hubbleByNode.values());
    return all;
  }
}
