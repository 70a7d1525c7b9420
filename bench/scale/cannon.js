/**
 * autocannon for the API benchmarks: a fixed set of requests at a number of connections for some seconds, and the
 * figures every benchmark prints from a run (latency p50/p99/max in ms, requests per second, errors of any kind).
 */
'use strict';

const autocannon = require('autocannon');

/**
 * For `seconds`, or for `amount` requests in all when given (for requests slower than the duration); a request
 * counts as a timeout after `timeoutSeconds` (autocannon's 10 s by default).
 */
function cannon(url, requests, connections, seconds, amount, timeoutSeconds = 10) {
  return new Promise((resolve, reject) => {
    const limit = amount ? { amount } : { duration: seconds };
    autocannon({ url, connections, requests, timeout: timeoutSeconds, ...limit }, (error, result) =>
      error ? reject(error) : resolve(result)
    );
  });
}

function summary(r) {
  return {
    p50: r.latency.p50,
    p99: r.latency.p99,
    max: r.latency.max,
    rps: r.requests.average,
    total: r.requests.total,
    errors: r.errors + r.timeouts + r.non2xx,
  };
}

/** Waits until the server answers /healthz quickly again (responses of the last run may still be in flight). */
async function drained(url) {
  for (let i = 0; i < 100; i++) {
    const t = performance.now();
    await (await fetch(`${url}/healthz`)).text();
    if (performance.now() - t < 20) {
      return;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

module.exports = { cannon, drained, summary };
