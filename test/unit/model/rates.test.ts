import type { AgentSample } from '../../../exporter/cilium/sample';
import { counterIncrease, deriveRates, histogramQuantile } from '../../../exporter/model/rates';

function sample(over: Partial<AgentSample> = {}): AgentSample {
  return {
    ciliumVersion: '1.18.0',
    endpoints: 5,
    endpointStates: { ready: 5 },
    regenerations: { success: 10 },
    regenerationTime: null,
    forwarded: [{ direction: 'INGRESS', packets: 1000, bytes: 100_000 }],
    dropped: [{ direction: 'INGRESS', reason: 'Policy denied', packets: 10, bytes: 1000 }],
    policies: 3,
    policyMaxRevision: 7,
    policyImportErrors: 0,
    enforcement: {},
    identities: 12,
    unreachableNodes: 0,
    unreachableHealthEndpoints: 0,
    controllersFailing: 0,
    bpfMapPressure: {},
    ipAddresses: {},
    processStartTimeSeconds: 1_700_000_000,
    ...over,
  };
}

describe('counterIncrease', () => {
  test('grows, resets, appears', () => {
    expect(counterIncrease(10, 15, true)).toBe(5);
    expect(counterIncrease(10, 3, true)).toBe(3);
    expect(counterIncrease(undefined, 4, true)).toBe(4);
    expect(counterIncrease(undefined, 4, false)).toBe(0);
  });
});

describe('deriveRates', () => {
  test('per-second rates over the interval', () => {
    const r = deriveRates(
      sample(),
      sample({
        forwarded: [{ direction: 'INGRESS', packets: 1300, bytes: 130_000 }],
        dropped: [{ direction: 'INGRESS', reason: 'Policy denied', packets: 40, bytes: 4000 }],
        regenerations: { success: 16, failure: 2 },
        policyImportErrors: 3,
      }),
      30
    );
    expect(r.forwarded).toEqual([{ direction: 'INGRESS', packetsPerSecond: 10, bytesPerSecond: 1000 }]);
    expect(r.dropped).toEqual([
      { direction: 'INGRESS', reason: 'Policy denied', packetsPerSecond: 1, bytesPerSecond: 100 },
    ]);
    expect(r.regenerations).toEqual({ success: 0.2, failure: 2 / 30 });
    expect(r.policyImportErrorsIncrease).toBe(3);
    expect(r.restarted).toBe(false);
  });

  test('an agent restart (new start time, counters lower) is a reset, not a negative rate', () => {
    const r = deriveRates(
      sample(),
      sample({
        processStartTimeSeconds: 1_700_000_500,
        forwarded: [{ direction: 'INGRESS', packets: 60, bytes: 6000 }],
        dropped: [],
      }),
      30
    );
    expect(r.restarted).toBe(true);
    expect(r.forwarded[0].packetsPerSecond).toBe(2);
    expect(r.dropped).toEqual([]);
  });

  test('a drop reason that appears counts from zero when the agent did not restart', () => {
    const r = deriveRates(
      sample({ dropped: [] }),
      sample({ dropped: [{ direction: 'EGRESS', reason: 'Invalid packet', packets: 30, bytes: null }] }),
      10
    );
    expect(r.dropped).toEqual([
      { direction: 'EGRESS', reason: 'Invalid packet', packetsPerSecond: 3, bytesPerSecond: null },
    ]);
  });

  test('histogram buckets: increases per bucket, whole-histogram reset', () => {
    const h = (counts: number[], count: number) => ({
      upperBounds: [0.1, 1, Infinity],
      cumulativeCounts: counts,
      sum: 0,
      count,
    });
    const r = deriveRates(
      sample({ regenerationTime: h([1, 2, 3], 3) }),
      sample({ regenerationTime: h([3, 6, 8], 8) }),
      1
    );
    expect(r.regenerationBuckets).toEqual([
      { le: 0.1, perSecond: 2 },
      { le: 1, perSecond: 4 },
      { le: Infinity, perSecond: 5 },
    ]);
    const reset = deriveRates(
      sample({ regenerationTime: h([3, 6, 8], 8) }),
      sample({ regenerationTime: h([1, 1, 2], 2) }),
      1
    );
    expect(reset.regenerationBuckets.map((b) => b.perSecond)).toEqual([1, 1, 2]);
  });
});

describe('histogramQuantile', () => {
  const buckets = [
    { le: 0.1, count: 10 },
    { le: 0.5, count: 60 },
    { le: 1, count: 90 },
    { le: Infinity, count: 100 },
  ];
  test('interpolates within the bucket like Prometheus', () => {
    expect(histogramQuantile(0.1, buckets)).toBeCloseTo(0.1);
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.1 + 0.4 * (40 / 50));
    expect(histogramQuantile(0.9, buckets)).toBeCloseTo(1);
    expect(histogramQuantile(0.99, buckets)).toBe(1);
  });
  test('empty histograms have no quantile', () => {
    expect(histogramQuantile(0.5, [])).toBeNaN();
    expect(
      histogramQuantile(0.5, [
        { le: 1, count: 0 },
        { le: Infinity, count: 0 },
      ])
    ).toBeNaN();
  });
});
