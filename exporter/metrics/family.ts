/**
 * A /metrics family, declared once: its name, type, help and label names, and how it fills itself from its
 * source at every scrape (like kube-state-metrics' family generators). The groups (targets.ts, agent.ts, ...) each
 * declare theirs against the source they read; catalogue.ts lists them all, which is what the README's metrics
 * reference and the exposition tests are checked against.
 */
import type { HistogramValue } from './text';

/** A sample; timestampMs (Unix ms) when the value comes from an agent's scrape at that time. */
export type Emit<L extends string = string> = (
  labels: Readonly<Record<L, string>>,
  value: number,
  timestampMs?: number | null
) => void;

/** A histogram with its own buckets, at the time of the scrape it comes from. */
export type EmitHistogram<L extends string = string> = (
  labels: Readonly<Record<L, string>>,
  histogram: HistogramValue,
  timestampMs?: number | null
) => void;

interface Declared<L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
}

export interface SampleFamily<S, L extends string = string> extends Declared<L> {
  type: 'gauge' | 'counter';
  /** Every label set is emitted once by construction: written as it comes, without the check for repeats. */
  unique?: boolean;
  fill(source: S, emit: Emit<L>): void;
}

export interface HistogramFamily<S, L extends string = string> extends Declared<L> {
  type: 'histogram';
  fill(source: S, emit: EmitHistogram<L>): void;
}

export type Family<S, L extends string = string> = SampleFamily<S, L> | HistogramFamily<S, L>;

/** What the README and the tests read of a family: everything but how it fills. */
export type FamilyDeclaration = Pick<Family<unknown>, 'name' | 'type' | 'help' | 'labelNames'>;

/**
 * The family declarer of a group reading `S`: each family's label names are checked against the labels its fill
 * emits at compile time (`familiesOf<Source>()({ labelNames: ['node'], fill: (s, emit) => emit({ node }, v) })`).
 */
export function familiesOf<S>() {
  return <L extends string>(family: Family<S, L>): Family<S> => family as unknown as Family<S>;
}
