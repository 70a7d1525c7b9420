/**
 * The settings of the Prometheus history backend and how they resolve into `PrometheusSettings`, or null with the
 * embedded history. Secrets come from files, never flags; a URL with credentials in it is refused for that reason.
 */
import { z } from 'zod';
import { type LoadContext, type Loaded, area, optional, setting } from '../../config/setting';

export interface PrometheusSettings {
  /** Base URL of the HTTP API, without a trailing slash: `<url>/api/v1/query_range`. */
  url: string;
  bearerToken: string | null;
  basicAuth: { username: string; password: string } | null;
  ca: Buffer | null;
  headers: Array<[string, string]>;
  timeoutMs: number;
  /** How often Prometheus scrapes the exporters: the minimum step, and with --scrape-interval the windows. */
  scrapeIntervalMs: number;
  maxSeries: number;
  maxResponseBytes: number;
  /** Requests to Prometheus in flight for one API request. */
  maxConcurrency: number;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers the client sets itself. */
const RESERVED = new Set([
  'host',
  'content-length',
  'content-type',
  'authorization',
  'connection',
  'transfer-encoding',
]);

const integerFrom = (min: number, max: number) =>
  z.number().refine((n) => Number.isInteger(n) && n >= min && n <= max, {
    error: (issue) => `${String(issue.input)} must be an integer from ${min} to ${max}`,
  });

const headers = z
  .array(z.string())
  .default([])
  .transform((list, ctx) =>
    list.map((h): [string, string] => {
      const eq = h.indexOf('=');
      const name = eq > 0 ? h.slice(0, eq).trim() : '';
      const value = eq > 0 ? h.slice(eq + 1).trim() : '';
      if (!HEADER_NAME.test(name) || /[\r\n\0]/.test(value)) {
        ctx.addIssue({ code: 'custom', message: `"${h}" must be NAME=VALUE, e.g. X-Scope-OrgID=tenant-1` });
      } else if (RESERVED.has(name.toLowerCase())) {
        ctx.addIssue({
          code: 'custom',
          message: `${name} is set by the exporter itself (use --prometheus-bearer-token-file or --prometheus-basic-auth-file for authentication)`,
        });
      }
      return [name, value];
    })
  );

const PROMETHEUS_FIELDS = {
  url: setting({
    name: 'prometheus-url',
    kind: 'string',
    placeholder: 'URL',
    help: 'base URL of the Prometheus HTTP API (Prometheus, Thanos, Mimir, VictoriaMetrics...), e.g. http://prometheus:9090; required with --history-backend prometheus',
    schema: z.string().optional(),
  }),
  bearerTokenFile: setting({
    name: 'prometheus-bearer-token-file',
    kind: 'string',
    placeholder: 'FILE',
    help: 'file holding a bearer token sent to Prometheus',
    schema: z.string().optional(),
  }),
  basicAuthFile: setting({
    name: 'prometheus-basic-auth-file',
    kind: 'string',
    placeholder: 'FILE',
    help: 'file holding one line USER:PASSWORD for basic authentication to Prometheus',
    schema: z.string().optional(),
  }),
  caFile: setting({
    name: 'prometheus-ca-file',
    kind: 'string',
    placeholder: 'FILE',
    help: 'CA bundle to verify an https:// Prometheus',
    schema: z.string().optional(),
  }),
  headers: setting({
    name: 'prometheus-header',
    kind: 'list',
    placeholder: 'NAME=VALUE',
    help: 'a header sent with every request to Prometheus (repeatable), e.g. X-Scope-OrgID=tenant-1 for Mimir',
    schema: headers,
  }),
  timeoutMs: setting({
    name: 'prometheus-timeout',
    kind: 'duration',
    defaultText: '10s',
    help: 'timeout of each request to Prometheus',
    schema: z.number().min(100, 'must be between 100ms and 2m').max(120_000, 'must be between 100ms and 2m'),
  }),
  scrapeIntervalMs: setting({
    name: 'prometheus-scrape-interval',
    kind: 'duration',
    help: "how often Prometheus scrapes the exporters' /metrics (default: --scrape-interval); the windows use the larger of the two",
    fallback: (ctx) => ctx.value('scrape-interval'),
    schema: z.number().min(100, 'must be between 100ms and 1h').max(3_600_000, 'must be between 100ms and 1h'),
  }),
  maxSeries: setting({
    name: 'prometheus-max-series',
    kind: 'integer',
    defaultText: '50000',
    help: 'series one Prometheus answer may hold; a query returning more fails with an error naming this cap',
    schema: integerFrom(1, 10_000_000),
  }),
  maxResponseBytes: setting({
    name: 'prometheus-max-response-bytes',
    kind: 'bytes',
    defaultText: '64MiB',
    help: 'largest Prometheus answer read',
    schema: integerFrom(1024, 4 * 1024 ** 3),
  }),
  maxConcurrency: setting({
    name: 'prometheus-max-concurrency',
    kind: 'integer',
    defaultText: '4',
    help: 'requests to Prometheus in flight for one API request',
    schema: integerFrom(1, 64),
  }),
};

export type PrometheusValues = Loaded<typeof PROMETHEUS_FIELDS>;

/** The Prometheus history backend; set (only) with history.backend prometheus. */
export const PROMETHEUS_SETTINGS = optional(
  area(PROMETHEUS_FIELDS, (values, ctx) =>
    ctx.value('history-backend') === 'prometheus' ? resolvePrometheusSettings(values, ctx) : unused(values, ctx)
  )
);

function unused(values: PrometheusValues, ctx: LoadContext): null {
  if (values.url !== undefined) {
    ctx.fail('prometheus-url', 'needs --history-backend prometheus');
  }
  return null;
}

export function resolvePrometheusSettings(values: PrometheusValues, ctx: LoadContext): PrometheusSettings {
  const { fail } = ctx;
  if (values.url === undefined || values.url.trim() === '') {
    fail('prometheus-url', 'is required with --history-backend prometheus (e.g. http://prometheus:9090)');
  }
  const url = parseUrl(values.url!.trim(), fail);
  const read = (name: string, path: string | undefined): string | null => {
    if (path === undefined) {
      return null;
    }
    try {
      return ctx.readFile(path);
    } catch (err) {
      return fail(name, `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  };
  const token = read('prometheus-bearer-token-file', values.bearerTokenFile)?.trim() ?? null;
  if (token !== null && (token === '' || /\s/.test(token))) {
    fail('prometheus-bearer-token-file', 'must hold a single token without spaces or line breaks');
  }
  const basic = read('prometheus-basic-auth-file', values.basicAuthFile)?.trim() ?? null;
  let basicAuth: PrometheusSettings['basicAuth'] = null;
  if (basic !== null) {
    const colon = basic.indexOf(':');
    if (colon <= 0 || basic.includes('\n')) {
      fail('prometheus-basic-auth-file', 'must hold one line USER:PASSWORD');
    }
    basicAuth = { username: basic.slice(0, colon), password: basic.slice(colon + 1) };
  }
  if (token !== null && basicAuth !== null) {
    fail('prometheus-basic-auth-file', 'cannot be combined with --prometheus-bearer-token-file; give one of them');
  }
  const ca = read('prometheus-ca-file', values.caFile);
  return {
    url,
    bearerToken: token,
    basicAuth,
    ca: ca === null ? null : Buffer.from(ca),
    headers: values.headers,
    timeoutMs: values.timeoutMs,
    scrapeIntervalMs: values.scrapeIntervalMs,
    maxSeries: values.maxSeries,
    maxResponseBytes: values.maxResponseBytes,
    maxConcurrency: values.maxConcurrency,
  };
}

function parseUrl(text: string, fail: LoadContext['fail']): string {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return fail('prometheus-url', `"${text}" is not a URL (e.g. http://prometheus:9090)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    fail('prometheus-url', `"${text}" must be an http:// or https:// URL`);
  }
  if (parsed.username || parsed.password) {
    fail('prometheus-url', 'must not carry credentials: put them in --prometheus-basic-auth-file');
  }
  if (parsed.search || parsed.hash) {
    fail('prometheus-url', `"${text}" must be a base URL without a query or fragment`);
  }
  return parsed.toString().replace(/\/+$/, '');
}
