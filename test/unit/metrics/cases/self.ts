import { exposition } from './exposition';

export const SELF_CASES: Record<string, string> = {
  ciliumscope_build_info: exposition`
# HELP ciliumscope_build_info Cilium Scope exporter build information (always 1).
# TYPE ciliumscope_build_info gauge
ciliumscope_build_info{version="1.2.3-test"} 1
`,
  ciliumscope_scrape_cycle_duration_seconds: exposition`
# HELP ciliumscope_scrape_cycle_duration_seconds Wall time of the last scrape cycle over all targets.
# TYPE ciliumscope_scrape_cycle_duration_seconds gauge
ciliumscope_scrape_cycle_duration_seconds 0.252
`,
  ciliumscope_scrape_cycles_total: exposition`
# HELP ciliumscope_scrape_cycles_total Scrape cycles completed.
# TYPE ciliumscope_scrape_cycles_total counter
ciliumscope_scrape_cycles_total 3
`,
  ciliumscope_scrape_cycle_overruns_total: exposition`
# HELP ciliumscope_scrape_cycle_overruns_total Scrape cycles that took longer than the scrape interval (the next cycle started late).
# TYPE ciliumscope_scrape_cycle_overruns_total counter
ciliumscope_scrape_cycle_overruns_total 1
`,
  ciliumscope_history_series: exposition`
# HELP ciliumscope_history_series Series held by the embedded history.
# TYPE ciliumscope_history_series gauge
ciliumscope_history_series 81
`,
  ciliumscope_history_bytes: exposition`
# HELP ciliumscope_history_bytes Memory held by the embedded history.
# TYPE ciliumscope_history_bytes gauge
ciliumscope_history_bytes 53376
`,
  ciliumscope_history_retention_seconds: exposition`
# HELP ciliumscope_history_retention_seconds Time span the embedded history can hold at the current number of series (shrinks to fit --history-max-bytes).
# TYPE ciliumscope_history_retention_seconds gauge
ciliumscope_history_retention_seconds 3600
`,
  ciliumscope_history_dropped_series_total: exposition`
# HELP ciliumscope_history_dropped_series_total Series the embedded history refused because --history-max-bytes was reached at the minimum retention.
# TYPE ciliumscope_history_dropped_series_total counter
ciliumscope_history_dropped_series_total 0
`,
  // Registered with --history-backend prometheus only.
  ciliumscope_history_requests_total: exposition`
# HELP ciliumscope_history_requests_total Requests to the Prometheus history backend (--prometheus-url) by outcome: success or error.
# TYPE ciliumscope_history_requests_total counter
ciliumscope_history_requests_total{outcome="success"} 7
ciliumscope_history_requests_total{outcome="error"} 1
`,
  ciliumscope_history_last_success_timestamp_seconds: exposition`
# HELP ciliumscope_history_last_success_timestamp_seconds Unix time of the last successful request to the Prometheus history backend.
# TYPE ciliumscope_history_last_success_timestamp_seconds gauge
ciliumscope_history_last_success_timestamp_seconds 1700000121.5
`,
};
