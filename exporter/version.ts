/** The exporter's version, from the package.json of the project it runs from (source tree or build/). */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

function findVersion(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'ciliumscope' && pkg.version) {
        return pkg.version;
      }
    }
    dir = dirname(dir);
  }
  return '0.0.0-unknown';
}

export const VERSION = findVersion();
