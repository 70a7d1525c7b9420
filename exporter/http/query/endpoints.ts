/** Query handlers about endpoints and pods: endpoint states, the pod/endpoint delta, the unmanaged pods table. */
import { SERIES } from '../../model/series';
import { emptyFrame, tableFrame, withLabels, withNotice } from './frames';
import { endpointsNotReady, podEndpointDeltaOnly, unmanagedPodCount } from './signals';
import { type QueryHandler, displayName, groupedFrames, labelFilters, select, splitLabels } from './context';
import { filterSet } from './validate';

const NO_KUBERNETES =
  'Kubernetes is not configured (--kubeconfig or in-cluster): pods cannot be counted, so only endpoints are shown.';

export const endpointsHandler: QueryHandler = (q, ctx) => {
  if (q.view === 'notReady') {
    return endpointsNotReady(q, ctx);
  }
  const series = select(ctx, SERIES.endpoints, labelFilters(q, ['node', 'state']));
  const frames = groupedFrames(ctx, {
    refId: q.refId,
    series,
    by: splitLabels(q, ['state']),
    within: 'last',
    across: 'sum',
    config: (l) => ({
      displayNameFromDS: displayName(l, ['node', 'state']),
      unit: 'none',
      decimals: 0,
      description: 'Endpoints in this state, as the agent reports them (host and health endpoints included).',
    }),
  });
  return frames.length ? frames : [emptyFrame(q.refId, 'No endpoint data in this range: no agent has been scraped successfully yet.')];
};

export const podEndpointDeltaHandler: QueryHandler = (q, ctx) => {
  if (q.view === 'delta') {
    return podEndpointDeltaOnly(q, ctx);
  }
  const match = labelFilters(q, ['node']);
  const by = splitLabels(q, []);
  const part = (metric: string, label: string, description: string) =>
    groupedFrames(ctx, {
      refId: q.refId,
      series: select(ctx, metric, match),
      by,
      within: 'last',
      across: 'sum',
      config: (l) => ({ displayNameFromDS: displayName(l, ['node'], ` ${label}`), unit: 'none', decimals: 0, description }),
    }).map((f) => withLabels(f, { series: label }));
  const frames = [
    ...part(SERIES.pods, 'pods', 'Pods Running or Pending, not hostNetwork, scheduled on the node.'),
    ...part(SERIES.podEndpoints, 'pod endpoints', 'Endpoints the agent manages, minus its host and health endpoints.'),
    ...part(SERIES.endpointPodDelta, 'delta', 'Pods minus pod endpoints: above 0, pods Cilium does not manage.'),
  ];
  if (!ctx.kube) {
    return frames.length ? frames.map((f, i) => (i === 0 ? withNotice(f, NO_KUBERNETES) : f)) : [emptyFrame(q.refId, NO_KUBERNETES)];
  }
  return frames.length ? frames : [emptyFrame(q.refId, 'No pod or endpoint data in this range yet.')];
};

export const unmanagedPodsHandler: QueryHandler = (q, ctx) => {
  if (q.view === 'count') {
    return unmanagedPodCount(q, ctx);
  }
  if (!ctx.kube) {
    return [tableFrame(q.refId, 'Unmanaged pods', columns([]), 'Kubernetes is not configured (--kubeconfig or in-cluster): unmanaged pods cannot be listed.')];
  }
  const answer = ctx.kube.unmanagedPods({ node: filterSet(q.node), namespace: filterSet(q.namespace) });
  const notice = answer.notice ?? (answer.stale ? 'Kubernetes data is stale: the API server has not answered recently.' : undefined);
  return [tableFrame(q.refId, 'Unmanaged pods', columns(answer.pods), notice)];
};

function columns(pods: Array<{ node: string; namespace: string; name: string; phase: string; owner: string | null; startedAt: string | null }>) {
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
