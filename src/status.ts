import type { TestDataSourceResponse } from '@grafana/data';

import type { StatusResponse } from './contract';

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

function age(seconds: number): string {
  if (seconds < 120) {
    return `${Math.round(seconds)} s ago`;
  }
  if (seconds < 7200) {
    return `${Math.round(seconds / 60)} min ago`;
  }
  return `${Math.round(seconds / 3600)} h ago`;
}

function nodesLine(nodes: StatusResponse['nodes']): string {
  const parts = [`${nodes.up} up`];
  if (nodes.down > 0) {
    parts.push(`${nodes.down} down`);
  }
  if (nodes.stale > 0) {
    parts.push(`${nodes.stale} stale`);
  }
  return `${plural(nodes.total, 'node')} seen (${parts.join(', ')})`;
}

function kubernetesLine(k: StatusResponse['kubernetes']): string {
  if (!k.enabled) {
    return 'Kubernetes: not connected (static targets; no pod or unmanaged-pod data)';
  }
  if (k.error) {
    return `Kubernetes: ${k.synced ? 'synced, but the last list or watch failed' : 'not synced'}: ${k.error}`;
  }
  if (!k.synced) {
    return 'Kubernetes: listing pods and CiliumEndpoints, not synced yet';
  }
  const when = k.lastSyncAgeSeconds === null ? '' : `, last update ${age(k.lastSyncAgeSeconds)}`;
  const source =
    k.unmanagedSource === 'ciliumendpoints'
      ? 'unmanaged pods named from CiliumEndpoints'
      : k.unmanagedSource === 'counts'
        ? 'unmanaged pods estimated from counts (CiliumEndpoint CRD not available)'
        : 'unmanaged pods unavailable';
  return `Kubernetes: synced${when}; ${source}`;
}

function historyLine(h: StatusResponse['history']): string {
  if (h.backend === 'embedded') {
    const kept = h.retentionSeconds === null ? '' : `, up to ${age(h.retentionSeconds).replace(' ago', '')}`;
    return `History: kept by the exporter in memory${kept}`;
  }
  const last = h.lastSuccessAt === null ? 'no answer yet' : `last answer at ${new Date(h.lastSuccessAt).toISOString()}`;
  return `History: read from Prometheus at ${h.url} (${h.state === 'error' ? `failing: ${h.lastError}` : last})`;
}

function operatorLine(o: StatusResponse['operator']): string | undefined {
  if (!o.configured) {
    return undefined;
  }
  if (o.up) {
    return 'Operator: up';
  }
  return `Operator: ${o.up === null ? 'not scraped yet' : 'down'}${o.error ? ` (${o.error})` : ''}`;
}

/**
 * The health check's verdict from `GET /api/v1/status`: success when every agent answers and Kubernetes (when
 * used) is in sync, a warning that names what is degraded, an error when no agent answers or the history backend
 * (Prometheus, for a query replica) fails.
 */
export function statusToTestResult(status: StatusResponse): TestDataSourceResponse {
  const { nodes, kubernetes, operator, history } = status;
  const headline = `Cilium Scope exporter ${status.exporterVersion}: ${nodesLine(nodes)}`;
  const lines = [kubernetesLine(kubernetes), operatorLine(operator), historyLine(history)].filter((l): l is string =>
    Boolean(l)
  );
  if (status.shard) {
    lines.push(
      `Shard ${status.shard.index + 1} of ${status.shard.count}: this exporter scrapes only its share of the nodes`
    );
  }
  const details = { message: lines.join('. ') + '.' };

  if (history.state === 'error') {
    return {
      status: 'error',
      message:
        `Connected to Cilium Scope exporter ${status.exporterVersion}, but its ${history.lastError}. ` +
        'Panels cannot load until the history backend answers; the exporter keeps running and tries again at every request.',
      details,
    };
  }
  if (nodes.total === 0 && history.backend === 'prometheus') {
    return {
      status: 'error',
      message:
        `Connected to Cilium Scope exporter ${status.exporterVersion}, reading Prometheus at ${history.url}, but Prometheus holds ` +
        'no ciliumscope_target_up series: check that it scrapes the exporters (the shards) and that --prometheus-url points at it.',
      details,
    };
  }
  if (nodes.total === 0) {
    return {
      status: 'error',
      message:
        `Connected to Cilium Scope exporter ${status.exporterVersion}, but it has no Cilium agents to scrape. ` +
        'Give it agent targets or let it discover the cilium agent pods through Kubernetes.',
      details,
    };
  }
  if (nodes.up === 0) {
    return {
      status: 'error',
      message: `${headline}. No agent answers: check that the agents expose metrics (prometheus.enabled, port 9962) and that the exporter can reach them.`,
      details,
    };
  }
  const problems: string[] = [];
  if (nodes.down > 0) {
    problems.push(`${plural(nodes.down, 'agent')} not answering`);
  }
  if (nodes.stale > 0) {
    problems.push(`${plural(nodes.stale, 'node')} with stale data`);
  }
  if (kubernetes.enabled && (!kubernetes.synced || kubernetes.error)) {
    problems.push('Kubernetes not in sync');
  }
  if (operator.configured && operator.up === false) {
    problems.push('operator down');
  }
  if (problems.length > 0) {
    return { status: 'warning', message: `${headline}. Degraded: ${problems.join(', ')}.`, details };
  }
  return { status: 'success', message: `${headline}.`, details };
}
