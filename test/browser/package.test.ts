/** scripts/package-plugin.js: the zip `grafana cli --pluginUrl` installs, read back by Python's zipfile. */
import { execFileSync } from 'child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { inflateRawSync } from 'zlib';

import { REPO_ROOT } from '../../tools/browser-host/build';
import { assertBuiltPlugin, DIST_DIR, PLUGIN_ID } from '../../tools/browser-host/builtPlugin';

const { createZip, packagePlugin } = require('../../scripts/package-plugin.js') as {
  createZip(files: Array<{ name: string; data?: Buffer; directory?: boolean; mtime: Date }>): Buffer;
  packagePlugin(options: { distDir: string; outDir: string }): { file: string; bytes: number; entries: string[] };
};

/** Python's zipfile: lists names and sizes, verifies every CRC, returns each file's bytes (base64). */
function readWithPython(zipPath: string): Record<string, { size: number; data: string }> {
  const script = [
    'import base64, json, sys, zipfile',
    'z = zipfile.ZipFile(sys.argv[1])',
    'bad = z.testzip()',
    'assert bad is None, "bad CRC in " + str(bad)',
    'print(json.dumps({i.filename: {"size": i.file_size, "data": base64.b64encode(z.read(i)).decode()} for i in z.infolist()}))',
  ].join('\n');
  return JSON.parse(execFileSync('python3', ['-c', script, zipPath], { encoding: 'utf8', maxBuffer: 64 << 20 }));
}

describe('package-plugin', () => {
  let work: string;

  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'ciliumscope-package-'));
  });

  afterEach(() => {
    rmSync(work, { recursive: true, force: true });
  });

  it('writes a zip that stores, deflates and names files the way zip readers expect', () => {
    const text = Buffer.from('cilium '.repeat(500));
    const random = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7919) % 251));
    const zip = createZip([
      { name: 'p/', directory: true, mtime: new Date(Date.UTC(2025, 0, 2, 3, 4, 6)) },
      { name: 'p/text.txt', data: text, mtime: new Date(Date.UTC(2025, 0, 2, 3, 4, 6)) },
      { name: 'p/bytes.bin', data: random, mtime: new Date(Date.UTC(2025, 0, 2, 3, 4, 6)) },
      { name: 'p/ünïcode.md', data: Buffer.from('ok'), mtime: new Date(Date.UTC(2025, 0, 2, 3, 4, 6)) },
    ]);
    const file = join(work, 't.zip');
    writeFileSync(file, zip);
    const read = readWithPython(file);
    expect(Object.keys(read)).toEqual(['p/', 'p/text.txt', 'p/bytes.bin', 'p/ünïcode.md']);
    expect(Buffer.from(read['p/text.txt'].data, 'base64').equals(text)).toBe(true);
    expect(Buffer.from(read['p/bytes.bin'].data, 'base64').equals(random)).toBe(true);
    // The repetitive text is deflated (method 8), and the stream inflates back to it.
    expect(zip.readUInt16LE(8 + 30 + 2)).toBe(8);
    const nameLength = zip.readUInt16LE(30 + 2 + 26);
    const compressed = zip.readUInt32LE(30 + 2 + 18);
    const start = 30 + 2 + 30 + nameLength;
    expect(inflateRawSync(zip.subarray(start, start + compressed)).equals(text)).toBe(true);
  });

  it('packages dist/ under a folder named after the plugin id', () => {
    assertBuiltPlugin();
    const dist = join(work, 'dist');
    cpSync(DIST_DIR, dist, { recursive: true });
    if (!existsSync(join(dist, 'dashboards', 'cilium-scope.json'))) {
      // The bundled dashboard is written elsewhere; a stand-in lets the packaging itself be checked now.
      mkdirSync(join(dist, 'dashboards'), { recursive: true });
      writeFileSync(join(dist, 'dashboards', 'cilium-scope.json'), '{"title":"Cilium Scope"}');
    }
    const result = packagePlugin({ distDir: dist, outDir: work });
    const version = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version;
    expect(result.file).toBe(join(work, `${PLUGIN_ID}-${version}.zip`));

    const read = readWithPython(result.file);
    const names = Object.keys(read);
    expect(names.every((n) => n.startsWith(`${PLUGIN_ID}/`))).toBe(true);
    expect(names).toEqual(
      expect.arrayContaining([
        `${PLUGIN_ID}/`,
        `${PLUGIN_ID}/module.js`,
        `${PLUGIN_ID}/plugin.json`,
        `${PLUGIN_ID}/img/logo.svg`,
        `${PLUGIN_ID}/dashboards/cilium-scope.json`,
        `${PLUGIN_ID}/dashboards/cilium-scope-node.json`,
        `${PLUGIN_ID}/README.md`,
        `${PLUGIN_ID}/CHANGELOG.md`,
        `${PLUGIN_ID}/LICENSE`,
      ])
    );
    const moduleJs = Buffer.from(read[`${PLUGIN_ID}/module.js`].data, 'base64');
    expect(moduleJs.equals(readFileSync(join(dist, 'module.js')))).toBe(true);
  });

  it('refuses a dist/ that lacks a file plugin.json names, or an unbuilt one', () => {
    assertBuiltPlugin();
    const dist = join(work, 'dist');
    cpSync(DIST_DIR, dist, { recursive: true });
    rmSync(join(dist, 'img', 'logo.svg'));
    expect(() => packagePlugin({ distDir: dist, outDir: work })).toThrow(
      /dist\/ lacks files plugin.json needs: img\/logo.svg/
    );

    const pluginJson = JSON.parse(readFileSync(join(dist, 'plugin.json'), 'utf8'));
    writeFileSync(
      join(dist, 'plugin.json'),
      JSON.stringify({ ...pluginJson, info: { ...pluginJson.info, version: '%VERSION%' } })
    );
    expect(() => packagePlugin({ distDir: dist, outDir: work })).toThrow(/no built version/);
    expect(() => packagePlugin({ distDir: join(work, 'nothing'), outDir: work })).toThrow(/run npm run build first/);
  });
});
