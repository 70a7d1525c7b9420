/**
 * Kubernetes hard cases for the unmanaged-pod join, each placed once at setup and held in its state, labelled with
 * how a correct join classifies it (reference/cilium/unmanaged-pods.md lists where Cilium's own tools go wrong):
 * pods started before Cilium, hostNetwork pods, completed and failed Job pods, Pending pods with and without a node,
 * terminating pods with and without their endpoint, a node without an agent, names that are prefixes or regex
 * look-alikes of managed names; plus faster churn and a short-lived pod every tick while clients watch.
 */
import type { SimNode, SimulatedCluster } from '../cluster';
import type { SimPod } from '../model';
import type { Workload } from '../workloads';
import { DEFAULT_PARAMETERS, type Scenario } from './types';

/** How a correct join counts a pod: `no-agent` pods count in `nodesWithoutAgent`, `not-counted` ones nowhere. */
export type KubeCaseClass = 'unmanaged' | 'managed' | 'terminating' | 'not-counted' | 'no-agent';

export interface KubeCase {
  /** What the case exercises, e.g. "prefix-name-without-cep". */
  case: string;
  /** The pod; absent for a case about a whole node. */
  namespace?: string;
  name?: string;
  /** The pod's node (null for an unscheduled pod), or the node the case is about. */
  node: string | null;
  expected: KubeCaseClass;
  note: string;
}

export interface KubeCaseScenario extends Scenario {
  kubeCases(): KubeCase[];
}

const BEFORE_CILIUM = {
  case: 'started-before-cilium',
  expected: 'unmanaged',
  note: 'Running since before the agent started: no endpoint, no CEP',
} as const;

export function isKubeCaseScenario(scenario: Scenario): scenario is KubeCaseScenario {
  return typeof (scenario as Partial<KubeCaseScenario>).kubeCases === 'function';
}

/** Far below the one tick a pod spends starting or terminating, so the lifecycle never moves a held pod on. */
const HELD = -1_000_000_000;

export function kubeHardCasesScenario(): KubeCaseScenario {
  const cases: KubeCase[] = [];
  let flash: { node: SimNode; pod: SimPod } | null = null;

  const place = (
    cluster: SimulatedCluster,
    node: SimNode,
    workloadKey: string,
    c: Omit<KubeCase, 'namespace' | 'name' | 'node'>,
    options: {
      phase?: SimPod['phase'];
      managed?: boolean;
      name?: string;
      owner?: { kind: SimPod['ownerKind']; name: string };
      labels?: Record<string, string>;
    } = {}
  ): SimPod => {
    const workload = requireWorkload(cluster, workloadKey);
    const identity: Parameters<SimulatedCluster['createPod']>[2]['identity'] = {};
    if (options.name !== undefined) {
      identity.name = options.name;
    }
    if (options.owner) {
      identity.ownerKind = options.owner.kind;
      identity.ownerName = options.owner.name;
    }
    if (options.labels) {
      identity.labels = options.labels;
    }
    const pod = cluster.createPod(node, workload, {
      phase: options.phase ?? 'Running',
      managed: options.managed ?? true,
      ageSeconds: 3 * 86400,
      identity,
    });
    cases.push({ ...c, namespace: pod.namespace, name: pod.name, node: node.name });
    return pod;
  };

  return {
    name: 'kube-hard-cases',
    description:
      'unmanaged-pod hard cases (pods before Cilium, hostNetwork, completed Jobs, Pending, terminating, a node without an agent, prefix and dot names) with churn',
    parameters: { ...DEFAULT_PARAMETERS, churnPer5s: 0.3 },

    setup(cluster) {
      const nodes = cluster.nodes;
      const a = nodes[1 % nodes.length];
      const b = nodes[2 % nodes.length];
      const bare = { kind: 'None' as const, name: '' };

      place(
        cluster,
        a,
        'default/web',
        {
          case: 'prefix-name-without-cep',
          expected: 'unmanaged',
          note: 'default/web has no CEP while default/web-1 has one: a substring search calls it managed',
        },
        { managed: false, name: 'web', owner: bare, labels: { app: 'web' } }
      );
      place(
        cluster,
        a,
        'default/web',
        { case: 'prefix-name-with-cep', expected: 'managed', note: 'the managed pod whose name extends default/web' },
        { name: 'web-1', owner: { kind: 'StatefulSet', name: 'web' }, labels: { app: 'web' } }
      );
      place(
        cluster,
        b,
        'default/web',
        {
          case: 'dot-in-name-without-cep',
          expected: 'unmanaged',
          note: 'as a regular expression "api.v2" matches the managed "api-v2"',
        },
        { managed: false, name: 'api.v2', owner: bare, labels: { app: 'api' } }
      );
      place(
        cluster,
        b,
        'default/web',
        {
          case: 'dot-lookalike-with-cep',
          expected: 'managed',
          note: 'the managed pod a regular expression search confuses with default/api.v2',
        },
        { name: 'api-v2', owner: bare, labels: { app: 'api' } }
      );
      place(cluster, a, 'shop/frontend', BEFORE_CILIUM, { managed: false });
      place(cluster, b, 'payments/payments-api', BEFORE_CILIUM, { managed: false });
      place(
        cluster,
        a,
        'monitoring/node-exporter',
        { case: 'host-network', expected: 'not-counted', note: 'hostNetwork pods never get an endpoint' },
        { name: 'host-probe', owner: bare, labels: { app: 'host-probe' } }
      );

      const succeeded = place(
        cluster,
        a,
        'batch/nightly-report',
        { case: 'job-succeeded', expected: 'not-counted', note: 'a completed Job pod is not unmanaged' },
        { phase: 'Succeeded' }
      );
      const failed = place(
        cluster,
        b,
        'batch/data-export',
        { case: 'job-failed', expected: 'not-counted', note: 'a failed Job pod is not unmanaged' },
        { phase: 'Failed' }
      );
      const pending = place(
        cluster,
        a,
        'shop/checkout',
        {
          case: 'pending-scheduled-without-cep',
          expected: 'unmanaged',
          note: 'Pending on a node with no endpoint yet (CNI not set up): counted, as cilium status does',
        },
        { phase: 'Pending', managed: false }
      );
      const goneEndpoint = place(
        cluster,
        b,
        'shop/cart',
        {
          case: 'terminating-endpoint-gone',
          expected: 'terminating',
          note: 'deletionTimestamp set, endpoint already removed (held by a finalizer)',
        },
        { managed: false }
      );
      const withEndpoint = place(cluster, a, 'shop/catalogue', {
        case: 'terminating-endpoint-disconnecting',
        expected: 'terminating',
        note: 'deletionTimestamp set, endpoint still there, disconnecting',
      });
      cluster.deletePod(b, goneEndpoint);
      cluster.deletePod(a, withEndpoint);
      for (const pod of [succeeded, failed, pending, goneEndpoint, withEndpoint]) {
        pod.phaseTicks = HELD;
      }

      const unscheduled = cluster.unscheduledPods[0];
      if (unscheduled) {
        cases.push({
          case: 'pending-unscheduled',
          namespace: unscheduled.namespace,
          name: unscheduled.name,
          node: null,
          expected: 'not-counted',
          note: 'Pending without a node is not counted against any node',
        });
      }

      if (nodes.length >= 3) {
        const orphan = nodes[nodes.length - 1];
        cluster.removeAgent(orphan.name);
        cases.push({
          case: 'node-without-agent',
          node: orphan.name,
          expected: 'no-agent',
          note: 'pods but no Cilium agent pod, no agent metrics: reported as no agent, not as unmanaged pods',
        });
        place(
          cluster,
          orphan,
          'shop/frontend',
          {
            case: 'pod-on-node-without-agent',
            expected: 'no-agent',
            note: 'counted in nodesWithoutAgent, not listed as unmanaged',
          },
          { managed: false }
        );
      }
    },

    beforeTick(cluster) {
      // A short-lived pod: created in one tick, gone in the next (deleted while it starts).
      if (
        flash &&
        flash.node.pods.get(`${flash.pod.namespace}/${flash.pod.name}`) === flash.pod &&
        flash.pod.deletionTimestamp === null
      ) {
        cluster.deletePod(flash.node, flash.pod);
      }
      const withAgent = cluster.nodes.filter((n) => n.agent !== null);
      if (withAgent.length === 0) {
        flash = null;
        return;
      }
      const node = withAgent[cluster.tickCount % withAgent.length];
      flash = {
        node,
        pod: cluster.createPod(node, requireWorkload(cluster, 'default/web-canary'), {
          phase: 'Pending',
          managed: true,
          ageSeconds: 0,
        }),
      };
    },

    kubeCases: () => cases.map((c) => ({ ...c })),
  };
}

function requireWorkload(cluster: SimulatedCluster, key: string): Workload {
  const workload = cluster.workloads.find((w) => w.key === key);
  if (!workload) {
    throw new Error(`kube-hard-cases: the workload catalogue has no ${key}`);
  }
  return workload;
}
