/** The operator's series, while its sample is fresh; untimestamped (the operator's state, not an agent's). */
import type { OperatorSample } from '../cilium/sample';
import { type Emit, familiesOf } from './family';
import type { ModelView } from './view';

const family = familiesOf<ModelView>();

/** One value per key of a record of the operator's sample, the key as label `label`. */
const operatorRecord =
  <K extends string>(label: K, pick: (s: OperatorSample) => Record<string, number>) =>
  (m: ModelView, emit: Emit<K>): void => {
    const s = m.operatorSample();
    if (s) {
      for (const [key, v] of Object.entries(pick(s))) {
        emit({ [label]: key } as Record<K, string>, v);
      }
    }
  };

export const OPERATOR_FAMILIES = [
  family({
    name: 'ciliumscope_operator_unmanaged_pods',
    type: 'gauge',
    help: "The operator's own unmanaged-pods gauge (Cilium 1.17+; counts only pods matching its --pod-restart-selector, kube-dns by default). See ciliumscope_unmanaged_pods for the full per-node count.",
    labelNames: [],
    fill: (m, emit) => {
      const v = m.operatorSample()?.unmanagedPods;
      if (v !== null && v !== undefined) {
        emit({}, v);
      }
    },
  }),
  family({
    name: 'ciliumscope_operator_ipam_ips',
    type: 'gauge',
    help: "IPs in the operator's IPAM by type (available, used, needed).",
    labelNames: ['type'],
    fill: operatorRecord('type', (s) => s.ipamIps),
  }),
  family({
    name: 'ciliumscope_operator_ipam_nodes',
    type: 'gauge',
    help: 'Nodes by IPAM category (total, in-deficit, at-capacity).',
    labelNames: ['category'],
    fill: operatorRecord('category', (s) => s.ipamNodes),
  }),
  family({
    name: 'ciliumscope_operator_identity_gc_entries',
    type: 'gauge',
    help: "Identities alive and deleted at the end of the operator's last identity GC run.",
    labelNames: ['status'],
    fill: operatorRecord('status', (s) => s.identityGcEntries),
  }),
  family({
    name: 'ciliumscope_operator_identity_gc_runs',
    type: 'gauge',
    help: 'Identity GC runs of the operator by outcome.',
    labelNames: ['outcome'],
    fill: operatorRecord('outcome', (s) => s.identityGcRuns),
  }),
];
