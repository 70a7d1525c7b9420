/** An exporter configuration for in-process tests: loopback, port 0, quiet, short intervals. */
import type { ExporterConfig } from '../../exporter/config/config';
import { OPTION_BY_NAME } from '../../exporter/config/options';

export function testConfig(over: Partial<ExporterConfig> = {}): ExporterConfig {
  return {
    agents: [],
    operator: null,
    listen: { host: '127.0.0.1', port: 0 },
    scrapeIntervalMs: 1000,
    scrapeTimeoutMs: 1000,
    maxConcurrency: 8,
    maxBodyBytes: 16 * 1024 * 1024,
    staleAfterMs: 60_000,
    token: null,
    protectMetrics: false,
    logLevel: 'silent',
    nonPodEndpoints: 2,
    history: { retentionMs: 3_600_000, maxBytes: 64 * 1024 * 1024 },
    tls: { ca: null, cert: null, key: null, insecureSkipVerify: false },
    shard: null,
    ...over,
  };
}

/** Setting names (YAML keys, or flags without their dashes) that the exporter's option table does not know. */
export function unknownSettings(names: string[]): string[] {
  return names.filter((n) => !OPTION_BY_NAME.has(n));
}
