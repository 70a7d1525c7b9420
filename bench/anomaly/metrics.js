/**
 * Scores detectors' alerts against a scenario's labels. Definitions (also printed by bench/anomaly-eval.js):
 *   alert episode   consecutive scrapes in which a detector alerts on one node × direction × reason
 *   true episode    an episode that overlaps a label of the same series, from its first covered scrape to
 *                   GRACE scrapes after its last (rates lag the counters by up to one interval)
 *   false episode   any other episode starting after the warm-up; one starting within RESET_WINDOW scrapes of an
 *                   agent restart on that node is also counted as a reset alert
 *   detected        the detector alerts on the labelled series between the label's due scrape (the first scrape
 *                   whose interval contains the anomaly; for ramps, the first once the factor reached 5) and GRACE
 *                   scrapes after its end
 *   delay           scrapes from the due scrape to the first alert, counting the due scrape as 1: a delay of 2 is an
 *                   alert at the second scrape after the anomaly began, i.e. within two scrape intervals
 *   inside noise    a spike whose added rate is at most the 99.9th percentile of the same direction × reason's
 *                   background rate in the run (unlabelled scrapes, all nodes): no detector can separate it from
 *                   an ordinary burst in one or two intervals without alerting on those bursts as well
 */
'use strict';

const GRACE = 2;
const RESET_WINDOW = 3;

function groupBy(items, keyOf) {
  const out = new Map();
  for (const item of items) {
    const k = keyOf(item);
    const list = out.get(k);
    if (list) {
      list.push(item);
    } else {
      out.set(k, [item]);
    }
  }
  return out;
}

function quantile(sortedValues, q) {
  if (!sortedValues.length) {
    return NaN;
  }
  return sortedValues[Math.min(sortedValues.length - 1, Math.floor(q * sortedValues.length))];
}

function meanOf(values, from, to) {
  let sum = 0;
  let n = 0;
  for (let i = Math.max(0, from); i <= to && i < values.length; i++) {
    if (!Number.isNaN(values[i])) {
      sum += values[i];
      n++;
    }
  }
  return n ? sum / n : 0;
}

/** 99.9th percentile of each direction × reason's rate outside labels, after the warm-up. */
function backgroundNoise(run, labelsByKey) {
  const pools = new Map();
  for (const [key, series] of run.rates) {
    const pair = key.slice(key.indexOf('|') + 1);
    const labels = labelsByKey.get(key) ?? [];
    let pool = pools.get(pair);
    if (!pool) {
      pool = [];
      pools.set(pair, pool);
    }
    for (let s = run.warmupScrapes; s < series.length; s++) {
      if (!Number.isNaN(series[s]) && !labels.some((l) => s >= l.s0 - GRACE && s <= l.s1 + GRACE)) {
        pool.push(series[s]);
      }
    }
  }
  const out = new Map();
  for (const [pair, pool] of pools) {
    out.set(pair, quantile(Float64Array.from(pool).sort(), 0.999));
  }
  return out;
}

function evaluateRun(run) {
  const labelsByKey = groupBy(run.labels, (l) => l.key);
  const resetsByNode = groupBy(run.resets, (r) => r.node);
  const noise = backgroundNoise(run, labelsByKey);
  const fpFrom = run.warmupScrapes;
  const nodeDays = (run.nodes * Math.max(0, run.scrapes - fpFrom + 1) * run.scrapeSeconds) / 86400;
  // False alerts are also split at one day after the cold start: until then the day-long spread is still young.
  const matureFrom = Math.max(fpFrom, Math.round(86400 / run.scrapeSeconds));
  const nodeDaysMature = (run.nodes * Math.max(0, run.scrapes - matureFrom + 1) * run.scrapeSeconds) / 86400;

  const labelFacts = run.labels.map((l) => {
    const series = run.rates.get(l.key);
    let excess = NaN;
    if (series) {
      const during = l.s1 - l.s0 >= 2 ? meanOf(series, l.s0 + 1, l.s1 - 1) : meanOf(series, l.s0, l.s1);
      excess = during - meanOf(series, l.s0 - 120, l.s0 - 1);
    }
    const pair = l.key.slice(l.key.indexOf('|') + 1);
    const p999 = noise.get(pair) ?? 0;
    return { excess, insideNoise: Number.isFinite(excess) ? excess <= p999 : false };
  });

  const results = new Map();
  for (const name of run.detectorNames) {
    const byKey = run.alerts.get(name);
    let trueEpisodes = 0;
    let falseEpisodes = 0;
    let resetEpisodes = 0;
    let falseMature = 0;
    for (const [key, list] of byKey) {
      const node = key.slice(0, key.indexOf('|'));
      const labels = labelsByKey.get(key) ?? [];
      const resets = resetsByNode.get(node) ?? [];
      for (let i = 0; i < list.length;) {
        let j = i;
        while (j + 1 < list.length && list[j + 1] === list[j] + 1) {
          j++;
        }
        const [a, b] = [list[i], list[j]];
        i = j + 1;
        if (labels.some((l) => a <= l.s1 + GRACE && b >= l.s0)) {
          trueEpisodes++;
        } else if (a >= fpFrom) {
          falseEpisodes++;
          if (a >= matureFrom) {
            falseMature++;
          }
          if (resets.some((r) => a >= r.s && a <= r.s + RESET_WINDOW)) {
            resetEpisodes++;
          }
        }
      }
    }
    const labelOutcomes = run.labels.map((l, idx) => {
      const list = byKey.get(l.key) ?? [];
      let delay = null;
      for (const s of list) {
        if (s >= l.sDue && s <= l.s1 + GRACE) {
          delay = s - l.sDue + 1;
          break;
        }
      }
      return {
        scenario: run.scenario,
        kind: l.kind,
        factor: l.factor,
        group: `${run.scenario}#${l.group}`,
        newSeries: l.newSeries,
        insideNoise: labelFacts[idx].insideNoise,
        durationScrapes: l.s1 - l.s0 + 1,
        detected: delay !== null,
        delay,
      };
    });
    results.set(name, {
      trueEpisodes,
      falseEpisodes,
      resetEpisodes,
      nodeDays,
      falseMature,
      nodeDaysMature,
      labels: labelOutcomes,
    });
  }
  return results;
}

module.exports = { evaluateRun, GRACE, RESET_WINDOW, quantile };
