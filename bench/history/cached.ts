/**
 * A backfill kept between runs: `~/.cache/ciliumscope/history-backfill/<key>/` (CILIUMSCOPE_HISTORY_CACHE moves it)
 * holds the blocks (data/), the figures of the run that made them (backfill.json) and what was written for a few
 * series (truth.ts), so the 30-day test and `npm run bench:history -- --ci` find the same data without generating it
 * again. `npm run history-backfill` makes the CI shape's; a clean machine makes it once (about 5 CPU minutes).
 *
 * The key is a hash of everything the samples depend on: the shape (with a fixed end: a cached backfill is for a
 * given time span), the generator's code (the files backfill.ts and truth.ts import, followed through their
 * imports, without comments and white space), the families learnt from the exporter (names, types and label sets: catalog.ts) and promtool's version.
 * Change any of them and the next run makes a new one. A backfill is made in a folder of its own and renamed into
 * place once complete, so an interrupted run leaves nothing that looks finished and two runs at once do not mix.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { type BackfillFigures, backfill } from './backfill';
import { type Catalog, learnCatalog } from './catalog';
import { type BackfillShape, ClusterContext } from './context';
import type { SeriesSpec } from './series-model';
import { Truth, TruthRecorder } from './truth';

export const HISTORY_CACHE =
  process.env.CILIUMSCOPE_HISTORY_CACHE ?? join(homedir(), '.cache', 'ciliumscope', 'history-backfill');

const ROOT = resolve(__dirname, '..', '..');
const COMPLETE = 'backfill.json';

export interface CachedShape extends Required<Omit<BackfillShape, 'endMs'>> {
  /** A fixed end (unix ms): the cached data covers a given span of time. */
  endMs: number;
  blockHours: number;
}

export interface CachedBackfill {
  key: string;
  /** The cache entry: data/ (the blocks), backfill.json, truth.*. */
  dir: string;
  figures: BackfillFigures;
  truth: Truth;
  /** Made by this call (false: found in the cache). */
  made: boolean;
  /** Wall seconds this call spent (learning the catalog, and making the backfill when it did). */
  seconds: number;
}

/**
 * The series whose samples are kept for checking: every target's up, every node's policy revision and ingress
 * forwarded packets, and the first nodes' endpoints by state.
 */
export function truthPick(firstNodes: readonly string[]): (s: SeriesSpec) => boolean {
  const few = new Set(firstNodes);
  return (s) =>
    s.name === 'ciliumscope_target_up' ||
    s.name === 'ciliumscope_policy_max_revision' ||
    (s.name === 'ciliumscope_forwarded_packets_total' && s.labels.direction === 'INGRESS') ||
    (s.name === 'ciliumscope_endpoints' && few.has(s.labels.node));
}

/** Nodes whose endpoints by state are kept. */
export const TRUTH_NODES = 5;

/** The cached backfill of `shape`, made now if there is none. */
export async function cachedBackfill(
  shape: CachedShape,
  log: (line: string) => void = () => undefined
): Promise<CachedBackfill> {
  const started = performance.now();
  const catalog = await learnCatalog();
  const key = cacheKey(shape, catalog);
  const dir = join(HISTORY_CACHE, key);
  const seconds = () => (performance.now() - started) / 1000;
  if (existsSync(join(dir, COMPLETE))) {
    const { figures } = JSON.parse(readFileSync(join(dir, COMPLETE), 'utf8')) as { figures: BackfillFigures };
    return { key, dir, figures, truth: Truth.load(dir), made: false, seconds: seconds() };
  }
  mkdirSync(HISTORY_CACHE, { recursive: true });
  const building = `${dir}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building);
  try {
    const ctx = new ClusterContext(shape);
    const recorder = new TruthRecorder(truthPick(ctx.nodes.slice(0, TRUTH_NODES)), ctx.steps);
    log(`backfill ${key}: ${shape.nodes} nodes × ${shape.days} days at ${shape.resolutionSeconds} s into ${building}`);
    const figures = await backfill({
      ...shape,
      catalog,
      dataDir: join(building, 'data'),
      observe: recorder.observe,
      log,
    });
    recorder.save(building, figures.startSeconds, figures.resolutionSeconds);
    writeFileSync(join(building, COMPLETE), JSON.stringify({ shape, figures }, null, 2));
    try {
      renameSync(building, dir);
    } catch (err) {
      // Another run finished the same backfill first: keep its copy.
      if (!existsSync(join(dir, COMPLETE))) {
        throw err;
      }
      rmSync(building, { recursive: true, force: true });
    }
    removeOlder(key);
    return { key, dir, figures, truth: Truth.load(dir), made: true, seconds: seconds() };
  } catch (err) {
    rmSync(building, { recursive: true, force: true });
    throw err;
  }
}

/** A copy of the entry's blocks for one Prometheus (which writes its WAL and lock beside them). */
export function copyBlocks(entry: CachedBackfill, to: string): string {
  const data = join(to, 'data');
  cpSync(join(entry.dir, 'data'), data, { recursive: true });
  return data;
}

export function cacheKey(shape: CachedShape, catalog: Catalog): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify(shape));
  for (const file of generatorSources()) {
    hash.update(relative(ROOT, file));
    hash.update(codeOf(readFileSync(file, 'utf8')));
  }
  hash.update(JSON.stringify(catalogStructure(catalog)));
  hash.update(promtoolVersion());
  return `${shape.nodes}n-${shape.days}d-${shape.resolutionSeconds}s-${hash.digest('hex').slice(0, 16)}`;
}

/**
 * The files the samples come from: backfill.ts and truth.ts and what they import at run time, followed through
 * relative imports (type-only imports and the catalog, keyed by what it learns, are not followed).
 */
export function generatorSources(): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) {
      return;
    }
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^import\s+(?!type\s)[^;]*?from\s+'(\.[^']+)'/gms)) {
      const target = resolve(dirname(file), m[1]);
      if (!target.endsWith('/catalog')) {
        visit(`${target}.ts`);
      }
    }
  };
  visit(join(__dirname, 'backfill.ts'));
  visit(join(__dirname, 'truth.ts'));
  return [...seen].sort();
}

/**
 * A source without its comments, white space and trailing commas: a reformatted or recommented generator makes the
 * same samples.
 */
function codeOf(source: string): string {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1')
    .replace(/\s+/g, '')
    .replace(/,([)\]}])/g, '$1');
}

/** What the generator takes from the catalog, without the values of the learning run (durations, times). */
function catalogStructure(catalog: Catalog) {
  return catalog.families.map((f) => ({
    name: f.name,
    type: f.type,
    labelNames: f.labelNames,
    perNode: f.perNode,
    samples: f.samples.map((s) => [s.name, s.labels]),
  }));
}

function promtoolVersion(): string {
  return execFileSync('promtool', ['--version'], { encoding: 'utf8' }).split('\n')[0];
}

/**
 * Removes the entries of the same shape under other keys (made by older generators) and folders left by
 * interrupted runs more than a day ago: the cache holds one backfill per shape.
 */
function removeOlder(keep: string): void {
  const shapePrefix = keep.slice(0, keep.lastIndexOf('-') + 1);
  for (const name of readdirSync(HISTORY_CACHE)) {
    const path = join(HISTORY_CACHE, name);
    const abandoned = name.includes('.building-') && Date.now() - statSync(path).mtimeMs > 86_400_000;
    if (abandoned || (name !== keep && name.startsWith(shapePrefix) && !name.includes('.building-'))) {
      rmSync(path, { recursive: true, force: true });
    }
  }
}
