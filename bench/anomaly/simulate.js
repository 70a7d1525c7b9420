/**
 * Runs one labelled simulator scenario in-process, tick by tick, and feeds every detector the way the exporter
 * does: at each scrape, every node's AgentSample (the simulator's ground truth, which is what the normaliser makes
 * of the agent's page) goes into a real ClusterModel, which derives the rates (exporter/model/rates.ts); the
 * exporter's anomaly detection runs as the model's cycle listener, exactly as in exporter/app.ts, and the
 * comparators read the same rates from the model. Returns the alerts of every detector, the rates and the labels.
 */
'use strict';

const path = require('node:path');

function loadModules(build) {
  const req = (p) => require(path.join(build, p));
  return {
    SimulatedCluster: req('simulator/cluster.js').SimulatedCluster,
    agentSample: req('simulator/truth.js').agentSample,
    isLabelledScenario: req('simulator/scenarios/anomaly-labels.js').isLabelledScenario,
    ClusterModel: req('exporter/model/cluster.js').ClusterModel,
    createAnomalyDetection: req('exporter/anomaly/attach.js').createAnomalyDetection,
    silentLogger: req('exporter/log.js').silentLogger,
  };
}

/**
 * @param {object} o
 * @param {string} o.build         compiled output directory (build/)
 * @param {string} o.scenario      scenario name (anomaly-*)
 * @param {number} o.nodes
 * @param {number} o.hours         simulated hours
 * @param {number} o.seed
 * @param {number} o.scrapeSeconds
 * @param {number} o.tickSeconds
 * @param {object} o.params        AnomalyParams of the detector
 * @param {Array<{name: string, make: () => object}>} o.comparators
 */
function simulate(o) {
  const m = loadModules(o.build);
  const cluster = new m.SimulatedCluster({
    nodes: o.nodes,
    seed: o.seed,
    scenario: o.scenario,
    tickSeconds: o.tickSeconds,
  });
  if (!m.isLabelledScenario(cluster.scenario)) {
    throw new Error(`scenario ${o.scenario} carries no anomaly labels`);
  }
  const ticksPerScrape = Math.round(o.scrapeSeconds / o.tickSeconds);
  const scrapeMs = o.scrapeSeconds * 1000;
  let nowMs = cluster.nowSeconds * 1000;
  const model = new m.ClusterModel({ staleAfterMs: 3 * scrapeMs, nonPodEndpoints: 2, now: () => nowMs });
  const detection = m.createAnomalyDetection({ ...o.params, stateFile: null }, m.silentLogger);
  const comparators = o.comparators.map((c) => c.make());
  const names = ['detector', ...comparators.map((c) => c.name)];
  /** detector name → series key → scrape indexes that alerted (ascending). */
  const alerts = new Map(names.map((n) => [n, new Map()]));
  const rates = new Map();
  const scrapes = Math.round((o.hours * 3600) / o.scrapeSeconds);
  let scrape = 0;
  let detectorNs = 0n;
  let seriesScored = 0;
  const record = (name, key) => {
    const byKey = alerts.get(name);
    const list = byKey.get(key);
    if (list) {
      list.push(scrape);
    } else {
      byKey.set(key, [scrape]);
    }
  };

  model.onCycle((mdl, stats) => {
    const t0 = process.hrtime.bigint();
    detection.onCycle(mdl, stats.startedAt);
    detectorNs += process.hrtime.bigint() - t0;
  });
  model.onCycle((mdl, stats) => {
    const det = detection.detector;
    const t = det.table;
    det.forEachCurrent((slot, node) => {
      seriesScored++;
      if (t.score[slot] >= 1) {
        record('detector', `${node.name}|${t.pairDirection[t.keyId[slot]]}|${t.pairReason[t.keyId[slot]]}`);
      }
    });
    for (const node of mdl.nodes()) {
      const r = node.rates;
      if (!r || node.ratesAt === null || node.ratesAt < stats.startedAt) {
        continue;
      }
      const entry = det.table.node(node.name);
      const ctx = {
        cycle: scrape,
        restarted: r.restarted,
        intervalSeconds: r.intervalSeconds,
        nodeWarm: entry ? det.isWarm(entry) : false,
      };
      for (const d of r.dropped) {
        const key = `${node.name}|${d.direction}|${d.reason}`;
        let series = rates.get(key);
        if (!series) {
          series = new Float32Array(scrapes + 1).fill(NaN);
          rates.set(key, series);
        }
        series[scrape] = d.packetsPerSecond;
        for (const c of comparators) {
          if (c.step(key, d.packetsPerSecond, ctx)) {
            record(c.name, key);
          }
        }
      }
    }
  });

  const targets = cluster.nodes.map((n) => ({
    id: `agent/${n.name}`,
    component: 'agent',
    node: n.name,
    url: `sim://${n.name}`,
    source: 'static',
  }));
  const started = Date.now();
  for (scrape = 0; scrape <= scrapes; scrape++) {
    if (scrape > 0) {
      cluster.tick(ticksPerScrape);
    }
    nowMs = cluster.nowSeconds * 1000;
    model.beginCycle(nowMs, targets);
    for (const [i, node] of cluster.nodes.entries()) {
      if (node.agent) {
        const sample = m.agentSample(cluster, node.agent);
        model.recordScrape(
          targets[i],
          { ok: true, value: { component: 'agent', sample }, durationMs: 1, bytes: 0, contentType: undefined },
          nowMs
        );
      }
    }
    model.endCycle({
      startedAt: nowMs,
      durationMs: 1,
      targets: targets.length,
      succeeded: targets.length,
      failed: 0,
      overruns: 0,
    });
  }

  const toScrape = (tick) => Math.ceil(tick / ticksPerScrape);
  const labels = cluster.scenario.labels().map((l) => ({
    ...l,
    key: `${l.node}|${l.direction}|${l.reason}`,
    s0: toScrape(l.startTick),
    sDue: toScrape(l.dueTick),
    s1: toScrape(l.endTick - 1),
  }));
  const resets = cluster.scenario.resets().map((r) => ({ ...r, s: toScrape(r.tick) }));
  return {
    scenario: o.scenario,
    nodes: o.nodes,
    hours: o.hours,
    seed: o.seed,
    scrapes,
    scrapeSeconds: o.scrapeSeconds,
    warmupScrapes: Math.ceil(o.params.warmupMs / scrapeMs) + 1,
    detectorNames: names,
    alerts,
    rates,
    labels: labels.filter((l) => l.s0 <= scrapes),
    resets,
    wallMs: Date.now() - started,
    detectorNsPerSeries: seriesScored ? Number(detectorNs) / seriesScored : 0,
    detectorSeries: detection.detector.table.used,
    detectorBytes: detection.detector.table.bytes(),
  };
}

module.exports = { simulate };
