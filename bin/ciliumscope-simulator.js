#!/usr/bin/env node
let cli;
try {
  cli = require('../build/simulator/cli.js');
} catch (error) {
  if (error && error.code === 'MODULE_NOT_FOUND' && String(error.message).includes('build/simulator/cli.js')) {
    process.stderr.write(
      'ciliumscope-simulator: build/ is missing; run `npm run build` (or `npm run build:exporter`) first.\n'
    );
    process.exit(1);
  }
  throw error;
}
cli.main().then((code) => {
  process.exitCode = code;
});
