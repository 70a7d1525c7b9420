/**
 * Turns the samples of one Cilium agent or operator page into the version-independent AgentSample /
 * OperatorSample. The parser hands samples over one by one (`accept`); `finish()` resolves every field from the
 * families the page actually carried, preferring the current name where old and new ones sit side by side.
 *
 * Rules: the last occurrence of a series on a page wins (pages of several concatenated dumps repeat series);
 * values that are not finite (NaN counters, ±Inf gauges) are treated as absent; label values are kept exactly as
 * the agent writes them; cilium_version is read from its label whatever its value.
 */
import {
  AGENT_CATALOGUE,
  AGENT_ROUTES,
  OPERATOR_CATALOGUE,
  OPERATOR_ROUTES,
  keepAgentFamily,
  keepOperatorFamily,
  type ByLabelOutput,
  type FamilyEntry,
  type Route,
  type Storage,
} from './catalogue';
import { emptyHistogramParts, sumHistograms, type HistogramParts } from './histogram';
import type { AgentSample, CumulativeHistogram, DropCounter, OperatorSample, TrafficCounter } from './sample';
import { parseText, type ParseOptions } from '../scrape/textparse';

/** Labels as the parser gives them. */
export type SampleLabels = Readonly<Record<string, string | undefined>>;

/** Everything one family collected on a page; only the members its storage kind uses are set. */
interface FamilyState {
  value: number | undefined;
  text: string | undefined;
  byLabel: Map<string, number> | undefined;
  /** drops: direction → reason → value. */
  nested: Map<string, Map<string, number>> | undefined;
  /** histograms: scope → status → series. */
  histogram: Map<string, Map<string, HistogramParts>> | undefined;
}

function newState(): FamilyState {
  return { value: undefined, text: undefined, byLabel: undefined, nested: undefined, histogram: undefined };
}

function byDirection<T extends { direction: string }>(a: T, b: T): number {
  return a.direction < b.direction ? -1 : a.direction > b.direction ? 1 : 0;
}

function byDirectionThenReason(a: DropCounter, b: DropCounter): number {
  return byDirection(a, b) || (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0);
}

/** The raw family names that filled each field of the last `finish()`, e.g. { endpoints: 'cilium_endpoint_count' }. */
export type SampleSources<F extends string> = Partial<Record<F, string>>;

/** How a field's value is read from its families: from their storage kind (the catalogue states it once). */
type Resolution = 'version' | 'scalar' | 'record' | 'traffic' | 'drops' | 'histogram';

function resolutionOf(storage: Storage): Resolution {
  if (storage.kind === 'byLabel') {
    return storage.output.as === 'record' || storage.output.as === 'sumInto' ? 'record' : 'scalar';
  }
  return storage.kind;
}

/** What a page normaliser needs of its catalogue, derived once per component. */
interface PageTables<F extends string> {
  catalogue: ReadonlyArray<FamilyEntry<F>>;
  routes: ReadonlyMap<string, Route>;
  /** The entries of each field, highest rank first; fields in the catalogue's order, which is the sample's. */
  candidates: ReadonlyMap<F, number[]>;
  resolutions: ReadonlyMap<F, Resolution>;
}

function pageTables<F extends string>(
  catalogue: ReadonlyArray<FamilyEntry<F>>,
  routes: ReadonlyMap<string, Route>
): PageTables<F> {
  const candidates = new Map<F, number[]>();
  const resolutions = new Map<F, Resolution>();
  catalogue.forEach((family, index) => {
    const list = candidates.get(family.field) ?? [];
    list.push(index);
    candidates.set(family.field, list);
    const resolution = resolutionOf(family.storage);
    if ((resolutions.get(family.field) ?? resolution) !== resolution) {
      throw new Error(`Cilium catalogue: ${family.name} fills ${family.field} unlike the field's other families`);
    }
    resolutions.set(family.field, resolution);
  });
  for (const list of candidates.values()) {
    list.sort((a, b) => catalogue[b].rank - catalogue[a].rank);
  }
  return { catalogue, routes, candidates, resolutions };
}

const AGENT_PAGE = pageTables(AGENT_CATALOGUE, AGENT_ROUTES);
const OPERATOR_PAGE = pageTables(OPERATOR_CATALOGUE, OPERATOR_ROUTES);

/** The per-page collection and field resolution shared by the agent and operator normalisers. */
abstract class PageNormaliser<S extends object, F extends keyof S & string = keyof S & string> {
  private readonly catalogue: ReadonlyArray<FamilyEntry<F>>;
  private readonly routes: ReadonlyMap<string, Route>;
  private readonly states: FamilyState[];
  /** Entries used by the last finish(), per field, and the histogram scope picked; names are built on demand. */
  private readonly used = new Map<F, number[]>();
  private histogramScope: string | undefined;
  private readonly resolvers: Record<Resolution, (field: F) => unknown> = {
    version: (field) => this.resolveVersion(field),
    scalar: (field) => this.resolveScalar(field),
    record: (field) => this.resolveRecord(field),
    traffic: (field) => this.resolveTraffic(field),
    drops: (field) => this.resolveDrops(field),
    histogram: (field) => this.resolveHistogram(field),
  };

  protected constructor(private readonly tables: PageTables<F>) {
    this.catalogue = tables.catalogue;
    this.routes = tables.routes;
    this.states = tables.catalogue.map(newState);
  }

  /** The parser's sample callback; pass it as is (it is bound). Samples of families we do not need are ignored. */
  readonly accept = (name: string, labels: SampleLabels, value: number): void => {
    const route = this.routes.get(name);
    if (route === undefined) {
      return;
    }
    const storage = this.catalogue[route.entry].storage;
    const state = this.states[route.entry];
    if (storage.kind === 'version') {
      const version = labels[storage.label];
      if (version !== undefined && version !== '') {
        state.text = version;
      }
      return;
    }
    if (!Number.isFinite(value)) {
      return;
    }
    switch (storage.kind) {
      case 'scalar':
        state.value = value;
        return;
      case 'byLabel': {
        let key = labels[storage.label];
        if (key === undefined) {
          if (storage.output.as === 'record') {
            return;
          }
          key = '';
        }
        (state.byLabel ??= new Map()).set(key, value);
        return;
      }
      case 'traffic': {
        const direction = labels.direction;
        if (direction !== undefined) {
          (state.byLabel ??= new Map()).set(direction, value);
        }
        return;
      }
      case 'drops': {
        const direction = labels.direction;
        const reason = labels.reason;
        if (direction === undefined || reason === undefined) {
          return;
        }
        const nested = (state.nested ??= new Map());
        let reasons = nested.get(direction);
        if (reasons === undefined) {
          nested.set(direction, (reasons = new Map()));
        }
        reasons.set(reason, value);
        return;
      }
      case 'histogram': {
        const scope = labels.scope;
        if (scope === undefined || !storage.scopes.includes(scope)) {
          return;
        }
        const status = labels.status ?? '';
        const scopes = (state.histogram ??= new Map());
        let statuses = scopes.get(scope);
        if (statuses === undefined) {
          scopes.set(scope, (statuses = new Map()));
        }
        let parts = statuses.get(status);
        if (parts === undefined) {
          statuses.set(status, (parts = emptyHistogramParts()));
        }
        if (route.part === 'sum') {
          parts.sum = value;
        } else if (route.part === 'count') {
          parts.count = value;
        } else if (route.part === 'bucket') {
          const le = labels.le;
          if (le !== undefined) {
            parts.buckets.set(le, value);
          }
        }
        return;
      }
    }
  };

  /** The raw names behind each field of the last finish(); fields left empty or null are not listed. */
  sources(): SampleSources<F> {
    const out: SampleSources<F> = {};
    for (const [field, entries] of this.used) {
      const names = entries.map((i) => this.catalogue[i].name);
      if (this.catalogue[entries[0]].storage.kind === 'histogram' && this.histogramScope !== undefined) {
        out[field] = `${names[0]}{scope="${this.histogramScope}"}`;
      } else {
        out[field] = names.join(' + ');
      }
    }
    return out;
  }

  /** The sample: every field of the catalogue resolved from the families the page carried. */
  finish(): S {
    this.used.clear();
    this.histogramScope = undefined;
    const sample: Partial<Record<F, unknown>> = {};
    for (const [field, resolution] of this.tables.resolutions) {
      sample[field] = this.resolvers[resolution](field);
    }
    return sample as S;
  }

  private entriesOf(field: F): number[] {
    return this.tables.candidates.get(field) ?? [];
  }

  private resolveVersion(field: F): string | null {
    for (const i of this.entriesOf(field)) {
      const text = this.states[i].text;
      if (text !== undefined) {
        this.used.set(field, [i]);
        return text;
      }
    }
    return null;
  }

  private scalarOf(i: number): number | undefined {
    const storage = this.catalogue[i].storage;
    const state = this.states[i];
    if (storage.kind === 'scalar') {
      return state.value;
    }
    if (storage.kind !== 'byLabel' || state.byLabel === undefined) {
      return undefined;
    }
    const output: ByLabelOutput = storage.output;
    if (output.as === 'pick') {
      return state.byLabel.get(output.value) ?? 0;
    }
    let sum = 0;
    for (const v of state.byLabel.values()) {
      sum += v;
    }
    return sum;
  }

  private resolveScalar(field: F): number | null {
    for (const i of this.entriesOf(field)) {
      const value = this.scalarOf(i);
      if (value !== undefined) {
        this.used.set(field, [i]);
        return value;
      }
    }
    return null;
  }

  /** The highest rank with data wins; entries of that same rank (sumInto parts) are merged. */
  private resolveRecord(field: F): Record<string, number> {
    const out: Record<string, number> = {};
    let rank: number | undefined;
    const used: number[] = [];
    for (const i of this.entriesOf(field)) {
      const family = this.catalogue[i];
      if (rank !== undefined && family.rank !== rank) {
        break;
      }
      const map = this.states[i].byLabel;
      if (map === undefined || family.storage.kind !== 'byLabel') {
        continue;
      }
      rank = family.rank;
      used.push(i);
      const output = family.storage.output;
      if (output.as === 'sumInto') {
        let sum = 0;
        for (const v of map.values()) {
          sum += v;
        }
        out[output.key] = sum;
      } else {
        for (const [key, v] of map) {
          out[key] = v;
        }
      }
    }
    if (used.length > 0) {
      this.used.set(field, used);
    }
    return out;
  }

  /**
   * The packet and byte states of the field's traffic or drop families, once the packets carry `data` (marked used
   * then); null when they do not.
   */
  private partsOf(
    field: F,
    data: 'byLabel' | 'nested'
  ): { packets: FamilyState; bytes: FamilyState | undefined } | null {
    let packets: FamilyState | undefined;
    let bytes: FamilyState | undefined;
    const used: number[] = [];
    for (const i of this.entriesOf(field)) {
      const storage = this.catalogue[i].storage;
      if (storage.kind !== 'traffic' && storage.kind !== 'drops') {
        continue;
      }
      const state = this.states[i];
      if (state.byLabel === undefined && state.nested === undefined) {
        continue;
      }
      if (storage.part === 'packets') {
        packets ??= state;
      } else {
        bytes ??= state;
      }
      used.push(i);
    }
    if (packets?.[data] === undefined) {
      return null;
    }
    this.used.set(field, used);
    return { packets, bytes };
  }

  private resolveTraffic(field: F): TrafficCounter[] {
    const parts = this.partsOf(field, 'byLabel');
    const out: TrafficCounter[] = [];
    for (const [direction, count] of parts?.packets.byLabel ?? []) {
      out.push({ direction, packets: count, bytes: parts?.bytes?.byLabel?.get(direction) ?? null });
    }
    return out.sort(byDirection);
  }

  private resolveDrops(field: F): DropCounter[] {
    const parts = this.partsOf(field, 'nested');
    const out: DropCounter[] = [];
    for (const [direction, reasons] of parts?.packets.nested ?? []) {
      const byteReasons = parts?.bytes?.nested?.get(direction);
      for (const [reason, count] of reasons) {
        out.push({ direction, reason, packets: count, bytes: byteReasons?.get(reason) ?? null });
      }
    }
    return out.sort(byDirectionThenReason);
  }

  private resolveHistogram(field: F): CumulativeHistogram | null {
    for (const i of this.entriesOf(field)) {
      const storage = this.catalogue[i].storage;
      const scopes = this.states[i].histogram;
      if (storage.kind !== 'histogram' || scopes === undefined) {
        continue;
      }
      for (const scope of storage.scopes) {
        const statuses = scopes.get(scope);
        if (statuses === undefined) {
          continue;
        }
        const histogram = sumHistograms(statuses.values());
        if (histogram === null) {
          continue;
        }
        this.used.set(field, [i]);
        this.histogramScope = scope;
        return histogram;
      }
    }
    return null;
  }
}

/** Collects one agent page's samples; `finish()` gives the AgentSample. One instance per page. */
export class AgentNormaliser extends PageNormaliser<AgentSample> {
  constructor() {
    super(AGENT_PAGE);
  }
}

/** Collects one operator page's samples; `finish()` gives the OperatorSample. One instance per page. */
export class OperatorNormaliser extends PageNormaliser<OperatorSample> {
  constructor() {
    super(OPERATOR_PAGE);
  }
}

/** Parser options the page helpers pass through (the family filter is theirs). */
export type PageOptions = Omit<ParseOptions, 'keepFamily'>;

/** Parses an agent's /metrics page and normalises it. Throws the parser's error on a malformed page. */
export function normaliseAgentPage(body: Buffer | string, opts: PageOptions = {}): AgentSample {
  const normaliser = new AgentNormaliser();
  parseText(body, normaliser.accept, { ...opts, keepFamily: keepAgentFamily });
  return normaliser.finish();
}

/** Parses an operator's /metrics page and normalises it. Throws the parser's error on a malformed page. */
export function normaliseOperatorPage(body: Buffer | string, opts: PageOptions = {}): OperatorSample {
  const normaliser = new OperatorNormaliser();
  parseText(body, normaliser.accept, { ...opts, keepFamily: keepOperatorFamily });
  return normaliser.finish();
}
