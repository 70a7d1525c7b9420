/**
 * The preview, the scale test, the history benchmark and the 30-day test send panel requests as Grafana would
 * without loading Grafana (tools/preview/panel-requests.ts): their interval must be Grafana's own for the same range
 * and max data points.
 */
import { dateTime, rangeUtil } from '@grafana/data';

import { grafanaIntervalMs } from '../../tools/preview/interval';

test("the panels' interval is Grafana's for every range from a second to a year", () => {
  const to = Date.UTC(2025, 5, 1);
  for (const rangeMs of [
    1000,
    60_000,
    3_600_000,
    3 * 3_600_000,
    86_400_000,
    7 * 86_400_000,
    30 * 86_400_000,
    365 * 86_400_000,
  ]) {
    for (const maxDataPoints of [1, 100, 392, 784, 1000, 1568, 11_000]) {
      const range = { from: dateTime(to - rangeMs), to: dateTime(to), raw: { from: 'now-1h', to: 'now' } };
      expect({ rangeMs, maxDataPoints, ms: grafanaIntervalMs(rangeMs, maxDataPoints) }).toEqual({
        rangeMs,
        maxDataPoints,
        ms: rangeUtil.calculateInterval(range, maxDataPoints).intervalMs,
      });
    }
  }
});
