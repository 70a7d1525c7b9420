import { CoreApp, dateTime, type DataQueryRequest, type ScopedVars } from '@grafana/data';

import type { ScopeDataQuery } from '../../../src/types';

export const FROM = Date.UTC(2025, 0, 10, 12, 0, 0);
export const TO = Date.UTC(2025, 0, 10, 13, 0, 0);

export function queryRequest(targets: ScopeDataQuery[], scopedVars: ScopedVars = {}): DataQueryRequest<ScopeDataQuery> {
  return {
    requestId: 'Q101',
    interval: '15s',
    intervalMs: 15000,
    maxDataPoints: 240,
    range: { from: dateTime(FROM), to: dateTime(TO), raw: { from: 'now-1h', to: 'now' } },
    scopedVars,
    targets,
    timezone: 'utc',
    app: CoreApp.Dashboard,
    startTime: FROM,
  };
}
