import { Labels, TextParser } from '../../../exporter/scrape/textparse';
import { readPage } from '../../support/fixtures';
import { type Sample, samplesOf } from './textparse-support';

interface PptfFamily {
  name: string;
  type: string;
  metrics: Array<{ value?: string; labels?: Record<string, string> }>;
}
// An independent parser to compare with (it has no type declarations).

const parsePrometheusTextFormat = require('parse-prometheus-text-format') as (text: string) => PptfFamily[];

const PAGES = ['agent-1.9.10.prom', 'agent-1.11.0.prom', 'operator-stacked.prom'];

const parseAll = (body: Buffer, keepFamily?: (family: string) => boolean): Sample[] => samplesOf(body, { keepFamily });

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) {
    counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  }
  return counts;
}

/**
 * The expected sample count per family, read naively: the non-comment lines between a `# TYPE F` line and the next
 * `# TYPE` line are F's (these pages type every family), and each must start with F.
 */
function naiveFamilyCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  let family: string | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      family = line.split(' ')[2];
      counts.set(family, counts.get(family) ?? 0);
    } else if (line !== '' && !line.startsWith('#')) {
      if (family === undefined || !line.startsWith(family)) {
        throw new Error(`sample line outside its family: ${line}`);
      }
      counts.set(family, (counts.get(family) ?? 0) + 1);
    }
  }
  return counts;
}

for (const page of PAGES) {
  describe(`TextParser on the real page ${page}`, () => {
    const body = readPage(page);
    const text = body.toString('utf8');
    const samples = parseAll(body);

    test('sample counts per family equal a naive line count', () => {
      const expected = naiveFamilyCounts(text);
      const families = countBy(samples, (s) => s.family);
      for (const [family, count] of expected) {
        expect([family, families.get(family) ?? 0]).toEqual([family, count]);
      }
      expect(families.size).toBe([...expected.values()].filter((n) => n > 0).length);
      expect(samples.length).toBe(text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length);
    });

    test('the sample name of each family is the family or the family plus a suffix its type allows', () => {
      const allowed: Record<string, string[]> = {
        histogram: ['_bucket', '_sum', '_count'],
        summary: ['', '_sum', '_count'],
      };
      for (const s of samples) {
        const suffixes = allowed[s.type] ?? [''];
        expect(suffixes.map((suffix) => s.family + suffix)).toContain(s.name);
      }
    });

    test('counters, gauges and untyped samples equal those read by parse-prometheus-text-format', () => {
      // That parser rejects `# HELP name` without text (valid, and present in operator-stacked.prom).
      const families = parsePrometheusTextFormat(text.replace(/^(# HELP \S+)$/gm, '$1 -'));
      // It merges the samples of a family that appears twice and the repeats of a series (both in
      // operator-stacked.prom), so compare the other families.
      const typeLines = countBy(
        text.split('\n').filter((l) => l.startsWith('# TYPE ')),
        (l) => l.split(' ')[2]
      );
      const theirs = new Map<string, Array<[Record<string, string>, number]>>();
      for (const family of families) {
        if (['COUNTER', 'GAUGE', 'UNTYPED'].includes(family.type) && typeLines.get(family.name) === 1) {
          theirs.set(
            family.name,
            family.metrics.map((m) => [m.labels ?? {}, Number(m.value)])
          );
        }
      }
      let compared = 0;
      for (const [name, list] of theirs) {
        const ours = samples.filter((s) => s.family === name).map((s) => [s.labels, s.value]);
        if (new Set(ours.map(([labels]) => JSON.stringify(labels))).size !== ours.length) {
          continue;
        }
        expect([name, ours]).toEqual([name, list]);
        compared += ours.length;
      }
      expect(compared).toBeGreaterThan(50);
    });

    test('parsing in 1 KiB, 97-byte and 16 KiB chunks gives the same samples', () => {
      for (const size of [1024, 97, 16384]) {
        const chunked: Sample[] = [];
        const parser = new TextParser((name, labels, value, ts, family, type) =>
          chunked.push({ name, labels, value, ts, family, type })
        );
        for (let i = 0; i < body.length; i += size) {
          parser.write(body.subarray(i, i + size));
        }
        const stats = parser.end();
        expect(chunked).toEqual(samples);
        expect(stats).toMatchObject({ bytes: body.length, keptSamples: samples.length, samples: samples.length });
      }
    });

    test('skipping families leaves the kept samples unchanged', () => {
      const keep = (family: string): boolean =>
        /^cilium_(endpoint|drop_|forward_|policy|version|identity|unreachable_|ip_addresses|operator_ipam)/.test(
          family
        );
      const kept = parseAll(body, keep);
      expect(kept.length).toBeGreaterThan(0);
      expect(kept).toEqual(samples.filter((s) => keep(s.family)));
    });
  });
}

describe('exact values of agent-1.9.10.prom', () => {
  const samples = parseAll(readPage('agent-1.9.10.prom'));
  const find = (name: string, labels: Labels): Sample[] =>
    samples.filter((s) => s.name === name && JSON.stringify(s.labels) === JSON.stringify(labels));

  test('forwarded packets and bytes', () => {
    expect(find('cilium_forward_count_total', { direction: 'EGRESS' })).toEqual([
      {
        name: 'cilium_forward_count_total',
        labels: { direction: 'EGRESS' },
        value: 1390438,
        ts: null,
        family: 'cilium_forward_count_total',
        type: 'counter',
      },
    ]);
    expect(find('cilium_forward_bytes_total', { direction: 'EGRESS' }).map((s) => s.value)).toEqual([1.8847854e8]);
    expect(find('cilium_forward_bytes_total', { direction: 'INGRESS' }).map((s) => s.value)).toEqual([4.57802092e8]);
  });

  test('a histogram bucket, sum and count', () => {
    const labels = { method: 'GET', path: '/v1/cluster', return_code: '200' };
    expect(find('cilium_agent_api_process_time_seconds_bucket', { ...labels, le: '+Inf' })[0]).toMatchObject({
      value: 9705,
      family: 'cilium_agent_api_process_time_seconds',
      type: 'histogram',
    });
    expect(find('cilium_agent_api_process_time_seconds_sum', labels)[0].value).toBe(0.5564122989999992);
    expect(find('cilium_agent_api_process_time_seconds_count', labels)[0].value).toBe(9705);
  });
});
