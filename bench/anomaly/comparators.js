/**
 * The detectors the exporter's drop anomaly detector is compared with in bench/anomaly-eval.js. Each one gets the
 * same per-scrape rates (from the same cluster model) and answers, per series and scrape, whether it alerts:
 *   static    rate above a fixed threshold (packets/s)
 *   zscore    (rate - mean) / stddev over a sliding window above z (the classic mean/stddev baseline; a stddev of 0
 *             makes any rate above the mean infinitely many sigmas out)
 *   median    the exporter's own gates (band floor, minimum increase, confirmation, restart skip) around a
 *             median/MAD band over a sliding window instead of the exponentially weighted mean and variance
 */
'use strict';

/** A per-series ring of the last `size` rates with running sums. */
class Ring {
  constructor(size) {
    this.values = new Float32Array(size);
    this.size = size;
    this.count = 0;
    this.head = 0;
    this.sum = 0;
    this.sumSquares = 0;
  }
  push(x) {
    if (this.count === this.size) {
      const old = this.values[this.head];
      this.sum -= old;
      this.sumSquares -= old * old;
    } else {
      this.count++;
    }
    this.values[this.head] = x;
    this.head = (this.head + 1) % this.size;
    this.sum += x;
    this.sumSquares += x * x;
  }
  sorted() {
    return this.values.slice(0, this.count).sort();
  }
}

function medianOf(sorted) {
  const n = sorted.length;
  if (n === 0) {
    return 0;
  }
  return n % 2 ? sorted[(n - 1) >> 1] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

function staticThreshold(threshold) {
  return {
    name: `static > ${threshold} pps`,
    /** One observation; returns true when it alerts. */
    step(_key, rate) {
      return rate > threshold;
    },
  };
}

function zScore({ windowPoints, z, minPoints }) {
  const rings = new Map();
  return {
    name: `z-score > ${z} (mean/stddev, ${windowPoints}-scrape window)`,
    step(key, rate) {
      let ring = rings.get(key);
      if (!ring) {
        ring = new Ring(windowPoints);
        rings.set(key, ring);
      }
      let alert = false;
      if (ring.count >= minPoints) {
        const mean = ring.sum / ring.count;
        const sd = Math.sqrt(Math.max(0, ring.sumSquares / ring.count - mean * mean));
        alert = sd > 1e-9 ? (rate - mean) / sd > z : rate > mean + 1e-9;
      }
      ring.push(rate);
      return alert;
    },
  };
}

/** Median/MAD band with the detector's gates; `params` are the detector's AnomalyParams. */
function medianMad({ windowPoints, k, params }) {
  const states = new Map();
  return {
    name: `median/MAD band (k ${k}, ${windowPoints}-scrape window, same gates)`,
    step(key, rate, ctx) {
      let st = states.get(key);
      if (!st) {
        st = { ring: new Ring(windowPoints), streak: 0, lastCycle: -1 };
        states.set(key, st);
      }
      const consecutive = st.lastCycle === ctx.cycle - 1;
      st.lastCycle = ctx.cycle;
      if (ctx.restarted) {
        st.streak = 0;
        return false;
      }
      const sorted = st.ring.sorted();
      const median = medianOf(sorted);
      const deviations = sorted.map((x) => Math.abs(x - median)).sort();
      const mad = medianOf(deviations);
      const band = Math.max(median + k * 1.4826 * mad, median * (1 + params.margin), params.minRate);
      const above = rate > band && (rate - median) * ctx.intervalSeconds >= params.minIncrease;
      st.streak = above ? (consecutive ? st.streak + 1 : 1) : 0;
      const alert = ctx.nodeWarm && st.streak >= params.confirmScrapes;
      st.ring.push(alert ? Math.min(rate, band) : rate);
      return alert;
    },
  };
}

module.exports = { staticThreshold, zScore, medianMad, Ring, medianOf };
