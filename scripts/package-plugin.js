#!/usr/bin/env node
/**
 * Packages the built plugin (dist/) as <plugin id>-<version>.zip with the layout `grafana cli --pluginUrl`
 * installs: one top-level folder named after the plugin id holding the dist files.
 *
 *   node scripts/package-plugin.js [--dist dist] [--out .]
 *
 * Refuses to package a dist/ that lacks module.js, plugin.json, or a file plugin.json names (logos, included
 * dashboards). Writes the zip itself (deflate through zlib, CRC-32 from zlib): no zip binary or library needed.
 */
'use strict';

const { createHash } = require('crypto');
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const MAX_ENTRIES = 0xffff; // without ZIP64
const MAX_BYTES = 0xffffffff;

/** Every file and directory under `root`, sorted, as paths relative to it with forward slashes. */
function listTree(root) {
  const entries = [];
  const walk = (dir) => {
    for (const name of fs.readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      const relative = path.relative(root, full).split(path.sep).join('/');
      const stat = fs.statSync(full);
      if (stat.isDirectory()) {
        entries.push({ relative: `${relative}/`, full, directory: true, mtime: stat.mtime });
        walk(full);
      } else if (stat.isFile()) {
        entries.push({ relative, full, directory: false, mtime: stat.mtime });
      }
    }
  };
  walk(root);
  return entries;
}

/** MS-DOS date and time as zip headers store them (2-second resolution, 1980 at the earliest). */
function dosDateTime(date) {
  const year = Math.max(date.getUTCFullYear(), 1980);
  return {
    time: (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | Math.floor(date.getUTCSeconds() / 2),
    date: ((year - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate(),
  };
}

/**
 * A zip archive of `files` ({ name, data?, directory?, mtime }): deflated when that is smaller, stored otherwise.
 * Names are UTF-8 (general purpose flag bit 11); Unix permissions go in the external attributes.
 */
function createZip(files) {
  if (files.length > MAX_ENTRIES) {
    throw new Error(`too many files for a zip without ZIP64: ${files.length}`);
  }
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const file of files) {
    const name = Buffer.from(file.name, 'utf8');
    const raw = file.directory ? Buffer.alloc(0) : file.data;
    const deflated = file.directory ? raw : zlib.deflateRawSync(raw, { level: 9 });
    const method = !file.directory && deflated.length < raw.length ? 8 : 0;
    const body = method === 8 ? deflated : raw;
    if (raw.length > MAX_BYTES || offset > MAX_BYTES) {
      throw new Error(`${file.name} is too large for a zip without ZIP64`);
    }
    const crc = zlib.crc32(raw) >>> 0;
    const { time, date } = dosDateTime(file.mtime);

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, name, body);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, 2.0
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(time, 12);
    central.writeUInt16LE(date, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(raw.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(0, 30); // extra
    central.writeUInt16LE(0, 32); // comment
    central.writeUInt16LE(0, 34); // disk
    central.writeUInt16LE(0, 36); // internal attributes
    const mode = file.directory ? 0o040755 : 0o100644;
    central.writeUInt32LE(((mode << 16) | (file.directory ? 0x10 : 0)) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);

    offset += local.length + name.length + body.length;
  }
  const centralSize = centrals.reduce((sum, b) => sum + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(0, 4);
  end.writeUInt16LE(0, 6);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  end.writeUInt16LE(0, 20);
  return Buffer.concat([...locals, ...centrals, end]);
}

/** The files a packaged plugin must hold: module.js, plugin.json and everything plugin.json points at. */
function requiredFiles(pluginJson) {
  const required = new Set(['module.js', 'plugin.json']);
  for (const logo of [pluginJson.info?.logos?.small, pluginJson.info?.logos?.large]) {
    if (logo) {
      required.add(logo);
    }
  }
  for (const shot of pluginJson.info?.screenshots ?? []) {
    if (shot.path) {
      required.add(shot.path);
    }
  }
  for (const include of pluginJson.includes ?? []) {
    if (include.type === 'dashboard' && include.path) {
      required.add(include.path);
    }
  }
  return [...required];
}

/**
 * Writes the zip of `distDir` into `outDir` and returns { file, bytes, sha256, entries }. Throws with what is
 * missing when dist/ is incomplete.
 */
function packagePlugin({ distDir, outDir }) {
  const pluginJsonPath = path.join(distDir, 'plugin.json');
  if (!fs.existsSync(pluginJsonPath)) {
    throw new Error(`${pluginJsonPath} is missing: run npm run build first`);
  }
  const pluginJson = JSON.parse(fs.readFileSync(pluginJsonPath, 'utf8'));
  const { id } = pluginJson;
  const version = pluginJson.info?.version;
  if (!/^[0-9a-z]+-([0-9a-z]+-)?(app|panel|datasource)$/.test(id ?? '')) {
    throw new Error(`plugin.json has no valid plugin id: ${JSON.stringify(id)}`);
  }
  if (!/^\d+\.\d+\.\d+/.test(version ?? '')) {
    throw new Error(`dist/plugin.json has no built version (${JSON.stringify(version)}): run npm run build first`);
  }
  const missing = requiredFiles(pluginJson).filter((file) => !fs.existsSync(path.join(distDir, file)));
  if (missing.length > 0) {
    throw new Error(`dist/ lacks files plugin.json needs: ${missing.join(', ')}`);
  }

  const tree = listTree(distDir);
  const files = [
    { name: `${id}/`, directory: true, mtime: fs.statSync(distDir).mtime },
    ...tree.map((entry) => ({
      name: `${id}/${entry.relative}`,
      directory: entry.directory,
      mtime: entry.mtime,
      data: entry.directory ? undefined : fs.readFileSync(entry.full),
    })),
  ];
  const zip = createZip(files);
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `${id}-${version}.zip`);
  fs.writeFileSync(file, zip);
  return {
    file,
    bytes: zip.length,
    sha256: createHash('sha256').update(zip).digest('hex'),
    entries: files.map((f) => f.name),
  };
}

function parseArgs(argv) {
  const root = path.resolve(__dirname, '..');
  const options = { distDir: path.join(root, 'dist'), outDir: root };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if ((arg === '--dist' || arg === '--out') && value) {
      options[arg === '--dist' ? 'distDir' : 'outDir'] = path.resolve(value);
      i++;
    } else {
      throw new Error(`unknown argument ${arg}; usage: package-plugin.js [--dist dir] [--out dir]`);
    }
  }
  return options;
}

if (require.main === module) {
  try {
    const result = packagePlugin(parseArgs(process.argv.slice(2)));
    const moduleBytes = fs.statSync(path.join(parseArgs(process.argv.slice(2)).distDir, 'module.js')).size;
    process.stdout.write(
      `${path.relative(process.cwd(), result.file) || result.file}: ${result.entries.length} entries, ` +
        `${(result.bytes / 1024).toFixed(1)} KiB (module.js ${(moduleBytes / 1024).toFixed(1)} KiB), sha256 ${result.sha256}\n`
    );
  } catch (error) {
    process.stderr.write(`package-plugin: ${error.message}\n`);
    process.exitCode = 1;
  }
}

module.exports = { createZip, packagePlugin, requiredFiles };
