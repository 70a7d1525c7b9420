/**
 * What the model's families read: the cluster model and the embedded history, with the views several families
 * share (the fresh nodes, every target, the operator's fresh sample) derived once per scrape.
 *
 * A node's values are exposed while its data is fresh and withdrawn once stale, so Prometheus never alerts on
 * frozen numbers; `ciliumscope_target_up` and `ciliumscope_target_stale` say why a node went quiet.
 */
import type { AgentSample, OperatorSample } from '../cilium/sample';
import type { RingHistory } from '../history/ring';
import type { ClusterModel, NodeState, TargetState } from '../model/cluster';
import { type ExpositionRegistry, oncePerScrape } from './registry';

/** A node whose values are exposed: fresh, with a sample. */
export type FreshNode = NodeState & { sample: AgentSample };

export interface TargetView {
  node: string;
  component: string;
  state: TargetState;
  sampleAt: number | null;
}

export interface ModelView {
  model: ClusterModel;
  /** The embedded history, when this exporter keeps one (not with --history-backend prometheus). */
  history: RingHistory | null;
  version: string;
  freshNodes(): FreshNode[];
  /** Every agent target, then the operator's, then the agents' Hubble metrics targets. */
  targets(): TargetView[];
  /** The operator's sample while it is fresh. */
  operatorSample(): OperatorSample | null;
}

export function modelView(
  registry: ExpositionRegistry,
  model: ClusterModel,
  history: RingHistory | null,
  version: string
): ModelView {
  return {
    model,
    history,
    version,
    freshNodes: oncePerScrape(registry, () => {
      const now = model.now();
      return model.nodes().filter((n) => n.sample !== null && !model.isStale(n, now)) as FreshNode[];
    }),
    targets: oncePerScrape(registry, () => {
      const list: TargetView[] = model
        .nodes()
        .map((n) => ({ node: n.name, component: 'agent', state: n.agent, sampleAt: n.sampleAt }));
      const op = model.operator();
      if (op) {
        list.push({ node: op.target.target.node, component: 'operator', state: op.target, sampleAt: op.sampleAt });
      }
      for (const h of model.hubbleTargets()) {
        list.push({ node: h.target.node, component: 'hubble', state: h, sampleAt: h.lastSuccess });
      }
      return list;
    }),
    operatorSample: () => {
      const op = model.operator();
      if (!op?.sample || op.sampleAt === null || model.now() - op.sampleAt > model.options.staleAfterMs) {
        return null;
      }
      return op.sample;
    },
  };
}
