/**
 * Memory and CPU of the detector at cluster scale: `nodes` nodes × `pairs` direction × reason series, scored for a
 * number of cycles. Memory is read from process.memoryUsage() before and after (typed arrays show up in
 * arrayBuffers, the per-node maps and interned strings in the heap); the figures are per tracked series.
 */
'use strict';

const path = require('node:path');
const v8 = require('node:v8');
const vm = require('node:vm');

/** A garbage collection on demand, so the heap figures are not noise (works without --expose-gc). */
function collectGarbage() {
  if (!global.gc) {
    v8.setFlagsFromString('--expose-gc');
    global.gc = vm.runInNewContext('gc');
  }
  global.gc();
}

function measureScale(build, params, { nodes, pairs, cycles }) {
  const { DropAnomalyDetector } = require(path.join(build, 'exporter/anomaly/detector.js'));
  const { BYTES_PER_SLOT } = require(path.join(build, 'exporter/anomaly/table.js'));
  const reasons = Array.from({ length: pairs }, (_, i) => ({
    direction: i % 2 ? 'EGRESS' : 'INGRESS',
    reason: `reason number ${i >> 1}`,
  }));
  const names = Array.from({ length: nodes }, (_, i) => `node-${String(i).padStart(5, '0')}`);
  // Inputs are built beforehand (three variants per node, used in turn), so only the detector is measured.
  const variants = [0, 1, 2].map((v) =>
    names.map((_, node) => ({
      intervalSeconds: 30,
      restarted: false,
      drops: reasons.map((r, j) => ({ ...r, packetsPerSecond: ((v * 31 + node * 7 + j * 13) % 17) / 10 })),
    }))
  );
  collectGarbage();
  const before = process.memoryUsage();
  const detector = new DropAnomalyDetector(params);
  let at = Date.UTC(2026, 0, 1);
  const run = (cycle) => {
    at += 30_000;
    detector.beginCycle(at);
    const inputs = variants[cycle % 3];
    names.forEach((n, i) => detector.observe(n, inputs[i]));
    detector.endCycle();
  };
  run(0);
  collectGarbage();
  const after = process.memoryUsage();
  const series = detector.table.used;
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  for (let c = 1; c <= cycles; c++) {
    run(c);
  }
  const used = process.cpuUsage(cpu);
  const ns = Number(process.hrtime.bigint() - started);
  const cpuNs = (used.user + used.system) * 1000;
  return {
    nodes,
    pairs,
    series,
    /** State per series, as laid out in the table's typed arrays. */
    stateBytesPerSeries: BYTES_PER_SLOT,
    /** The table as allocated (capacity grown by doubling, per-node slot maps) over the series it holds. */
    tableBytesPerSeries: detector.table.bytes() / series,
    /** Everything allocated in typed arrays, per-cycle scratch included (other allocations of the process add noise). */
    arrayBufferBytesPerSeries: (after.arrayBuffers - before.arrayBuffers) / series,
    heapBytesPerSeries: (after.heapUsed - before.heapUsed) / series,
    /** Wall time and CPU time (the process's, GC included) of one cycle. */
    cycleMs: ns / cycles / 1e6,
    cycleCpuMs: cpuNs / cycles / 1e6,
    cpuNsPerSeries: cpuNs / cycles / series,
  };
}

module.exports = { measureScale };
