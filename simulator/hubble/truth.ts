/**
 * Ground truth of the simulated Hubble: per node, the drops attributed since the agent started, at workload level,
 * and the (namespace, workload, direction) a correct exporter reports for each in the node's context form.
 */
import type { HubbleCounter, SimEndpoint, SimFlow } from './attribution';
import type { HubbleCluster, HubblePageMode, SimContextForm } from './state';

export interface EndpointTruth {
  namespace: string;
  workload: string;
}

export interface HubbleFlowTruth extends SimFlow {
  packets: number;
  /** What a correct exporter reports for this flow from the node's page: direction and endpoints. */
  expected: { direction: string; source: EndpointTruth; destination: EndpointTruth };
}

export interface HubbleNodeTruth {
  form: SimContextForm;
  mode: HubblePageMode;
  /** Distinct random names sprayed onto the page so far (spray mode). */
  sprayedNames: number;
  flows: HubbleFlowTruth[];
}

/**
 * The endpoint a correct exporter reports for a simulated endpoint in a form (`workload` pages need the exporter's
 * `--hubble-context workload-name`, since a bare value cannot say what it is).
 */
export function expectedEndpoint(form: SimContextForm, e: SimEndpoint): EndpointTruth {
  if (e.reserved) {
    return form === 'labels' ? { namespace: '', workload: '' } : { namespace: '', workload: e.reserved };
  }
  switch (form) {
    case 'pod':
    case 'labels':
      return { namespace: e.namespace, workload: e.workload };
    case 'namespace':
      return { namespace: e.namespace, workload: '' };
    case 'workload':
      return { namespace: '', workload: e.workload };
  }
}

export function hubbleTruth(hubble: HubbleCluster, only?: string): Record<string, HubbleNodeTruth> {
  const out: Record<string, HubbleNodeTruth> = {};
  for (const state of hubble.all()) {
    if (only !== undefined && state.node !== only) {
      continue;
    }
    out[state.node] = {
      form: state.form,
      mode: state.mode,
      sprayedNames: state.sprayedNames,
      flows: hubble.flows(state).map((c) => flowTruth(state.form, c)),
    };
  }
  return out;
}

function flowTruth(form: SimContextForm, c: HubbleCounter): HubbleFlowTruth {
  return {
    direction: c.direction,
    reason: c.reason,
    protocol: c.protocol,
    port: c.port,
    source: c.source,
    destination: c.destination,
    policies: c.policies,
    packets: c.packets,
    expected: {
      direction: form === 'labels' ? c.direction : 'UNKNOWN',
      source: expectedEndpoint(form, c.source),
      destination: expectedEndpoint(form, c.destination),
    },
  };
}
