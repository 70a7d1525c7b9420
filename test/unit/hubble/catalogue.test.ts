/**
 * The Hubble families the exporter reads, and the labels it reads on them, against the reference table of Hubble's
 * metrics (test/fixtures/reference/hubble_metrics.tsv, from Cilium's metrics documentation); and the simulated
 * Hubble page speaks the same names.
 */
import { HUBBLE_FAMILIES, keepHubbleFamily } from '../../../exporter/hubble/catalogue';
import { HubbleNormaliser } from '../../../exporter/hubble/normalise';
import { renderHubblePage } from '../../../simulator/hubble/page';
import { SimulatedCluster } from '../../../simulator/cluster';
import { TextParser } from '../../../exporter/scrape/textparse';
import { readReference } from '../../support/fixtures';

interface ReferenceFamily {
  type: string;
  labels: string;
}

/** Rows by family name; a row naming two families ("a / b") is listed under both. */
function reference(): Map<string, ReferenceFamily> {
  const [header, ...rows] = readReference('hubble_metrics.tsv').trim().split('\n');
  expect(header.split('\t')).toEqual(['name', 'type', 'labels', 'help', 'enablement']);
  const out = new Map<string, ReferenceFamily>();
  for (const row of rows) {
    const [names, type, labels] = row.split('\t');
    for (const name of names.split(' / ')) {
      out.set(name.replace(/\s*\(.*\)$/, '').trim(), { type, labels });
    }
  }
  return out;
}

/** The labels each family is read by (the drop family's context labels apart, see context.ts). */
const LABELS_READ: Record<keyof typeof HUBBLE_FAMILIES, string[]> = {
  drops: ['reason', 'protocol'],
  flowsProcessed: ['verdict'],
  policyVerdicts: ['direction', 'match', 'action'],
  lostEvents: ['source'],
};

describe('Hubble metric catalogue', () => {
  test('every family read is a Hubble counter of the reference, with the labels read', () => {
    const ref = reference();
    for (const [key, name] of Object.entries(HUBBLE_FAMILIES) as Array<[keyof typeof HUBBLE_FAMILIES, string]>) {
      const row = ref.get(name);
      expect([name, row?.type]).toEqual([name, 'counter']);
      for (const label of LABELS_READ[key]) {
        expect([name, label, new RegExp(`\\b${label}\\b`).test(row!.labels)]).toEqual([name, label, true]);
      }
      expect(keepHubbleFamily(name)).toBe(true);
      // OpenMetrics names a counter family without _total.
      expect(keepHubbleFamily(name.replace(/_total$/, ''))).toBe(true);
    }
    expect(keepHubbleFamily('hubble_flows_to_world_total')).toBe(false);
  });

  test("the lost-event sources are the reference's", () => {
    const sources = /\(([^)]*)\)/.exec(reference().get(HUBBLE_FAMILIES.lostEvents)!.labels)![1].split('|');
    expect(sources).toEqual(['perf_event_ring_buffer', 'observer_events_queue', 'hubble_ring_buffer']);
  });

  test("the simulated Hubble page has the reference's families and is read whole", () => {
    const cluster = new SimulatedCluster({ nodes: 2, seed: 3, hubble: true });
    cluster.tick(5);
    const node = cluster.nodes[0];
    const page = renderHubblePage(cluster.hubble!, cluster.hubble!.requireNode(node.name), node.agent!);
    const ref = reference();
    const families = [...page.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]);
    for (const [name, type] of families.filter(([n]) => keepHubbleFamily(n))) {
      expect([name, type]).toEqual([name, ref.get(name)?.type]);
    }
    expect(new Set(families.map(([n]) => n).filter(keepHubbleFamily))).toEqual(new Set(Object.values(HUBBLE_FAMILIES)));
    const normaliser = new HubbleNormaliser({ reading: 'auto', lookup: null }, 5000);
    const parser = new TextParser(normaliser.accept, { keepFamily: keepHubbleFamily });
    parser.write(Buffer.from(page));
    parser.end();
    const sample = normaliser.finish();
    expect(sample.unknownLabels).toEqual([]);
    expect(sample.drops.length).toBeGreaterThan(0);
    expect(
      Object.keys(sample.lostEvents).every((s) =>
        ['perf_event_ring_buffer', 'observer_events_queue', 'hubble_ring_buffer'].includes(s)
      )
    ).toBe(true);
  });
});
