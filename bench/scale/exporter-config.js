/**
 * An exporter configuration for a benchmark: the exporter's own defaults, read by its own loadConfig as the CLI
 * would (loopback, port 0, silent), with the benchmark's settings over them. `build` is the build/ directory whose
 * exporter runs, so a baseline build gets its own defaults.
 */
'use strict';

const path = require('node:path');

function benchExporterConfig(build, settings) {
  const { loadConfig } = require(path.join(build, 'exporter', 'config', 'config.js'));
  const loaded = loadConfig({ argv: ['--listen', '127.0.0.1:0', '--log-level', 'silent'], env: {} });
  if (loaded.kind !== 'config') {
    throw new Error(`loadConfig answered ${loaded.kind}, not a configuration`);
  }
  return { ...loaded.config, ...settings };
}

module.exports = { benchExporterConfig };
