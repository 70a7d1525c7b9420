/** Serves a host page and the built plugin over HTTP on 127.0.0.1, the plugin under Grafana's public path. */
import { createReadStream, existsSync, statSync } from 'fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'http';
import type { AddressInfo } from 'net';
import { extname, join, normalize, sep } from 'path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json',
  '.md': 'text/markdown; charset=utf-8',
};

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/**
 * `mounts` maps URL prefixes ("/", "/public/plugins/<id>/") to directories, or an exact URL path to a file; the
 * longest prefix wins.
 */
/** Answers a request itself (returning true) or leaves it to the static files (false). */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

export function startStaticServer(
  mounts: Record<string, string>,
  handlers: RequestHandler[] = []
): Promise<StaticServer> {
  const prefixes = Object.keys(mounts).sort((a, b) => b.length - a.length);
  const server: Server = createServer((req, res) => {
    if (handlers.some((handle) => handle(req, res))) {
      return;
    }
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://host').pathname);
    const prefix = prefixes.find((p) => pathname.startsWith(p));
    if (!prefix) {
      res.writeHead(404).end();
      return;
    }
    const root = mounts[prefix];
    const isFileMount = existsSync(root) && statSync(root).isFile();
    const relative = pathname.slice(prefix.length) || 'index.html';
    const file = isFileMount ? root : normalize(join(root, relative));
    const inside = isFileMount ? pathname === prefix : file.startsWith(normalize(root) + sep);
    if (!inside || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end(`not found: ${pathname}`);
      return;
    }
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Cache-Control': 'no-store',
    });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
