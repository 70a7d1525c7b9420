import { readPage } from '../../support/fixtures';
import {
  compareLabels,
  escapeLabelValue,
  formatValue,
  histogramLines,
  renderLabels,
} from '../../../simulator/render/format';
import { parsePage } from './page-parser';

describe('formatValue writes floats as Go client_golang does', () => {
  test.each([
    [0, '0'],
    [1, '1'],
    [-1, '-1'],
    [2, '2'],
    [195973, '195973'],
    [999999, '999999'],
    [1000000, '1e+06'],
    [1390438, '1.390438e+06'],
    [1.8847854e8, '1.8847854e+08'],
    [1048576, '1.048576e+06'],
    [1.6401200452730336e9, '1.6401200452730336e+09'],
    [1.8446744073709552e19, '1.8446744073709552e+19'],
    [32.361329, '32.361329'],
    [0.0015384, '0.0015384'],
    [0.0001, '0.0001'],
    [0.00010783200000000001, '0.00010783200000000001'],
    [8.280000000000001e-5, '8.280000000000001e-05'],
    [6.138e-6, '6.138e-06'],
    [1e-7, '1e-07'],
    [1.5e300, '1.5e+300'],
    [-2.5e-5, '-2.5e-05'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
  ])('%p -> %s', (value, expected) => {
    expect(formatValue(value)).toBe(expected);
  });

  test('round-trips: parsing the text gives the same number back', () => {
    for (const value of [
      0.1 + 0.2,
      1 / 3,
      12345.678901234,
      7.7967642999999995,
      1e21,
      123456789012345680000,
      3.0200000000000002e-5,
    ]) {
      expect(Number(formatValue(value))).toBe(value);
    }
  });
});

describe('labels', () => {
  test('are sorted by name, with le last on buckets', () => {
    expect(
      renderLabels([
        ['scope', 'total'],
        ['outcome', 'success'],
      ])
    ).toBe('{outcome="success",scope="total"}');
    expect(
      renderLabels(
        [
          ['status', 'success'],
          ['scope', 'total'],
        ],
        '0.005'
      )
    ).toBe('{scope="total",status="success",le="0.005"}');
    expect(renderLabels([], '+Inf')).toBe('{le="+Inf"}');
    expect(renderLabels([])).toBe('');
  });

  test('escape backslash, quote and newline', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    expect(escapeLabelValue('Policy denied')).toBe('Policy denied');
  });

  test('series order follows label values in label-name order', () => {
    const a = [
      ['reason', 'Policy denied'],
      ['direction', 'EGRESS'],
    ] as const;
    const b = [
      ['direction', 'INGRESS'],
      ['reason', 'CT: Map insertion failed'],
    ] as const;
    expect(compareLabels(a, b)).toBeLessThan(0);
    expect(compareLabels(b, a)).toBeGreaterThan(0);
    expect(compareLabels(a, a)).toBe(0);
  });

  test('a histogram series lists cumulative buckets, +Inf, sum and count', () => {
    const text = histogramLines('h', [['scope', 'total']], [0.1, 1], [2, 5], 3.5, 6);
    expect(text).toBe(
      'h_bucket{scope="total",le="0.1"} 2\nh_bucket{scope="total",le="1"} 5\nh_bucket{scope="total",le="+Inf"} 6\n' +
        'h_sum{scope="total"} 3.5\nh_count{scope="total"} 6\n'
    );
  });
});

describe('formatValue against real agent pages', () => {
  test.each(['agent-1.9.10.prom', 'agent-1.11.0.prom'])('every value of %s is written back identically', (file) => {
    const text = readPage(file).toString('utf8');
    let checked = 0;
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('#')) {
        continue;
      }
      const raw = line.slice(line.lastIndexOf(' ') + 1);
      expect(formatValue(Number(raw.replace('+Inf', 'Infinity')))).toBe(raw);
      checked++;
    }
    expect(checked).toBeGreaterThan(500);
    expect(parsePage(text).size).toBeGreaterThan(40);
  });
});
