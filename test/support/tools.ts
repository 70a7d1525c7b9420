/**
 * System tools some suites need (Debian's chromium and prometheus/promtool, the built dist/ and build/). Like the
 * shared fixtures: missing under CI is a failure, missing elsewhere a loud skip.
 */
import { existsSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');

export function which(binary: string): string | null {
  if (binary.startsWith('/')) {
    return existsSync(binary) ? binary : null;
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, binary);
    if (dir && existsSync(candidate)) {
      return candidate;
    }
  }
  return null;
}

export const CHROMIUM = '/usr/bin/chromium';

/** Requirement checks: a binary on PATH (or an absolute path), or a file of the build relative to the project. */
export type Requirement = { binary: string } | { built: string; hint: string };

function missing(req: Requirement): string | null {
  if ('binary' in req) {
    return which(req.binary)
      ? null
      : `${req.binary} is not installed (apt-get install -y ${req.binary.includes('chromium') ? 'chromium' : 'prometheus'})`;
  }
  return existsSync(join(ROOT, req.built)) ? null : `${req.built} does not exist: ${req.hint}`;
}

export function describeWith(requirements: Requirement[], name: string, body: () => void): void {
  const reasons = requirements.map(missing).filter((r): r is string => r !== null);
  if (reasons.length === 0) {
    describe(name, body);
    return;
  }
  const message = reasons.join('; ');
  if (process.env.CI) {
    describe(name, () => {
      test('requirements', () => {
        throw new Error(message);
      });
    });
    return;
  }

  console.warn(`\n*** SKIPPED "${name}": ${message} ***\n`);
  describe.skip(name, body);
}

export const BUILT_EXPORTER: Requirement = { built: 'build/exporter/cli.js', hint: 'run npm run build first' };
export const BUILT_PLUGIN: Requirement = { built: 'dist/module.js', hint: 'run npm run build first' };
