/** Query handlers about endpoints and pods: endpoint states, the pod/endpoint delta, the unmanaged pods table. */
import { emptyFrame, tableFrame, withNotice } from './frames';
import { type QueryHandler, displayName, read, seriesFrames } from './context';
import { TABLE } from './promql-table';
import { endpointsNotReady, podEndpointDeltaOnly, unmanagedPodCount } from './signals';
import { filterSet } from './validate';

const NO_POD_COUNTS =
  'No pod counts in this range: no exporter writing this history watches Kubernetes (--kubeconfig or in-cluster), so only pod endpoints are shown.';

export const endpointsHandler: QueryHandler = async (q, ctx) => {
  if (q.view === 'notReady') {
    return endpointsNotReady(q, ctx);
  }
  const { states } = await read(ctx, TABLE.endpoints(q));
  const frames = seriesFrames(ctx, q.refId, states, (l) => ({
    displayNameFromDS: displayName(l, ['node', 'state']),
    unit: 'none',
    decimals: 0,
    description: 'Endpoints in this state, as the agent reports them (host and health endpoints included).',
  }));
  return frames.length
    ? frames
    : [emptyFrame(q.refId, 'No endpoint data in this range: no agent has been scraped successfully yet.')];
};

export const podEndpointDeltaHandler: QueryHandler = async (q, ctx) => {
  if (q.view === 'delta') {
    return podEndpointDeltaOnly(q, ctx);
  }
  const { pods, podEndpoints, delta } = await read(ctx, TABLE.podEndpointDelta(q));
  const part = (series: typeof pods, label: string, description: string) =>
    seriesFrames(
      ctx,
      q.refId,
      series,
      (l) => ({ displayNameFromDS: displayName(l, ['node'], ` ${label}`), unit: 'none', decimals: 0, description }),
      { series: label }
    );
  const frames = [
    ...part(pods, 'pods', 'Pods Running or Pending, not hostNetwork, scheduled on the node.'),
    ...part(podEndpoints, 'pod endpoints', 'Endpoints the agent manages, minus its host and health endpoints.'),
    ...part(delta, 'delta', 'Pods minus pod endpoints: above 0, pods Cilium does not manage.'),
  ];
  if (!frames.length) {
    return [emptyFrame(q.refId, 'No pod or endpoint data in this range yet.')];
  }
  return pods.length ? frames : frames.map((f, i) => (i === 0 ? withNotice(f, NO_POD_COUNTS) : f));
};

export const unmanagedPodsHandler: QueryHandler = async (q, ctx) => {
  if (q.view === 'count') {
    return unmanagedPodCount(q, ctx);
  }
  if (!ctx.kube) {
    return [
      tableFrame(
        q.refId,
        'Unmanaged pods',
        columns([]),
        'Kubernetes is not configured (--kubeconfig or in-cluster): unmanaged pods cannot be listed.'
      ),
    ];
  }
  const answer = ctx.kube.unmanagedPods({ node: filterSet(q.node), namespace: filterSet(q.namespace) });
  const notice =
    answer.notice ?? (answer.stale ? 'Kubernetes data is stale: the API server has not answered recently.' : undefined);
  return [tableFrame(q.refId, 'Unmanaged pods', columns(answer.pods), notice)];
};

function columns(
  pods: Array<{
    node: string;
    namespace: string;
    name: string;
    phase: string;
    owner: string | null;
    startedAt: string | null;
  }>
) {
  const now = Date.now();
  return [
    { name: 'Node', type: 'string' as const, values: pods.map((p) => p.node) },
    { name: 'Namespace', type: 'string' as const, values: pods.map((p) => p.namespace) },
    { name: 'Pod', type: 'string' as const, values: pods.map((p) => p.name) },
    { name: 'Phase', type: 'string' as const, values: pods.map((p) => p.phase) },
    { name: 'Owner', type: 'string' as const, values: pods.map((p) => p.owner ?? '') },
    {
      name: 'Age',
      type: 'number' as const,
      values: pods.map((p) => (p.startedAt ? Math.max(0, Math.round((now - Date.parse(p.startedAt)) / 1000)) : null)),
      config: { unit: 's', description: 'Time since the pod started (or was created, if it has not started).' },
    },
  ];
}
