#!/usr/bin/env node
/**
 * Side by side at scale: the exporter and a real Prometheus scraping the same simulated cluster in one run.
 *
 * The simulator (its CLI, own process) serves N agents with pages of about --page-kb KiB (gzip, as both scrapers
 * ask for it) and ticks once per interval. The exporter (the built CLI, own process) and Prometheus (own process,
 * loopback, temporary data directory, a generated scrape configuration of the same N targets and interval) run at
 * the same time. After warm-up cycles, over a window of --cycles intervals, per process:
 *   CPU s per cycle   utime + stime deltas from /proc/<pid>/stat, divided by the intervals in the window
 *   cycle wall time   the exporter's ciliumscope_scrape_cycle_duration_seconds (read once per interval, when
 *                     Prometheus would scrape it); Prometheus spreads its scrapes over the interval, so its row shows
 *                     the slowest single scrape and the sum of all scrape durations per interval
 *   peak RSS          VmHWM from /proc/<pid>/status at the end
 *   /metrics          how long one scrape of the exporter's own /metrics takes, its size and series
 * and the ratios exporter / Prometheus. The machine's cores are shared by the three processes: the figures are
 * per process, not per machine.
 *
 * Default: 1,000 nodes at 30 s, then 5,000 nodes at 60 s (Prometheus too, unless its projected memory does not fit
 * this machine). --quick: 1,000 nodes, 2 warm-up and 3 measured cycles (a few minutes).
 *
 * Usage: npm run build:exporter && node bench/scale/run.js [--quick] [--nodes N] [--interval 30s] [--page-kb 300]
 *        [--cycles N] [--warmup N] [--skip-prometheus] [--profile DIR] [--json FILE] [--exporter-arg=--flag=value]...
 *        [--exporter-node-arg=--max-old-space-size=256]... [--exporter-root DIR] [--baseline-root DIR]
 *        (--exporter-root: run another checkout's built exporter; --baseline-root: run one beside this one)
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { cpuSeconds, cpuSplit, memory, machine } = require('./proc');
const { startSimulator, startExporter, startPrometheus, sleep, ROOT } = require('./processes');
const { summarise, render } = require('./profile-top');

const USAGE =
  'usage: node bench/scale/run.js [--quick] [--nodes N] [--interval 30s] [--page-kb 300] [--cycles N] [--warmup N]\n' +
  '       [--skip-prometheus] [--profile DIR] [--json FILE] [--exporter-arg=--flag=value]... [--exporter-node-arg=--v8-flag]... [--exporter-root DIR] [--baseline-root DIR]';

function parseDuration(text) {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(String(text).trim());
  if (!m) {
    throw new Error(`not a duration: ${text} (e.g. 30s, 500ms, 1m)`);
  }
  const unit = m[2] ?? 's';
  return Number(m[1]) * (unit === 'ms' ? 1 : unit === 'm' ? 60_000 : 1000);
}

function options() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean' },
      nodes: { type: 'string' },
      interval: { type: 'string' },
      'page-kb': { type: 'string' },
      cycles: { type: 'string' },
      warmup: { type: 'string' },
      'skip-prometheus': { type: 'boolean' },
      profile: { type: 'string' },
      json: { type: 'string' },
      'exporter-arg': { type: 'string', multiple: true },
      'exporter-node-arg': { type: 'string', multiple: true },
      'exporter-root': { type: 'string' },
      'baseline-root': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const pageKB = Number(values['page-kb'] ?? 300);
  const common = {
    pageKB,
    skipPrometheus: Boolean(values['skip-prometheus']),
    profileDir: values.profile ? path.resolve(values.profile) : null,
    exporterArgs: values['exporter-arg'] ?? [],
    exporterNodeArgs: values['exporter-node-arg'] ?? [],
    // Another checkout with its build (bin/ and build/), e.g. a baseline to compare with.
    exporterRoot: values['exporter-root'] ? path.resolve(values['exporter-root']) : ROOT,
    // A second exporter from another checkout (built), run at the same time on the same load: a fair before/after.
    baselineRoot: values['baseline-root'] ? path.resolve(values['baseline-root']) : null,
  };
  const given = (name, fallback) => (values[name] !== undefined ? Number(values[name]) : fallback);
  let scenarios;
  if (values.nodes || values.interval) {
    const nodes = given('nodes', 1000);
    scenarios = [{ nodes, intervalMs: parseDuration(values.interval ?? (nodes > 2000 ? '60s' : '30s')) }];
  } else if (values.quick) {
    scenarios = [{ nodes: 1000, intervalMs: 30_000 }];
  } else {
    scenarios = [
      { nodes: 1000, intervalMs: 30_000 },
      { nodes: 5000, intervalMs: 60_000 },
    ];
  }
  const cycles = given('cycles', values.quick ? 3 : 8);
  // Prometheus spends its first cycles creating ~3M head series; from about the sixth its CPU per cycle is steady.
  const warmup = given('warmup', values.quick ? 2 : 5);
  if (!(cycles >= 1 && warmup >= 1)) {
    throw new Error('--cycles and --warmup must be at least 1');
  }
  return { scenarios: scenarios.map((s) => ({ ...common, ...s, cycles, warmup })), json: values.json ?? null };
}

/** Single-sample values of the exporter's own families from its exposition, by plain line scan. */
function readFamilies(text, names) {
  const out = {};
  for (const name of names) {
    const m = new RegExp(`^${name}(?:\\{\\})? (\\S+)$`, 'm').exec(text);
    out[name] = m ? Number(m[1]) : null;
  }
  return out;
}

function countLines(text, prefix) {
  let n = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(prefix)) {
      n += line.endsWith(' 1') ? 1 : 0;
    }
  }
  return n;
}

async function scrapeExporter(exporter) {
  const started = performance.now();
  const res = await fetch(`${exporter.url}/metrics`, { signal: AbortSignal.timeout(60_000) });
  const text = await res.text();
  const ms = performance.now() - started;
  const series = text.split('\n').filter((l) => l && !l.startsWith('#')).length;
  const f = readFamilies(text, [
    'ciliumscope_scrape_cycles_total',
    'ciliumscope_scrape_cycle_duration_seconds',
    'ciliumscope_scrape_cycle_overruns_total',
    'ciliumscope_history_series',
    'ciliumscope_history_bytes',
    'nodejs_heap_size_used_bytes',
  ]);
  return {
    ms,
    bytes: Buffer.byteLength(text),
    series,
    up: countLines(text, 'ciliumscope_target_up{'),
    cycles: f.ciliumscope_scrape_cycles_total,
    cycleSeconds: f.ciliumscope_scrape_cycle_duration_seconds,
    overruns: f.ciliumscope_scrape_cycle_overruns_total,
    historySeries: f.ciliumscope_history_series,
    historyBytes: f.ciliumscope_history_bytes,
    heapUsed: f.nodejs_heap_size_used_bytes,
  };
}

/** Prometheus's head takes about this much per series at this load (the reference run): used to skip what cannot fit. */
const PROMETHEUS_BYTES_PER_NODE = 6.9e9 / 1000;

async function runScenario(s) {
  const label = `${s.nodes} nodes × ${s.pageKB} KiB × ${s.intervalMs / 1000} s`;
  console.log(`\n=== ${label}: ${s.warmup} warm-up + ${s.cycles} measured cycles`);
  const projected = PROMETHEUS_BYTES_PER_NODE * s.nodes * (s.pageKB / 330);
  const freeBytes = require('node:os').totalmem() * 0.8;
  let skipPrometheus = s.skipPrometheus;
  let prometheusNote = s.skipPrometheus ? 'skipped (--skip-prometheus)' : null;
  if (!skipPrometheus && projected > freeBytes) {
    skipPrometheus = true;
    prometheusNote = `not run: projected ${(projected / 1024 ** 3).toFixed(0)} GiB RSS exceeds 80% of this machine's ${(require('node:os').totalmem() / 1024 ** 3).toFixed(0)} GiB`;
  }
  if (!skipPrometheus && machine().prometheus === 'not installed') {
    skipPrometheus = true;
    prometheusNote = 'not run: prometheus is not installed (apt-get install prometheus)';
  }

  const sim = await startSimulator({ nodes: s.nodes, pageKB: s.pageKB, tickSeconds: s.intervalMs / 1000 });
  console.log(`simulator ${sim.url} pid ${sim.pid}: ${sim.nodes.length} agents`);
  // Render and compress every page once, so neither scraper pays for the simulator's cold start.
  await warmSimulator(sim);
  const procs = [sim];
  try {
    if (s.profileDir) {
      fs.mkdirSync(s.profileDir, { recursive: true });
    }
    const exporterStart = Date.now();
    const exporter = await startExporter({
      sim,
      intervalMs: s.intervalMs,
      profileDir: s.profileDir,
      extraArgs: s.exporterArgs,
      nodeArgs: s.exporterNodeArgs,
      root: s.exporterRoot,
    });
    procs.push(exporter);
    console.log(
      `exporter ${exporter.url} pid ${exporter.pid}${s.exporterRoot === ROOT ? '' : ` (from ${s.exporterRoot})`}`
    );
    let baseline = null;
    if (s.baselineRoot) {
      baseline = await startExporter({
        sim,
        intervalMs: s.intervalMs,
        root: s.baselineRoot,
        nodeArgs: s.exporterNodeArgs,
      });
      procs.push(baseline);
      console.log(`baseline exporter ${baseline.url} pid ${baseline.pid} (from ${s.baselineRoot})`);
    }
    let prom = null;
    if (!skipPrometheus) {
      prom = await startPrometheus({ sim, intervalMs: s.intervalMs, timeoutMs: Math.min(10_000, s.intervalMs) });
      procs.push(prom);
      console.log(`prometheus ${prom.url} pid ${prom.pid}`);
    } else {
      console.log(`prometheus: ${prometheusNote}`);
    }

    // Each interval, at fixed phases after the exporter's cycles start: read its /metrics (when Prometheus would
    // scrape it), then tick the simulator and have it render and compress every page, so that neither scraper
    // waits for the simulator's rendering (in a cluster each agent renders its own page on its own node).
    const POLL_PHASE = 0.35;
    const TICK_PHASE = 0.55;
    const samples = [];
    const baselineSamples = [];
    let slot = 0;
    let lastCpu = null;
    const pollUntil = async (deadline) => {
      for (;;) {
        const base = exporterStart + slot * s.intervalMs;
        if (base + TICK_PHASE * s.intervalMs > deadline) {
          await sleep(Math.max(0, deadline - Date.now()));
          return;
        }
        slot++;
        await sleep(Math.max(0, base + POLL_PHASE * s.intervalMs - Date.now()));
        const cpu = cpuSeconds(exporter.pid);
        const sample = { t: Date.now(), ...(await scrapeExporter(exporter)), rss: memory(exporter.pid).rssMiB };
        samples.push(sample);
        const cpuDelta = lastCpu === null ? '' : ` cpu ${(cpu - lastCpu).toFixed(2)}s`;
        lastCpu = cpu;
        process.stdout.write(
          `  t=${((sample.t - exporterStart) / 1000).toFixed(0)}s cycles=${sample.cycles} cycle=${sample.cycleSeconds?.toFixed(2)}s${cpuDelta} ` +
            `/metrics ${sample.ms.toFixed(0)} ms ${sample.series} series up=${sample.up} exporter RSS ${sample.rss?.toFixed(0)} MiB` +
            (prom ? ` prometheus RSS ${memory(prom.pid).rssMiB?.toFixed(0)} MiB` : '')
        );
        if (baseline) {
          const b = { t: Date.now(), ...(await scrapeExporter(baseline)), rss: memory(baseline.pid).rssMiB };
          baselineSamples.push(b);
          process.stdout.write(
            `; baseline cycle=${b.cycleSeconds?.toFixed(2)}s /metrics ${b.ms.toFixed(0)} ms RSS ${b.rss?.toFixed(0)} MiB`
          );
        }
        await sleep(Math.max(0, base + TICK_PHASE * s.intervalMs - Date.now()));
        const warmMs = await tickAndWarm(sim);
        process.stdout.write(`; simulator tick + render ${(warmMs / 1000).toFixed(1)} s\n`);
      }
    };

    await pollUntil(Date.now() + s.warmup * s.intervalMs);
    const t0 = Date.now();
    const split0 = cpuSplit(exporter.pid);
    const cpu0 = {
      exporter: cpuSeconds(exporter.pid),
      baseline: baseline && cpuSeconds(baseline.pid),
      prometheus: prom && cpuSeconds(prom.pid),
      simulator: cpuSeconds(sim.pid),
    };
    const firstMeasured = samples.length;
    await pollUntil(t0 + s.cycles * s.intervalMs);
    const t1 = Date.now();
    const split1 = cpuSplit(exporter.pid);
    const cpu1 = {
      exporter: cpuSeconds(exporter.pid),
      baseline: baseline && cpuSeconds(baseline.pid),
      prometheus: prom && cpuSeconds(prom.pid),
      simulator: cpuSeconds(sim.pid),
    };
    const intervals = (t1 - t0) / s.intervalMs;
    const window = samples.slice(firstMeasured);
    const baselineWindow = baselineSamples.slice(firstMeasured);
    const cycleTimes = window.map((x) => x.cycleSeconds).filter((x) => x !== null);

    const result = {
      scenario: {
        nodes: s.nodes,
        pageKB: s.pageKB,
        intervalSeconds: s.intervalMs / 1000,
        warmup: s.warmup,
        cycles: s.cycles,
        exporterRoot: s.exporterRoot,
      },
      windowSeconds: (t1 - t0) / 1000,
      exporter: {
        cpuPerCycle: (cpu1.exporter - cpu0.exporter) / intervals,
        userPerCycle: (split1.user - split0.user) / intervals,
        systemPerCycle: (split1.system - split0.system) / intervals,
        cycleMedian: median(cycleTimes),
        cycleMax: Math.max(...cycleTimes),
        peakRssMiB: memory(exporter.pid).peakMiB,
        metricsMsMedian: median(window.map((x) => x.ms)),
        metricsMsMax: Math.max(...window.map((x) => x.ms)),
        metricsBytes: window.at(-1)?.bytes ?? null,
        metricsSeries: window.at(-1)?.series ?? null,
        targetsUp: window.at(-1)?.up ?? null,
        overruns: window.at(-1)?.overruns ?? null,
        historySeries: window.at(-1)?.historySeries ?? null,
        historyMiB: (window.at(-1)?.historyBytes ?? 0) / 1024 ** 2,
      },
      simulator: { cpuPerCycle: (cpu1.simulator - cpu0.simulator) / intervals, peakRssMiB: memory(sim.pid).peakMiB },
      prometheus: null,
      prometheusNote,
      baseline: null,
    };
    if (baseline) {
      const times = baselineWindow.map((x) => x.cycleSeconds).filter((x) => x !== null);
      result.baseline = {
        root: s.baselineRoot,
        cpuPerCycle: (cpu1.baseline - cpu0.baseline) / intervals,
        cycleMedian: median(times),
        cycleMax: Math.max(...times),
        peakRssMiB: memory(baseline.pid).peakMiB,
        metricsMsMedian: median(baselineWindow.map((x) => x.ms)),
        metricsSeries: baselineWindow.at(-1)?.series ?? null,
        historySeries: baselineWindow.at(-1)?.historySeries ?? null,
      };
    }
    if (prom) {
      const w = `${Math.round((t1 - t0) / 1000)}s`;
      const one = async (expr) => (await prom.query(expr))[0]?.value ?? null;
      result.prometheus = {
        cpuPerCycle: (cpu1.prometheus - cpu0.prometheus) / intervals,
        peakRssMiB: memory(prom.pid).peakMiB,
        slowestScrape: await one(`max(max_over_time(scrape_duration_seconds{job="cilium-agent"}[${w}]))`),
        sumOfScrapes: await one(`sum(avg_over_time(scrape_duration_seconds{job="cilium-agent"}[${w}]))`),
        targetsUp: await one('count(up{job="cilium-agent"} == 1)'),
        samplesPerCycle: await one('sum(scrape_samples_scraped{job="cilium-agent"})'),
      };
    }
    return result;
  } finally {
    for (const p of procs.reverse()) {
      await p.stop();
    }
    if (s.profileDir) {
      const profiles = fs
        .readdirSync(s.profileDir)
        .filter((f) => f.endsWith('.cpuprofile'))
        .map((f) => path.join(s.profileDir, f))
        .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
      if (profiles[0]) {
        console.log(
          `\nexporter CPU profile ${profiles[0]}:\n${render(summarise(JSON.parse(fs.readFileSync(profiles[0], 'utf8'))), 30)}`
        );
      }
    }
  }
}

async function tickAndWarm(sim) {
  const started = Date.now();
  const res = await fetch(`${sim.url}/control/tick`, {
    method: 'POST',
    body: '{"n":1}',
    headers: { 'content-type': 'application/json' },
  });
  if (!res.ok) {
    throw new Error(`simulator tick: HTTP ${res.status} ${await res.text()}`);
  }
  await warmSimulator(sim, true);
  return Date.now() - started;
}

async function warmSimulator(sim, quiet = false) {
  const started = Date.now();
  const queue = sim.nodes.map((n) => sim.url + sim.agentPath(n));
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (queue.length) {
        const res = await fetch(queue.shift(), { headers: { 'accept-encoding': 'gzip' } });
        await res.arrayBuffer();
      }
    })
  );
  if (!quiet) {
    console.log(`simulator pages rendered and compressed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}

function median(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return v.length ? v[Math.floor(v.length / 2)] : null;
}

function table(m, results) {
  const f = (v, d = 2) => (v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(d));
  const ratio = (a, b) => (a === null || b === null || !b ? 'n/a' : (a / b).toFixed(3));
  const lines = [
    '',
    `machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB.toFixed(0)} GiB, Node ${m.node}, ${m.os}; Prometheus ${m.prometheus}`,
    'simulator, exporter and Prometheus run at the same time on these cores: figures are per process (/proc), not per machine.',
  ];
  for (const r of results) {
    const s = r.scenario;
    const e = r.exporter;
    const p = r.prometheus;
    lines.push(
      '',
      `${s.nodes} agents × ${s.pageKB} KiB pages every ${s.intervalSeconds} s (${s.cycles} measured cycles after ${s.warmup} warm-up, window ${r.windowSeconds.toFixed(0)} s)` +
        (s.exporterRoot === ROOT ? '' : `, exporter from ${s.exporterRoot}`),
      `  ${'figure'.padEnd(34)}${'exporter'.padStart(12)}${'prometheus'.padStart(12)}${'ratio'.padStart(9)}  target`,
      `  ${'CPU s per cycle'.padEnd(34)}${f(e.cpuPerCycle).padStart(12)}${f(p?.cpuPerCycle).padStart(12)}${ratio(e.cpuPerCycle, p?.cpuPerCycle ?? null).padStart(9)}  ≤ 0.2× Prometheus`,
      `  ${'cycle wall time s (median / max)'.padEnd(34)}${`${f(e.cycleMedian)}/${f(e.cycleMax)}`.padStart(12)}${'spread'.padStart(12)}${''.padStart(9)}  < 5 s`,
      `  ${'slowest single scrape s'.padEnd(34)}${''.padStart(12)}${f(p?.slowestScrape, 3).padStart(12)}`,
      `  ${'sum of scrape durations s / cycle'.padEnd(34)}${''.padStart(12)}${f(p?.sumOfScrapes, 1).padStart(12)}`,
      `  ${'peak RSS MiB (VmHWM)'.padEnd(34)}${f(e.peakRssMiB, 0).padStart(12)}${f(p?.peakRssMiB, 0).padStart(12)}${ratio(e.peakRssMiB, p?.peakRssMiB ?? null).padStart(9)}  ≤ 512 MiB, ≤ 0.1× Prometheus`,
      `  ${'targets up'.padEnd(34)}${f(e.targetsUp, 0).padStart(12)}${f(p?.targetsUp, 0).padStart(12)}`,
      `  ${'samples per cycle'.padEnd(34)}${''.padStart(12)}${f(p?.samplesPerCycle, 0).padStart(12)}`,
      `  exporter /metrics scrape: ${f(e.metricsMsMedian, 0)} ms median, ${f(e.metricsMsMax, 0)} ms max, ${e.metricsSeries} series, ${f(e.metricsBytes / 1024 ** 2, 1)} MiB`,
      `  exporter CPU per cycle: ${f(e.userPerCycle)} s user + ${f(e.systemPerCycle)} s system`,
      `  exporter history: ${e.historySeries} series, ${f(e.historyMiB, 1)} MiB; cycle overruns ${e.overruns}`,
      `  simulator: ${f(r.simulator.cpuPerCycle)} CPU s per cycle, peak RSS ${f(r.simulator.peakRssMiB, 0)} MiB`
    );
    if (r.prometheusNote) {
      lines.push(`  prometheus: ${r.prometheusNote}`);
    }
    if (r.baseline) {
      const b = r.baseline;
      lines.push(
        `  baseline exporter (${b.root}), same load at the same time:`,
        `    CPU s per cycle ${f(b.cpuPerCycle)} (this one ${f(e.cpuPerCycle)}, ratio ${ratio(e.cpuPerCycle, b.cpuPerCycle)}); ` +
          `cycle ${f(b.cycleMedian)}/${f(b.cycleMax)} s; peak RSS ${f(b.peakRssMiB, 0)} MiB (ratio ${ratio(e.peakRssMiB, b.peakRssMiB)}); ` +
          `/metrics ${f(b.metricsMsMedian, 0)} ms for ${b.metricsSeries} series (this one ${f(e.metricsMsMedian, 0)} ms for ${e.metricsSeries}); history ${b.historySeries} series`
      );
    }
    if (p && s.warmup < 5) {
      lines.push(
        `  note: Prometheus creates its ~${f(p.samplesPerCycle / 1e6, 1)}M head series over its first cycles; with ${s.warmup} warm-up cycles its CPU per cycle is above its steady state (use --warmup 5 or more)`
      );
    }
    const verdicts = [
      ['cycle < 5 s', e.cycleMax !== null && e.cycleMax < 5],
      ['peak RSS ≤ 512 MiB', e.peakRssMiB !== null && e.peakRssMiB <= 512],
      ...(p
        ? [
            ['CPU ≤ 0.2× Prometheus', e.cpuPerCycle <= 0.2 * p.cpuPerCycle],
            ['RSS ≤ 0.1× Prometheus', e.peakRssMiB <= 0.1 * p.peakRssMiB],
          ]
        : []),
    ];
    lines.push(`  targets: ${verdicts.map(([n, ok]) => `${n} ${ok ? 'met' : 'MISSED'}`).join('; ')}`);
  }
  return lines.join('\n');
}

async function main() {
  let opts;
  try {
    opts = options();
  } catch (err) {
    console.error(`${err.message}\n${USAGE}`);
    process.exit(2);
  }
  for (const file of ['build/exporter/cli.js', 'build/simulator/cli.js']) {
    if (!fs.existsSync(path.join(ROOT, file))) {
      console.error(`${file} is missing: run \`npm run build:exporter\` first`);
      process.exit(1);
    }
  }
  const m = machine();
  const results = [];
  for (const s of opts.scenarios) {
    results.push(await runScenario(s));
  }
  console.log(table(m, results));
  if (opts.json) {
    fs.writeFileSync(opts.json, JSON.stringify({ machine: m, results }, null, 2));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
