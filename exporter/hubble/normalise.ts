/**
 * One node's Hubble metrics page → a HubbleSample: every hubble_drop_total series with its endpoints resolved to
 * (namespace, workload), its reason in the agent's words and its direction; flows processed by verdict; policy
 * verdicts; lost events. Whatever context the agent writes (see context.ts) comes out in the same shape, and the
 * page's form is reported. Labels the exporter does not understand are listed, never fatal: their series still
 * count (each series keeps its own identity), only their endpoints stay unknown.
 *
 * Bounded: at most `maxSeries` drop series are read from a page; the rest are counted in `overflowSeries`.
 */
import { fnv1a32 } from '../scrape/shard';
import { HUBBLE_FAMILIES, agentReasonOfHubbleName } from './catalogue';
import {
  type ContextForm,
  type EndpointRef,
  type LabelsSide,
  type ReadContext,
  endpointOfContextValue,
  endpointOfLabels,
  isLabelsContextLabel,
  normaliseDirection,
  valueForm,
} from './context';

export interface HubbleDropSeries {
  /** A 53-bit hash of the series' whole label set: its identity from one scrape to the next. */
  id: number;
  reason: string;
  /** INGRESS, EGRESS, or UNKNOWN when the page has no traffic_direction label. */
  direction: string;
  source: EndpointRef;
  destination: EndpointRef;
  value: number;
}

export interface PolicyVerdictCount {
  direction: string;
  match: string;
  action: string;
  value: number;
}

export interface HubbleSample {
  drops: HubbleDropSeries[];
  /** Drop series on the page beyond the cap, not read. */
  overflowSeries: number;
  /** The page's dominant context form ('none' when the drops carry no context, or there are no drops). */
  form: ContextForm;
  /** Drop series per context form of their values (a chained context mixes forms). */
  forms: Partial<Record<ContextForm, number>>;
  /** Label names on hubble_drop_total that are neither reason, protocol nor a known context label (at most 16). */
  unknownLabels: string[];
  /** Whether the page has hubble_drop_total at all. */
  hasDrops: boolean;
  flowsProcessed: Record<string, number>;
  policyVerdicts: PolicyVerdictCount[];
  lostEvents: Record<string, number>;
}

const DROP_OWN_LABELS = new Set(['reason', 'protocol']);
const MAX_UNKNOWN_LABELS = 16;

/** A 53-bit identity of a label set (two 32-bit FNV-1a variants), collision-free in practice for a page's series. */
function labelSetId(labels: Record<string, string>): number {
  let text = '';
  for (const name in labels) {
    text += name + '\u0000' + labels[name] + '\u0001';
  }
  const high = fnv1a32(text) & 0x1fffff;
  const low = fnv1a32('\u0002' + text);
  return high * 0x100000000 + low;
}

export class HubbleNormaliser {
  private readonly drops = new Map<number, HubbleDropSeries>();
  private overflow = 0;
  private hasDrops = false;
  private readonly forms: Partial<Record<ContextForm, number>> = {};
  private readonly unknown = new Set<string>();
  private readonly flows: Record<string, number> = {};
  private readonly verdicts = new Map<string, PolicyVerdictCount>();
  private readonly lost: Record<string, number> = {};
  /** Endpoint of each context value seen on this page (the same pod appears in many series). */
  private readonly endpoints = new Map<string, EndpointRef>();

  constructor(
    private readonly context: ReadContext,
    private readonly maxSeries: number
  ) {}

  /** The parser's sample handler. */
  readonly accept = (name: string, labels: Record<string, string>, value: number): void => {
    if (!Number.isFinite(value) || value < 0) {
      return;
    }
    switch (name) {
      case HUBBLE_FAMILIES.drops:
        this.acceptDrop(labels, value);
        return;
      case HUBBLE_FAMILIES.flowsProcessed: {
        const verdict = labels.verdict ?? '';
        this.flows[verdict] = (this.flows[verdict] ?? 0) + value;
        return;
      }
      case HUBBLE_FAMILIES.policyVerdicts: {
        const direction = normaliseDirection(labels.direction);
        const match = labels.match ?? '';
        const action = labels.action ?? '';
        const key = `${direction}\u0000${match}\u0000${action}`;
        const entry = this.verdicts.get(key);
        if (entry) {
          entry.value += value;
        } else if (this.verdicts.size < 64) {
          this.verdicts.set(key, { direction, match, action, value });
        }
        return;
      }
      case HUBBLE_FAMILIES.lostEvents: {
        const source = labels.source ?? '';
        this.lost[source] = (this.lost[source] ?? 0) + value;
        return;
      }
    }
  };

  private acceptDrop(labels: Record<string, string>, value: number): void {
    this.hasDrops = true;
    const id = labelSetId(labels);
    const repeated = this.drops.get(id);
    if (repeated) {
      // A series repeated on a page counts once: the last occurrence wins.
      repeated.value = value;
      return;
    }
    if (this.drops.size >= this.maxSeries) {
      this.overflow++;
      return;
    }
    let source: EndpointRef = { namespace: '', workload: '' };
    let destination: EndpointRef = source;
    let form: ContextForm = 'none';
    let src: LabelsSide | null = null;
    let dst: LabelsSide | null = null;
    for (const label in labels) {
      const v = labels[label];
      if (DROP_OWN_LABELS.has(label)) {
        continue;
      }
      if (label === 'source' || label === 'destination') {
        const endpoint = this.endpointOf(v);
        if (label === 'source') {
          source = endpoint;
        } else {
          destination = endpoint;
        }
        const f = valueForm(v);
        if (f !== 'none' && (form === 'none' || form === 'reserved-identity')) {
          form = f === 'namespace' && endpoint.namespace === '' ? 'workload-name' : f;
        }
      } else if (isLabelsContextLabel(label)) {
        form = 'labels';
        if (label === 'traffic_direction') {
          continue;
        }
        const side = label.startsWith('source_') ? (src ??= {}) : (dst ??= {});
        const field = label.slice(label.indexOf('_') + 1);
        if (field === 'namespace' || field === 'workload' || field === 'pod' || field === 'app') {
          side[field] = v;
        }
      } else if (this.unknown.size < MAX_UNKNOWN_LABELS) {
        this.unknown.add(label);
      }
    }
    if (src || dst) {
      source = endpointOfLabels(src ?? {}, this.context.lookup);
      destination = endpointOfLabels(dst ?? {}, this.context.lookup);
    }
    this.forms[form] = (this.forms[form] ?? 0) + 1;
    this.drops.set(id, {
      id,
      reason: agentReasonOfHubbleName(labels.reason ?? ''),
      direction: normaliseDirection(labels.traffic_direction),
      source,
      destination,
      value,
    });
  }

  private endpointOf(value: string): EndpointRef {
    let endpoint = this.endpoints.get(value);
    if (!endpoint) {
      endpoint = endpointOfContextValue(value, this.context);
      this.endpoints.set(value, endpoint);
    }
    return endpoint;
  }

  finish(): HubbleSample {
    return {
      drops: [...this.drops.values()],
      overflowSeries: this.overflow,
      form: dominantForm(this.forms),
      forms: this.forms,
      unknownLabels: [...this.unknown].sort(),
      hasDrops: this.hasDrops,
      flowsProcessed: this.flows,
      policyVerdicts: [...this.verdicts.values()],
      lostEvents: this.lost,
    };
  }
}

/** The form most drop series use, a reserved identity only when nothing else is there. */
function dominantForm(forms: Partial<Record<ContextForm, number>>): ContextForm {
  let best: ContextForm = 'none';
  let count = 0;
  for (const [form, n] of Object.entries(forms) as Array<[ContextForm, number]>) {
    const rank = form === 'none' || form === 'reserved-identity' ? n / 1e9 : n;
    if (rank > count) {
      best = form;
      count = rank;
    }
  }
  return best;
}
