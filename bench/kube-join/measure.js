/** Timing, formatting and heap helpers of bench/kube-join.js. */
'use strict';

const v8 = require('node:v8');
const vm = require('node:vm');

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

const ms = (ns) => Number(ns) / 1e6;
const fmt = (x, digits = 2) =>
  x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The heap in use after two full collections. */
function heapUsed() {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

module.exports = { ms, fmt, pct, median, heapUsed };
