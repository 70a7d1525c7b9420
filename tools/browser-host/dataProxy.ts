/**
 * What Grafana's server does for a frontend datasource's `routes` (its data proxy), enough to run the built plugin
 * against a real exporter without Grafana: `/api/datasources/proxy/uid/<uid>/<route path>/<rest>` goes to the
 * route's URL plus `<rest>`, with the route's headers. `{{ .JsonData.x }}` and `{{ .SecureJsonData.x }}` are filled
 * in as Go's text/template does (a missing jsonData key prints "<no value>", a missing secure key nothing), header
 * values are trimmed as Go's HTTP client sends them, an unreachable target is a 502 with an empty body and a slow
 * one a 504, as Grafana answers.
 */
import type { IncomingMessage, ServerResponse } from 'http';

export interface ProxyRoute {
  path: string;
  method?: string;
  url?: string;
  headers?: Array<{ name: string; content: string }>;
}

export interface ProxiedDatasource {
  uid: string;
  routes: ProxyRoute[];
  jsonData: Record<string, unknown>;
  secureJsonData: Record<string, string>;
  /** Seconds; Grafana reads jsonData.timeout, 30 by default. */
  timeoutSeconds?: number;
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** Go text/template for the two fields routes use; anything else in braces is left as written. */
export function interpolateRouteTemplate(
  template: string,
  jsonData: Record<string, unknown>,
  secureJsonData: Record<string, string>
): string {
  return template.replace(/\{\{\s*\.(JsonData|SecureJsonData)\.(\w+)\s*\}\}/g, (_match, scope: string, key: string) => {
    if (scope === 'SecureJsonData') {
      return secureJsonData[key] ?? '';
    }
    const value = jsonData[key];
    return value === undefined || value === null ? '<no value>' : String(value);
  });
}

/** util.JoinURLFragments: one slash between the route URL's path and the rest. */
function joinUrl(base: string, rest: string): string {
  if (rest === '') {
    return base;
  }
  return `${base.replace(/\/+$/, '')}/${rest.replace(/^\/+/, '')}`;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * A request handler for the data proxy paths of the given datasources; returns false for any other path so the
 * caller can serve it.
 */
export function dataProxyHandler(datasources: ProxiedDatasource[]) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = new URL(req.url ?? '/', 'http://grafana');
    const match = /^\/api\/datasources\/proxy\/uid\/([^/]+)\/(.*)$/.exec(url.pathname);
    if (!match) {
      return false;
    }
    const ds = datasources.find((d) => d.uid === match[1]);
    if (!ds) {
      res
        .writeHead(404, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ message: 'Data source not found' }));
      return true;
    }
    const proxyPath = match[2];
    const method = req.method ?? 'GET';
    const route = ds.routes.find(
      (r) =>
        proxyPath.startsWith(r.path) &&
        (!r.method || r.method === '*' || r.method.split(',').some((m) => m.trim().toUpperCase() === method))
    );
    if (!route?.url) {
      // Grafana would fall back to the datasource URL; this plugin has none.
      res.writeHead(502).end();
      return true;
    }
    const target = joinUrl(
      interpolateRouteTemplate(route.url, ds.jsonData, ds.secureJsonData),
      proxyPath.slice(route.path.length)
    );
    const headers: Record<string, string> = {};
    const contentType = req.headers['content-type'];
    if (contentType) {
      headers['content-type'] = contentType;
    }
    headers.accept = req.headers.accept ?? 'application/json';
    for (const header of route.headers ?? []) {
      headers[header.name.toLowerCase()] = interpolateRouteTemplate(
        header.content,
        ds.jsonData,
        ds.secureJsonData
      ).trim();
    }

    void (async () => {
      const body = method === 'GET' || method === 'HEAD' ? undefined : new Uint8Array(await readBody(req));
      const timeoutMs = (ds.timeoutSeconds ?? 30) * 1000;
      let upstream: Response;
      try {
        upstream = await fetch(`${target}${url.search}`, {
          method,
          headers,
          body,
          signal: AbortSignal.timeout(timeoutMs),
          redirect: 'manual',
        });
      } catch (error) {
        const timedOut = (error as Error).name === 'TimeoutError';
        res.writeHead(timedOut ? 504 : 502).end();
        return;
      }
      const payload = Buffer.from(await upstream.arrayBuffer());
      const responseHeaders: Record<string, string> = {};
      const type = upstream.headers.get('content-type');
      if (type) {
        responseHeaders['content-type'] = type;
      }
      res.writeHead(upstream.status, responseHeaders).end(payload);
    })().catch(() => {
      if (!res.headersSent) {
        res.writeHead(502).end();
      }
    });
    return true;
  };
}
