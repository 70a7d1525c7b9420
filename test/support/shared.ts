/**
 * Access to ../shared beside the clone, for Grafana's JSON schemas only (plugin.json, dashboards), which the project
 * does not copy. Tests that need them fail when CI is set and the files are missing, and skip with a loud message
 * otherwise. Real Cilium pages and reference tables are in test/fixtures (test/support/fixtures.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const SHARED_DIR = resolve(__dirname, '..', '..', '..', 'shared');

export function sharedPath(...parts: string[]): string {
  return join(SHARED_DIR, ...parts);
}

export function hasShared(...parts: string[]): boolean {
  return existsSync(sharedPath(...parts));
}

/**
 * `describe` when the shared file exists; when it does not, a failing suite under CI and a loudly skipped one
 * elsewhere.
 */
export function describeWithShared(file: string, name: string, body: () => void): void {
  if (hasShared(file)) {
    describe(name, body);
    return;
  }
  const message = `${sharedPath(file)} is missing: ../shared must sit beside the clone`;
  if (process.env.CI) {
    describe(name, () => {
      test('needs ../shared', () => {
        throw new Error(message);
      });
    });
    return;
  }
  console.warn(`\n*** SKIPPED "${name}": ${message} ***\n`);
  // Not describe.skip: jest still runs a skipped describe's body to collect its tests, and the body reads the files.
  describe(name, () => {
    test.skip(`needs ${sharedPath(file)}`, () => undefined);
  });
}

export function readShared(...parts: string[]): Buffer {
  return readFileSync(sharedPath(...parts));
}
