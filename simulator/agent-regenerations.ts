/**
 * One agent's endpoint regenerations as its page shows them: the outcome counter and the time histograms by scope
 * and status. A full build goes through every scope; a policy-only regeneration skips the BPF compilation.
 */
import { Histogram } from './histogram';
import type { Prng } from './prng';
import { roundTo } from './values';
import type { AgentNaming } from './versions';

interface RegenerationScope {
  name: string;
  /** Share of a full build's total time (before jitter); null for scopes timed independently. */
  share: number | null;
  /** Median seconds when independent of the total. */
  median: number;
  /** Observed on policy-only regenerations too. */
  onPolicy: boolean;
}

const SCOPES: readonly RegenerationScope[] = [
  { name: 'waitingForLock', share: null, median: 0.0002, onPolicy: true },
  { name: 'waitingForCTClean', share: null, median: 0.002, onPolicy: true },
  { name: 'policyCalculation', share: null, median: 0.0004, onPolicy: true },
  { name: 'proxyConfiguration', share: null, median: 0.00005, onPolicy: true },
  { name: 'proxyPolicyCalculation', share: null, median: 0.00004, onPolicy: true },
  { name: 'proxyWaitForAck', share: null, median: 0.00006, onPolicy: true },
  { name: 'prepareBuild', share: null, median: 0.0012, onPolicy: true },
  { name: 'bpfCompilation', share: 0.82, median: 0, onPolicy: false },
  { name: 'bpfWaitForELF', share: 0.83, median: 0, onPolicy: false },
  { name: 'bpfWriteELF', share: null, median: 0.004, onPolicy: true },
  { name: 'bpfLoadProg', share: 0.11, median: 0, onPolicy: true },
  { name: 'mapSync', share: null, median: 0.00015, onPolicy: true },
];

/** Scopes that appeared in later agents. */
const SCOPES_SINCE_1_14: readonly RegenerationScope[] = [
  { name: 'selectorPolicyCalculation', share: null, median: 0.0003, onPolicy: true },
  { name: 'endpointPolicyCalculation', share: null, median: 0.0001, onPolicy: true },
];

export type RegenerationKind = 'full' | 'policy';

export class Regenerations {
  private readonly scopes: readonly RegenerationScope[];
  counts = { success: 0, failure: 0 };
  /** Histograms keyed "scope|status". */
  histograms = new Map<string, Histogram>();

  constructor(
    private readonly rng: Prng,
    private readonly naming: AgentNaming,
    minorVersion: number
  ) {
    this.scopes = minorVersion >= 14 ? [...SCOPES, ...SCOPES_SINCE_1_14] : SCOPES;
  }

  /** Counts one finished regeneration and observes its time in every scope it went through. */
  record(kind: RegenerationKind, success: boolean): void {
    const status = success ? 'success' : 'failure';
    if (success) {
      this.counts.success++;
    } else {
      this.counts.failure++;
    }
    const total = kind === 'full' ? Math.max(0.15, this.rng.logNormal(1.8, 0.45)) : this.rng.logNormal(0.025, 0.8);
    // A failed build stops part way; only the early scopes and the total are observed.
    const scopes = success ? this.scopes : this.scopes.slice(0, 4);
    for (const scope of scopes) {
      if (kind === 'policy' && !scope.onPolicy) {
        continue;
      }
      const seconds =
        scope.share !== null && kind === 'full'
          ? total * scope.share * this.rng.range(0.95, 1.05)
          : scope.share !== null
            ? total * 0.1 * this.rng.range(0.5, 1.5)
            : this.rng.logNormal(scope.median, 0.7);
      this.observe(scope.name, status, roundTo(seconds, 1e-7));
    }
    this.observe(this.naming.regenerationTotalScope, status, roundTo(success ? total : total * 0.4, 1e-7));
  }

  /** A new agent process starts counting again. */
  reset(): void {
    this.counts = { success: 0, failure: 0 };
    this.histograms = new Map();
  }

  /** The outcome counter's series: agents that initialise both outcomes show failure at 0 from the start. */
  outcomes(): Record<string, number> {
    if (this.naming.regenerationOutcomesInitialised || this.counts.failure > 0) {
      return { failure: this.counts.failure, success: this.counts.success };
    }
    return { success: this.counts.success };
  }

  /** The whole-regeneration histogram (scope total or buildDuration), by status. */
  totals(): Histogram[] {
    const out: Histogram[] = [];
    for (const status of ['failure', 'success']) {
      const histogram = this.histograms.get(`${this.naming.regenerationTotalScope}|${status}`);
      if (histogram) {
        out.push(histogram);
      }
    }
    return out;
  }

  private observe(scope: string, status: string, seconds: number): void {
    const key = `${scope}|${status}`;
    let histogram = this.histograms.get(key);
    if (!histogram) {
      histogram = new Histogram();
      this.histograms.set(key, histogram);
    }
    histogram.observe(seconds);
  }
}
