import { exposition } from './exposition';

export const TARGETS_CASES: Record<string, string> = {
  ciliumscope_target_up: exposition`
# HELP ciliumscope_target_up 1 when the last scrape of the target succeeded, 0 otherwise. component is agent, operator or hubble (the agent's Hubble metrics); node is empty for an operator on an unknown node.
# TYPE ciliumscope_target_up gauge
ciliumscope_target_up{node="n1",component="agent"} 1
ciliumscope_target_up{node="n2",component="agent"} 0
ciliumscope_target_up{node="n3",component="agent"} 0
ciliumscope_target_up{node="n1",component="operator"} 1
ciliumscope_target_up{node="n1",component="hubble"} 1
ciliumscope_target_up{node="n2",component="hubble"} 0
ciliumscope_target_up{node="n3",component="hubble"} 0
`,
  ciliumscope_target_stale: exposition`
# HELP ciliumscope_target_stale 1 when the target has not been scraped successfully for longer than --stale-after; its values are then withdrawn.
# TYPE ciliumscope_target_stale gauge
ciliumscope_target_stale{node="n1",component="agent"} 0
ciliumscope_target_stale{node="n2",component="agent"} 0
ciliumscope_target_stale{node="n3",component="agent"} 1
ciliumscope_target_stale{node="n1",component="operator"} 0
ciliumscope_target_stale{node="n1",component="hubble"} 0
ciliumscope_target_stale{node="n2",component="hubble"} 0
ciliumscope_target_stale{node="n3",component="hubble"} 1
`,
  // The one target family stamped: with the time its scrape began.
  ciliumscope_target_scrape_duration_seconds: exposition`
# HELP ciliumscope_target_scrape_duration_seconds Duration of the last scrape of the target (at the time that scrape began).
# TYPE ciliumscope_target_scrape_duration_seconds gauge
ciliumscope_target_scrape_duration_seconds{node="n1",component="agent"} 0.122 1700000120000
ciliumscope_target_scrape_duration_seconds{node="n2",component="agent"} 10 1700000120000
ciliumscope_target_scrape_duration_seconds{node="n3",component="agent"} 0.003 1700000120000
ciliumscope_target_scrape_duration_seconds{node="n1",component="operator"} 0.04 1700000120000
ciliumscope_target_scrape_duration_seconds{node="n1",component="hubble"} 0.015 1700000120000
ciliumscope_target_scrape_duration_seconds{node="n2",component="hubble"} 5 1700000120000
ciliumscope_target_scrape_duration_seconds{node="n3",component="hubble"} 5 1700000120000
`,
  ciliumscope_target_last_scrape_timestamp_seconds: exposition`
# HELP ciliumscope_target_last_scrape_timestamp_seconds Unix time of the last scrape of the target, successful or not.
# TYPE ciliumscope_target_last_scrape_timestamp_seconds gauge
ciliumscope_target_last_scrape_timestamp_seconds{node="n1",component="agent"} 1700000120
ciliumscope_target_last_scrape_timestamp_seconds{node="n2",component="agent"} 1700000120
ciliumscope_target_last_scrape_timestamp_seconds{node="n3",component="agent"} 1700000120
ciliumscope_target_last_scrape_timestamp_seconds{node="n1",component="operator"} 1700000120
ciliumscope_target_last_scrape_timestamp_seconds{node="n1",component="hubble"} 1700000120
ciliumscope_target_last_scrape_timestamp_seconds{node="n2",component="hubble"} 1700000120
ciliumscope_target_last_scrape_timestamp_seconds{node="n3",component="hubble"} 1700000120
`,
  ciliumscope_target_last_success_timestamp_seconds: exposition`
# HELP ciliumscope_target_last_success_timestamp_seconds Unix time of the last successful scrape of the target.
# TYPE ciliumscope_target_last_success_timestamp_seconds gauge
ciliumscope_target_last_success_timestamp_seconds{node="n1",component="agent"} 1700000120
ciliumscope_target_last_success_timestamp_seconds{node="n2",component="agent"} 1700000060
ciliumscope_target_last_success_timestamp_seconds{node="n3",component="agent"} 1700000000
ciliumscope_target_last_success_timestamp_seconds{node="n1",component="operator"} 1700000120
ciliumscope_target_last_success_timestamp_seconds{node="n1",component="hubble"} 1700000120
ciliumscope_target_last_success_timestamp_seconds{node="n2",component="hubble"} 1700000060
ciliumscope_target_last_success_timestamp_seconds{node="n3",component="hubble"} 1700000000
`,
  // Only the kinds that happened.
  ciliumscope_target_scrape_errors_total: exposition`
# HELP ciliumscope_target_scrape_errors_total Failed scrapes of the target by kind: timeout, connect, tls, http, too-large, decode, parse, other.
# TYPE ciliumscope_target_scrape_errors_total counter
ciliumscope_target_scrape_errors_total{node="n2",component="agent",kind="timeout"} 1
ciliumscope_target_scrape_errors_total{node="n3",component="agent",kind="connect"} 1
ciliumscope_target_scrape_errors_total{node="n3",component="agent",kind="http"} 1
ciliumscope_target_scrape_errors_total{node="n2",component="hubble",kind="timeout"} 1
ciliumscope_target_scrape_errors_total{node="n3",component="hubble",kind="connect"} 1
ciliumscope_target_scrape_errors_total{node="n3",component="hubble",kind="timeout"} 1
`,
  ciliumscope_target_response_bytes: exposition`
# HELP ciliumscope_target_response_bytes Decoded size of the last metrics page of the target.
# TYPE ciliumscope_target_response_bytes gauge
ciliumscope_target_response_bytes{node="n1",component="agent"} 150002
ciliumscope_target_response_bytes{node="n2",component="agent"} 40000
ciliumscope_target_response_bytes{node="n3",component="agent"} 90000
ciliumscope_target_response_bytes{node="n1",component="operator"} 30000
ciliumscope_target_response_bytes{node="n1",component="hubble"} 8002
ciliumscope_target_response_bytes{node="n2",component="hubble"} 8001
ciliumscope_target_response_bytes{node="n3",component="hubble"} 8000
`,
};
