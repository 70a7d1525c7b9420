/** The detector's settings through the exporter's configuration: flags, environment, YAML, defaults, errors. */
import { ConfigError, type ExporterConfig, loadConfig } from '../../../exporter/config/config';
import { renderHelp } from '../../../exporter/config/options';
import { DEFAULT_ANOMALY_PARAMS } from '../../../exporter/anomaly/params';

function load(argv: string[], env: Record<string, string> = {}, files: Record<string, string> = {}): ExporterConfig {
  const result = loadConfig({
    argv,
    env,
    readFile: (p) => {
      if (!(p in files)) {
        throw Object.assign(new Error('missing'), { code: 'ENOENT' });
      }
      return files[p];
    },
  });
  if (result.kind !== 'config') {
    throw new Error(`expected a config, got ${result.kind}`);
  }
  return result.config;
}

describe('anomaly settings', () => {
  test('defaults', () => {
    expect(load([]).anomaly).toEqual({ ...DEFAULT_ANOMALY_PARAMS, stateFile: null });
  });

  test('duration flags take human durations, so a 1 s scrape test can use a 30 s window', () => {
    const a = load([
      '--anomaly-window',
      '30s',
      '--anomaly-warmup',
      '10s',
      '--anomaly-spread-window',
      '1h30m',
      '--anomaly-k',
      '6.5',
      '--anomaly-margin',
      '0',
      '--anomaly-min-rate',
      '0.2',
      '--anomaly-min-increase',
      '5',
      '--anomaly-confirm',
      '3',
      '--anomaly-lead-floor',
      '1',
      '--anomaly-peer-min-nodes',
      '0',
      '--anomaly-peer-factor',
      '20',
      '--anomaly-max-series',
      '5000',
      '--anomaly-state-file',
      '/var/lib/ciliumscope/anomaly.json',
    ]).anomaly!;
    expect(a).toEqual({
      windowMs: 30_000,
      warmupMs: 10_000,
      spreadWindowMs: 5_400_000,
      k: 6.5,
      margin: 0,
      minRate: 0.2,
      minIncrease: 5,
      confirmScrapes: 3,
      leadFloor: 1,
      peerMinNodes: 0,
      peerFactor: 20,
      maxSeries: 5000,
      stateFile: '/var/lib/ciliumscope/anomaly.json',
    });
  });

  test('environment and YAML, flags first', () => {
    const files = { '/etc/cs.yaml': 'anomaly-window: 2h\nanomaly-k: 4\nanomaly-state-file: /data/a.json\n' };
    const a = load(
      ['--config', '/etc/cs.yaml', '--anomaly-k', '5'],
      { CILIUMSCOPE_ANOMALY_WARMUP: '15m', CILIUMSCOPE_ANOMALY_K: '9' },
      files
    ).anomaly!;
    expect(a).toMatchObject({ windowMs: 7_200_000, warmupMs: 900_000, k: 5, stateFile: '/data/a.json' });
  });

  test.each([
    [['--anomaly-window', 'soon'], /--anomaly-window: "soon" is not a duration/],
    [['--anomaly-window', '10ms'], /--anomaly-window: must be at least 1s/],
    [['--anomaly-k', '0'], /--anomaly-k: must be above 0/],
    [['--anomaly-min-rate', '0'], /--anomaly-min-rate: must be above 0 packets per second/],
    [['--anomaly-confirm', '0'], /--anomaly-confirm: must be at least 1/],
    [['--anomaly-confirm', '1.5'], /--anomaly-confirm: "1.5" is not an integer/],
    [['--anomaly-margin=-1'], /--anomaly-margin: must not be negative/],
    [['--anomaly-peer-factor', '1'], /--anomaly-peer-factor: must be above 1/],
    [['--anomaly-lead-floor', '2'], /--anomaly-lead-floor: must be at most 1/],
  ])('%j is refused with a message naming the flag', (argv, message) => {
    expect(() => load(argv)).toThrow(ConfigError);
    expect(() => load(argv)).toThrow(message);
  });

  test('--help lists every anomaly flag with its default', () => {
    const help = renderHelp('ciliumscope-exporter');
    expect(help).toMatch(/--anomaly-window DURATION\s+.*\(default 1h\)/);
    expect(help).toMatch(/--anomaly-spread-window DURATION\s+.*\(default 24h\)/);
    expect(help).toMatch(/--anomaly-warmup DURATION\s+.*\(default 1h\)/);
    expect(help).toMatch(/--anomaly-state-file FILE\s+/);
    expect(help).toMatch(/env CILIUMSCOPE_ANOMALY_MIN_INCREASE/);
  });
});
