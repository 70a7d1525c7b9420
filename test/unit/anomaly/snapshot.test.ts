/** The detector's state file: atomic writes, a faithful round trip, and bad files ignored with a reason. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAnomalyDetection } from '../../../exporter/anomaly/attach';
import { DropAnomalyDetector } from '../../../exporter/anomaly/detector';
import { type AnomalyConfig, DEFAULT_ANOMALY_PARAMS } from '../../../exporter/anomaly/params';
import {
  SNAPSHOT_FORMAT,
  SNAPSHOT_VERSION,
  maxSnapshotBytes,
  readSnapshotFile,
  restoreSnapshot,
  takeSnapshot,
  writeSnapshotFile,
} from '../../../exporter/anomaly/snapshot';
import type { Logger } from '../../../exporter/log';

const T0 = Date.UTC(2026, 0, 1);
const PARAMS = { ...DEFAULT_ANOMALY_PARAMS, warmupMs: 10 * 60_000 };

function feed(
  d: DropAnomalyDetector,
  from: number,
  cycles: number,
  rate: (node: string, i: number) => number,
  nodes = ['n1', 'n2']
): number {
  let at = from;
  for (let i = 0; i < cycles; i++) {
    at += 30_000;
    d.beginCycle(at);
    for (const node of nodes) {
      d.observe(node, {
        intervalSeconds: 30,
        restarted: false,
        drops: [
          { direction: 'INGRESS', reason: 'Policy denied', packetsPerSecond: rate(node, i) },
          { direction: 'EGRESS', reason: 'Stale or unroutable IP', packetsPerSecond: (i % 7) / 10 },
        ],
      });
    }
    d.endCycle();
  }
  return at;
}

function recordingLogger() {
  const lines: Array<{ level: string; obj: Record<string, unknown>; msg: string }> = [];
  const at = (level: string) => (obj: Record<string, unknown>, msg: string) => lines.push({ level, obj, msg });
  const logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } as unknown as Logger;
  return { logger, lines };
}

describe('anomaly state file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ciliumscope-anomaly-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const read = (
    path: string,
    nowMs: number,
    over: Partial<{ maxSeries: number; maxAgeMs: number; maxBytes: number }> = {}
  ) =>
    readSnapshotFile(path, { maxSeries: 1000, maxAgeMs: 3_600_000, nowMs, maxBytes: maxSnapshotBytes(1000), ...over });

  test('round trip: a restored detector has the same state and needs no warm-up', async () => {
    const original = new DropAnomalyDetector(PARAMS);
    const end = feed(original, T0, 300, (node, i) => (node === 'n1' ? 5 + (i % 3) : i % 2));
    const path = join(dir, 'state.json');
    const bytes = await writeSnapshotFile(path, takeSnapshot(original, end));
    expect(bytes).toBeGreaterThan(100);
    expect(readdirSync(dir)).toEqual(['state.json']);

    const outcome = await read(path, end + 60_000);
    if (outcome.kind !== 'loaded') {
      throw new Error(`snapshot not loaded: ${JSON.stringify(outcome)}`);
    }
    const restored = new DropAnomalyDetector(PARAMS);
    expect(restoreSnapshot(restored, outcome.snapshot)).toEqual({ nodes: 2, series: 4 });

    const state = (d: DropAnomalyDetector) => {
      const t = d.table;
      const out: Record<string, number[]> = {};
      for (let s = 0; s < t.end; s++) {
        if (t.live(s)) {
          out[`${t.nodeById(t.nodeId[s])!.name} ${t.pairDirection[t.keyId[s]]} ${t.pairReason[t.keyId[s]]}`] = [
            t.mean[s],
            t.variance[s],
            t.count[s],
          ];
        }
      }
      return out;
    };
    const [a, b] = [state(original), state(restored)];
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    for (const key of Object.keys(a)) {
      expect(b[key][0]).toBeCloseTo(a[key][0], 4);
      expect(b[key][1]).toBeCloseTo(a[key][1], 4);
      expect(b[key][2]).toBe(a[key][2]);
    }

    // Right after the restart, a spike alerts at its second scrape: no blind warm-up window.
    const after = feed(restored, end + 60_000, 1, () => 6);
    expect(restored.rows().every((r) => !r.warmingUp)).toBe(true);
    feed(restored, after, 2, (node) => (node === 'n1' ? 200 : 1));
    expect(restored.rows().find((r) => r.node === 'n1' && r.reason === 'Policy denied')!.score).toBeGreaterThanOrEqual(
      1
    );
    // A fresh detector, by contrast, is warming up.
    const fresh = new DropAnomalyDetector(PARAMS);
    feed(fresh, end + 60_000, 3, (node) => (node === 'n1' ? 200 : 1));
    expect(fresh.rows().every((r) => r.warmingUp && r.score === 0)).toBe(true);
  });

  test('the write is atomic: the old file stays whole until the new one replaces it, no temporary file is left', async () => {
    const path = join(dir, 'state.json');
    const d = new DropAnomalyDetector(PARAMS);
    const end = feed(d, T0, 10, () => 1);
    await writeSnapshotFile(path, takeSnapshot(d, end));
    const first = readFileSync(path, 'utf8');
    const end2 = feed(d, end, 10, () => 3);
    await writeSnapshotFile(path, takeSnapshot(d, end2));
    expect(readFileSync(path, 'utf8')).not.toEqual(first);
    expect(JSON.parse(readFileSync(path, 'utf8')).savedAtMs).toBe(end2);
    expect(readdirSync(dir)).toEqual(['state.json']);
    await expect(writeSnapshotFile(join(dir, 'missing-dir', 'state.json'), takeSnapshot(d, end2))).rejects.toThrow(
      /ENOENT/
    );
    expect(readdirSync(dir)).toEqual(['state.json']);
  });

  test('a missing file is reported as missing', async () => {
    expect(await read(join(dir, 'nope.json'), T0)).toEqual({ kind: 'missing' });
  });

  const valid = (over: Record<string, unknown> = {}) => ({
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    savedAtMs: T0,
    nodes: [
      { name: 'n1', firstSeenMs: T0 - 3_600_000, series: [['INGRESS', 'Policy denied', 1.5, 0.25, 100, T0 / 1000]] },
    ],
    ...over,
  });

  test.each([
    ['truncated JSON', () => JSON.stringify(valid()).slice(0, 40), /not valid JSON/],
    ['garbage bytes', () => '\u0000\u0001garbage', /not valid JSON/],
    ['another file format', () => JSON.stringify({ hello: 'world' }), /not a detector state file/],
    ['another format version', () => JSON.stringify(valid({ version: 99 })), /format version 99/],
    ['a list instead of an object', () => '[1,2,3]', /not a JSON object/],
    [
      'a negative mean',
      () =>
        JSON.stringify(valid({ nodes: [{ name: 'n1', firstSeenMs: T0, series: [['INGRESS', 'x', -1, 0, 1, 1]] }] })),
      /series\[0\]/,
    ],
    [
      'a NaN-like variance',
      () =>
        JSON.stringify(valid({ nodes: [{ name: 'n1', firstSeenMs: T0, series: [['INGRESS', 'x', 1, 'NaN', 1, 1]] }] })),
      /series\[0\]/,
    ],
    [
      'a node without a name',
      () => JSON.stringify(valid({ nodes: [{ firstSeenMs: T0, series: [] }] })),
      /nodes\[0\] has no valid name/,
    ],
  ])('a corrupt file (%s) is ignored with the reason', async (_what, body, reason) => {
    const path = join(dir, 'state.json');
    writeFileSync(path, body());
    const outcome = await read(path, T0 + 1000);
    expect(outcome.kind).toBe('ignored');
    expect((outcome as { reason: string }).reason).toMatch(reason);
  });

  test('a snapshot older than the window is ignored, a fresh one is loaded', async () => {
    const path = join(dir, 'state.json');
    writeFileSync(path, JSON.stringify(valid()));
    expect((await read(path, T0 + 3_600_000 - 1000)).kind).toBe('loaded');
    const old = await read(path, T0 + 3_600_000 + 1000);
    expect(old).toEqual({ kind: 'ignored', reason: expect.stringMatching(/longer ago than --anomaly-window/) });
  });

  test('a snapshot with more series than the detector may keep, or too large a file, is ignored', async () => {
    const path = join(dir, 'state.json');
    const series = Array.from({ length: 5 }, (_, i) => ['INGRESS', `r${i}`, 1, 1, 1, 1]);
    writeFileSync(path, JSON.stringify(valid({ nodes: [{ name: 'n1', firstSeenMs: T0, series }] })));
    expect(await read(path, T0, { maxSeries: 4 })).toEqual({
      kind: 'ignored',
      reason: expect.stringMatching(/more than 4 series/),
    });
    expect(await read(path, T0, { maxBytes: 100 })).toEqual({
      kind: 'ignored',
      reason: expect.stringMatching(/bytes/),
    });
  });

  test('the exporter side: saves on close, reloads at start, warns and starts afresh on a corrupt file', async () => {
    const path = join(dir, 'state.json');
    const config: AnomalyConfig = { ...PARAMS, stateFile: path };
    const { logger, lines } = recordingLogger();
    const first = createAnomalyDetection(config, logger);
    await first.load(T0);
    expect(lines.map((l) => l.msg)).toContain('no anomaly state file yet: the detector starts with a warm-up');
    const end = feed(first.detector, T0, 50, () => 2);
    await first.close(end);
    expect(
      JSON.parse(readFileSync(path, 'utf8'))
        .nodes.map((n: { name: string }) => n.name)
        .sort()
    ).toEqual(['n1', 'n2']);

    const second = createAnomalyDetection(config, logger);
    await second.load(end + 30_000);
    expect(lines.some((l) => l.msg === 'anomaly detector state restored' && l.obj.series === 4)).toBe(true);
    expect(second.detector.table.used).toBe(4);

    writeFileSync(path, '{"format": "ciliumscope-anomaly-state", "version": 1, "savedAt');
    const third = createAnomalyDetection(config, logger);
    await third.load(end + 60_000);
    const warning = lines.find((l) => l.level === 'warn');
    expect(warning?.msg).toBe('ignoring the anomaly state file: the detector starts with a warm-up');
    expect(warning?.obj.reason).toMatch(/not valid JSON/);
    expect(third.detector.table.used).toBe(0);
  });

  test('a state file that cannot be written is reported once, and the detector carries on', async () => {
    const config: AnomalyConfig = { ...PARAMS, stateFile: join(dir, 'no-such-dir', 'state.json') };
    const { logger, lines } = recordingLogger();
    const detection = createAnomalyDetection(config, logger);
    feed(detection.detector, T0, 5, () => 1);
    await detection.save(T0 + 200_000);
    await detection.save(T0 + 300_000);
    const warnings = lines.filter((l) => l.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0].obj.error).toBe('ENOENT');
  });
});
