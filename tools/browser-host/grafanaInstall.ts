/**
 * Installs a Grafana release's frontend packages (@grafana/data, ui, runtime, schema and its React) into a folder of
 * their own, outside the project's node_modules, and keeps it: `~/.cache/ciliumscope/grafana-hosts/<versions>`
 * (CILIUMSCOPE_GRAFANA_CACHE moves it). The folder is named by the exact versions, so a second run finds it and
 * needs no network; a clean machine installs from the npm registry (npm's own cache makes that offline too once it
 * has the tarballs). The release the project builds against is taken from the project's node_modules instead.
 */
import { execFile } from 'child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'fs';
import { homedir } from 'os';
import { join } from 'path';

import { REPO_ROOT } from './build';
import type { GrafanaRelease } from './grafanaReleases';

export const GRAFANA_HOSTS_CACHE =
  process.env.CILIUMSCOPE_GRAFANA_CACHE ?? join(homedir(), '.cache', 'ciliumscope', 'grafana-hosts');

const INSTALL_TIMEOUT_MS = 10 * 60_000;
/** A lock older than this was left by a run that died; it is taken over. */
const STALE_LOCK_MS = INSTALL_TIMEOUT_MS + 60_000;
const MARKER = '.ciliumscope-complete.json';

export interface InstalledRelease {
  release: GrafanaRelease;
  /** The node_modules folder the host page resolves Grafana's modules from. */
  nodeModules: string;
  /** `project`: the project's own node_modules; `cache`: installed by an earlier run; `installed`: just now. */
  source: 'project' | 'cache' | 'installed';
  /** Time spent installing (0 unless `installed`). */
  installMs: number;
}

/** The package.json of a release's folder: exact versions only, so the folder name says what is in it. */
export function releaseManifest(release: GrafanaRelease) {
  const v = release.version;
  return {
    name: `ciliumscope-grafana-host-${v.replace(/\./g, '-')}`,
    private: true,
    description: `Grafana ${v}'s frontend packages for the Cilium Scope plugin host (tools/browser-host)`,
    dependencies: {
      '@grafana/data': v,
      '@grafana/runtime': v,
      '@grafana/schema': v,
      '@grafana/ui': v,
      react: release.react,
      'react-dom': release.react,
    },
  };
}

export function releaseCacheDir(release: GrafanaRelease): string {
  return join(GRAFANA_HOSTS_CACHE, `grafana-${release.version}_react-${release.react}`);
}

function installedVersion(nodeModules: string, name: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(nodeModules, name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return undefined;
  }
}

/** What differs between a node_modules folder and the release, e.g. `@grafana/ui 13.1.1 (want 10.4.19)`. */
export function releaseMismatches(nodeModules: string, release: GrafanaRelease): string[] {
  return Object.entries(releaseManifest(release).dependencies).flatMap(([name, want]) => {
    const have = installedVersion(nodeModules, name);
    return have === want ? [] : [`${name} ${have ?? 'missing'} (want ${want})`];
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** One installer per release folder at a time (jest runs test files in parallel workers). */
async function withLock<T>(dir: string, work: () => Promise<T>): Promise<T> {
  const lock = `${dir}.lock`;
  const deadline = Date.now() + STALE_LOCK_MS;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw error;
      }
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })!.mtimeMs > STALE_LOCK_MS) {
        rmSync(lock, { recursive: true, force: true });
      } else if (Date.now() > deadline) {
        throw new Error(`${lock} is held by another install for too long; remove it if no install is running`);
      } else {
        await sleep(1000);
      }
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function npmInstall(dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      'npm',
      ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--prefer-offline', '--loglevel=error'],
      { cwd: dir, timeout: INSTALL_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
      (error, _stdout, stderr) => {
        if (error) {
          const tail = String(stderr).trim().split('\n').slice(-8).join('\n');
          reject(new Error(`npm install in ${dir} failed: ${tail || error.message}`));
        } else {
          resolve();
        }
      }
    );
  });
}

function isComplete(dir: string, release: GrafanaRelease): boolean {
  const marker = join(dir, MARKER);
  return existsSync(marker) && releaseMismatches(join(dir, 'node_modules'), release).length === 0;
}

/**
 * The release's packages, from the project's node_modules when they are exactly that release, else from its cache
 * folder, installing it first when missing. `log` hears about an install (a minute or two on a clean machine).
 */
export async function installGrafanaRelease(
  release: GrafanaRelease,
  log: (line: string) => void = () => undefined
): Promise<InstalledRelease> {
  const projectModules = join(REPO_ROOT, 'node_modules');
  if (releaseMismatches(projectModules, release).length === 0) {
    return { release, nodeModules: projectModules, source: 'project', installMs: 0 };
  }
  const dir = releaseCacheDir(release);
  const nodeModules = join(dir, 'node_modules');
  if (isComplete(dir, release)) {
    return { release, nodeModules, source: 'cache', installMs: 0 };
  }
  mkdirSync(GRAFANA_HOSTS_CACHE, { recursive: true });
  return withLock(dir, async () => {
    if (isComplete(dir, release)) {
      return { release, nodeModules, source: 'cache', installMs: 0 };
    }
    const started = Date.now();
    log(`installing Grafana ${release.version} frontend packages (React ${release.react}) into ${dir}`);
    const partial = `${dir}.partial`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    const manifest = releaseManifest(release);
    writeFileSync(join(partial, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    await npmInstall(partial);
    const mismatches = releaseMismatches(join(partial, 'node_modules'), release);
    if (mismatches.length > 0) {
      throw new Error(`npm installed other versions than asked in ${partial}: ${mismatches.join(', ')}`);
    }
    writeFileSync(join(partial, MARKER), `${JSON.stringify(manifest.dependencies, null, 2)}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(partial, dir);
    return { release, nodeModules, source: 'installed' as const, installMs: Date.now() - started };
  });
}
