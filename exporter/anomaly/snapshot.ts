/**
 * The detector's state on disk, so that an exporter restart does not open a blind warm-up window: every series'
 * learnt baseline and spread, and each node's warm-up start. JSON, written atomically (a temporary file in the
 * same directory, then rename) so a crash mid-write leaves the previous snapshot intact. A snapshot that is
 * unreadable, of another format version or older than the baseline window is ignored with the reason given.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { DropAnomalyDetector } from './detector';

export const SNAPSHOT_FORMAT = 'ciliumscope-anomaly-state';
export const SNAPSHOT_VERSION = 1;

/** [direction, reason, mean, variance, count, lastSeen (Unix seconds)] */
export type SeriesRecord = [string, string, number, number, number, number];

export interface AnomalySnapshot {
  format: typeof SNAPSHOT_FORMAT;
  version: number;
  savedAtMs: number;
  nodes: Array<{ name: string; firstSeenMs: number; series: SeriesRecord[] }>;
}

export class SnapshotError extends Error {}

export function takeSnapshot(detector: DropAnomalyDetector, nowMs: number): AnomalySnapshot {
  const t = detector.table;
  const byNode = new Map<number, AnomalySnapshot['nodes'][number]>();
  for (const node of t.nodes()) {
    byNode.set(node.id, { name: node.name, firstSeenMs: node.firstSeenMs, series: [] });
  }
  for (let s = 0; s < t.end; s++) {
    if (!t.live(s) || t.count[s] === 0) {
      continue;
    }
    const entry = byNode.get(t.nodeId[s]);
    entry?.series.push([
      t.pairDirection[t.keyId[s]],
      t.pairReason[t.keyId[s]],
      round(t.mean[s]),
      round(t.variance[s]),
      t.count[s],
      t.lastSeen[s],
    ]);
  }
  return { format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, savedAtMs: nowMs, nodes: [...byNode.values()] };
}

/** Float32 state printed with the digits it has, not a double's. */
function round(x: number): number {
  return Number(x.toPrecision(7));
}

/** Checks a parsed snapshot's shape and values; throws SnapshotError naming the first problem. */
export function validateSnapshot(doc: unknown, maxSeries: number): AnomalySnapshot {
  const fail = (what: string): never => {
    throw new SnapshotError(what);
  };
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    fail('not a JSON object');
  }
  const d = doc as Record<string, unknown>;
  if (d.format !== SNAPSHOT_FORMAT) {
    fail(`not a detector state file (format ${JSON.stringify(d.format)})`);
  }
  if (d.version !== SNAPSHOT_VERSION) {
    fail(`format version ${JSON.stringify(d.version)}, this exporter reads version ${SNAPSHOT_VERSION}`);
  }
  if (typeof d.savedAtMs !== 'number' || !Number.isFinite(d.savedAtMs) || d.savedAtMs <= 0) {
    fail('savedAtMs is missing or not a time');
  }
  if (!Array.isArray(d.nodes)) {
    fail('nodes is not a list');
  }
  let series = 0;
  const isCount = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
  const isRate = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v < 1e12;
  for (const [i, n] of (d.nodes as unknown[]).entries()) {
    const node = n as Record<string, unknown>;
    if (
      typeof node !== 'object' ||
      node === null ||
      typeof node.name !== 'string' ||
      node.name === '' ||
      node.name.length > 253
    ) {
      fail(`nodes[${i}] has no valid name`);
    }
    if (typeof node.firstSeenMs !== 'number' || !Number.isFinite(node.firstSeenMs)) {
      fail(`nodes[${i}].firstSeenMs is not a time`);
    }
    if (!Array.isArray(node.series)) {
      fail(`nodes[${i}].series is not a list`);
    }
    for (const [j, r] of (node.series as unknown[]).entries()) {
      const rec = r as unknown[];
      const ok =
        Array.isArray(rec) &&
        rec.length === 6 &&
        typeof rec[0] === 'string' &&
        typeof rec[1] === 'string' &&
        (rec[0] as string).length <= 64 &&
        (rec[1] as string).length <= 256 &&
        isRate(rec[2]) &&
        isRate(rec[3]) &&
        isCount(rec[4]) &&
        isCount(rec[5]);
      if (!ok) {
        fail(`nodes[${i}].series[${j}] is not [direction, reason, mean, variance, count, lastSeen]`);
      }
      if (++series > maxSeries) {
        fail(`more than ${maxSeries} series (--anomaly-max-series)`);
      }
    }
  }
  return d as unknown as AnomalySnapshot;
}

export interface RestoreResult {
  nodes: number;
  series: number;
}

/** Loads a validated snapshot into an empty detector. */
export function restoreSnapshot(detector: DropAnomalyDetector, snapshot: AnomalySnapshot): RestoreResult {
  let series = 0;
  for (const node of snapshot.nodes) {
    detector.restoreNode(node.name, node.firstSeenMs);
    for (const [direction, reason, mean, variance, count, lastSeen] of node.series) {
      if (detector.restoreSeries(node.name, node.firstSeenMs, direction, reason, { mean, variance, count, lastSeen })) {
        series++;
      }
    }
  }
  return { nodes: snapshot.nodes.length, series };
}

/** Writes the snapshot atomically: temporary file beside the target, fsync, rename. */
export async function writeSnapshotFile(path: string, snapshot: AnomalySnapshot): Promise<number> {
  const body = JSON.stringify(snapshot);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await fsp.open(tmp, 'w', 0o600);
  try {
    await handle.writeFile(body, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fsp.rename(tmp, path);
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw err;
  }
  return Buffer.byteLength(body);
}

export type LoadOutcome =
  { kind: 'loaded'; snapshot: AnomalySnapshot } | { kind: 'missing' } | { kind: 'ignored'; reason: string };

/** Reads and checks a snapshot file; never throws for a bad file, it says why it was ignored. */
export async function readSnapshotFile(
  path: string,
  options: { maxSeries: number; maxAgeMs: number; nowMs: number; maxBytes: number }
): Promise<LoadOutcome> {
  let text: string;
  try {
    const stat = await fsp.stat(path);
    if (stat.size > options.maxBytes) {
      return {
        kind: 'ignored',
        reason: `it is ${stat.size} bytes, more than the ${options.maxBytes} bytes a snapshot of --anomaly-max-series series can take`,
      };
    }
    text = await fsp.readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT'
      ? { kind: 'missing' }
      : { kind: 'ignored', reason: `cannot read it (${code ?? (err as Error).message})` };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { kind: 'ignored', reason: 'it is not valid JSON (corrupt or truncated)' };
  }
  let snapshot: AnomalySnapshot;
  try {
    snapshot = validateSnapshot(doc, options.maxSeries);
  } catch (err) {
    if (err instanceof SnapshotError) {
      return { kind: 'ignored', reason: err.message };
    }
    throw err;
  }
  const age = options.nowMs - snapshot.savedAtMs;
  if (age > options.maxAgeMs) {
    return { kind: 'ignored', reason: `it was saved ${Math.round(age / 1000)}s ago, longer ago than --anomaly-window` };
  }
  if (age < -60_000) {
    return { kind: 'ignored', reason: 'it was saved in the future (clock skew?)' };
  }
  return { kind: 'loaded', snapshot };
}

/** Upper bound of a snapshot's size for a number of series (to refuse absurd files before parsing them). */
export function maxSnapshotBytes(maxSeries: number): number {
  return 4096 + maxSeries * 400;
}
