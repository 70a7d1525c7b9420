/**
 * Every /metrics family, written from the fixed cluster of fixture.ts, has exactly the text of its case in cases/:
 * HELP, TYPE, label order, values, sample times, and the samples left out (stale nodes, unknown values, NaN). A
 * family the exporter registers without a case, or a case for a family it does not register, fails here.
 */
import { FAMILIES, createRegistry } from '../../../exporter/metrics';
import { HUBBLE_FAMILIES, RELAY_FAMILIES } from '../../../exporter/metrics/hubble';
import { KUBE_FAMILIES } from '../../../exporter/metrics/kube';
import { BACKEND_FAMILIES } from '../../../exporter/metrics/self';
import { SERIES } from '../../../exporter/model/series';
import { CASES } from './cases';
import { type MetricsFixture, metricsFixture } from './fixture';

type Sources = Partial<Pick<Parameters<typeof createRegistry>[0], 'kube' | 'hubble' | 'prometheus'>>;

function registryOf(f: MetricsFixture, timestamps = true, sources: Sources = {}) {
  return createRegistry({
    model: f.model,
    history: f.history,
    version: f.version,
    timestamps,
    anomaly: f.anomaly.metrics(f.model),
    kube: f.kube,
    hubble: f.hubble,
    prometheus: { requestStats: () => f.prometheus },
    ...sources,
  });
}

/** The `ciliumscope_*` part of a /metrics page (prom-client's process metrics come first), by family. */
function families(page: string): Map<string, string> {
  const own = page.slice(page.indexOf('# HELP ciliumscope_'));
  const byName = new Map<string, string>();
  for (const block of own.split(/\n(?=# HELP )/)) {
    byName.set(block.slice('# HELP '.length, block.indexOf(' ', '# HELP '.length)), block);
  }
  return byName;
}

let page: Map<string, string>;
beforeAll(async () => {
  page = families(await registryOf(metricsFixture()).metrics());
});

test.each(Object.keys(CASES))('%s', (name) => {
  expect(page.get(name)).toBe(CASES[name]);
});

test('every registered family has a case, and every case is a registered family', () => {
  const registry = registryOf(metricsFixture());
  expect(Object.keys(CASES).sort()).toEqual(registry.familyNames().sort());
  expect([...page.keys()]).toEqual(registry.familyNames());
});

test('the catalogue is what a registry with every source registers, in the order it writes them', () => {
  expect(FAMILIES.map((f) => f.name)).toEqual(registryOf(metricsFixture()).familyNames());
  expect(new Set(FAMILIES.map((f) => f.name)).size).toBe(FAMILIES.length);
  for (const f of FAMILIES) {
    expect(f.name).toMatch(/^ciliumscope_[a-z_]+$/);
    expect(f.labelNames.every((l) => /^[a-z_]+$/.test(l))).toBe(true);
  }
});

test('the page is the cases one after the other, each followed by a blank line', async () => {
  const own = await registryOf(metricsFixture()).metrics();
  expect(own.slice(own.indexOf('# HELP ciliumscope_'))).toBe(FAMILIES.map((f) => CASES[f.name]).join('\n'));
});

test('without sample times (--metrics-timestamps=false) the same samples, unstamped', async () => {
  const unstamped = families(await registryOf(metricsFixture(), false).metrics());
  for (const [name, text] of Object.entries(CASES)) {
    expect(unstamped.get(name)).toBe(text.replace(/ \d{13}\n/g, '\n'));
  }
});

test('the Kubernetes, Hubble and Prometheus-backend families are registered only with their source', () => {
  const names = registryOf(metricsFixture(), true, { kube: null, hubble: null, prometheus: null }).familyNames();
  const withSource = new Set(
    [...KUBE_FAMILIES, ...HUBBLE_FAMILIES, ...RELAY_FAMILIES, ...BACKEND_FAMILIES].map((f) => f.name)
  );
  expect(names).toEqual(FAMILIES.map((f) => f.name).filter((name) => !withSource.has(name)));
});

test('the Hubble Relay families are registered only when the exporter follows Relay', () => {
  const f = metricsFixture();
  const names = registryOf(f, true, { hubble: { ...f.hubble, relay: null } }).familyNames();
  const relay = new Set(RELAY_FAMILIES.map((family) => family.name));
  expect(names).toEqual(FAMILIES.map((family) => family.name).filter((name) => !relay.has(name)));
});

test('every series the history and the query layer name is a family of /metrics', () => {
  const byName = new Map(FAMILIES.map((f) => [f.name, f]));
  for (const series of Object.values(SERIES)) {
    const bucket = series.endsWith('_bucket');
    const family = byName.get(bucket ? series.slice(0, -'_bucket'.length) : series);
    expect({ series, found: family !== undefined, histogram: family?.type === 'histogram' }).toEqual({
      series,
      found: true,
      histogram: bucket,
    });
  }
});
