import { exposition } from './exposition';

export const ANOMALY_CASES: Record<string, string> = {
  // Scored series of fresh nodes at the time of the sample they were computed from; n3 is stale.
  ciliumscope_drop_anomaly_score: exposition`
# HELP ciliumscope_drop_anomaly_score Drop anomaly score per node, direction and reason: 0 while the drop rate is normal, 1 or more when it has been above its upper band for --anomaly-confirm consecutive scrapes (the excess over the baseline in units of the band's height above it).
# TYPE ciliumscope_drop_anomaly_score gauge
ciliumscope_drop_anomaly_score{node="n1",direction="INGRESS",reason="Policy denied"} 0 1700000120000
ciliumscope_drop_anomaly_score{node="n1",direction="EGRESS",reason="Stale or unroutable IP"} 0 1700000120000
ciliumscope_drop_anomaly_score{node="n2",direction="INGRESS",reason="Policy denied"} 0 1700000060000
`,
  ciliumscope_drop_rate_upper_band: exposition`
# HELP ciliumscope_drop_rate_upper_band Upper band of the drop rate (packets/s) per node, direction and reason: max(baseline + k·spread, baseline·(1+margin), --anomaly-min-rate, the median band of the other nodes).
# TYPE ciliumscope_drop_rate_upper_band gauge
ciliumscope_drop_rate_upper_band{node="n1",direction="INGRESS",reason="Policy denied"} 1 1700000120000
ciliumscope_drop_rate_upper_band{node="n1",direction="EGRESS",reason="Stale or unroutable IP"} 1 1700000120000
ciliumscope_drop_rate_upper_band{node="n2",direction="INGRESS",reason="Policy denied"} 1 1700000060000
`,
  ciliumscope_drop_rate_baseline: exposition`
# HELP ciliumscope_drop_rate_baseline Learnt normal drop rate (packets/s) per node, direction and reason: an exponentially weighted mean over about --anomaly-window.
# TYPE ciliumscope_drop_rate_baseline gauge
ciliumscope_drop_rate_baseline{node="n1",direction="INGRESS",reason="Policy denied"} 0 1700000120000
ciliumscope_drop_rate_baseline{node="n1",direction="EGRESS",reason="Stale or unroutable IP"} 0 1700000120000
ciliumscope_drop_rate_baseline{node="n2",direction="INGRESS",reason="Policy denied"} 0 1700000060000
`,
  ciliumscope_drop_anomaly_warming_up: exposition`
# HELP ciliumscope_drop_anomaly_warming_up 1 while the node's drop series are in the anomaly detector's warm-up (--anomaly-warmup): their scores cannot reach 1 yet.
# TYPE ciliumscope_drop_anomaly_warming_up gauge
ciliumscope_drop_anomaly_warming_up{node="n1"} 1 1700000120000
ciliumscope_drop_anomaly_warming_up{node="n2"} 1 1700000060000
`,
  ciliumscope_drop_anomaly_series: exposition`
# HELP ciliumscope_drop_anomaly_series Drop series (node × direction × reason) the anomaly detector keeps state for.
# TYPE ciliumscope_drop_anomaly_series gauge
ciliumscope_drop_anomaly_series 3
`,
  ciliumscope_drop_anomaly_refused_series_total: exposition`
# HELP ciliumscope_drop_anomaly_refused_series_total Drop series the anomaly detector refused because it already tracks --anomaly-max-series series.
# TYPE ciliumscope_drop_anomaly_refused_series_total counter
ciliumscope_drop_anomaly_refused_series_total 0
`,
  ciliumscope_drop_anomaly_state_saves_total: exposition`
# HELP ciliumscope_drop_anomaly_state_saves_total Successful writes of the anomaly state file (--anomaly-state-file).
# TYPE ciliumscope_drop_anomaly_state_saves_total counter
ciliumscope_drop_anomaly_state_saves_total 0
`,
};
