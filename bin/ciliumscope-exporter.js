#!/usr/bin/env node
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const entry = path.join(__dirname, '..', 'build', 'exporter', 'cli.js');
if (!fs.existsSync(entry)) {
  process.stderr.write(
    'ciliumscope-exporter: not built yet; run `npm run build` (or `npm run build:exporter`) first\n'
  );
  process.exit(1);
}
require(entry)
  .main()
  .then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`ciliumscope-exporter: ${(err && err.stack) || err}\n`);
      process.exit(1);
    }
  );
