/** Writing metrics pages to HTTP responses, healthy or broken in the ways real scrape targets break. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { RenderedPage } from '../render/agent-page';

export const TEXT_FORMAT = 'text/plain; version=0.0.4; charset=utf-8';

/** Whether Accept-Encoding allows gzip (q=0 refuses it). */
export function acceptsGzip(req: IncomingMessage): boolean {
  const header = req.headers['accept-encoding'];
  if (typeof header !== 'string') {
    return false;
  }
  for (const part of header.split(',')) {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding.trim() !== 'gzip' && coding.trim() !== '*') {
      continue;
    }
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  }
  return false;
}

export function writePlain(req: IncomingMessage, res: ServerResponse, page: RenderedPage): void {
  res.writeHead(200, { 'Content-Type': TEXT_FORMAT, 'Content-Length': page.length, Vary: 'Accept-Encoding' });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  res.cork();
  for (const chunk of page.chunks) {
    res.write(chunk);
  }
  res.end();
  res.uncork();
}

export function writeGzip(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  res.writeHead(200, {
    'Content-Type': TEXT_FORMAT,
    'Content-Encoding': 'gzip',
    'Content-Length': body.length,
    Vary: 'Accept-Encoding',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

export function writeText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function writeJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  replacer?: (key: string, value: unknown) => unknown
): void {
  const text = JSON.stringify(body, replacer as never);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** The page with an unterminated label set inserted after the TYPE line of `family` (or in the middle). */
export function malformedBody(page: RenderedPage, family: string): Buffer {
  const full = Buffer.concat(page.chunks, page.length);
  const marker = Buffer.from(`# TYPE ${family} `);
  let at = full.indexOf(marker);
  at = at >= 0 ? full.indexOf(10, at) + 1 : full.indexOf(10, Math.floor(full.length / 2)) + 1;
  const broken = Buffer.from(`${family}{broken="unterminated 1\n`);
  return Buffer.concat([full.subarray(0, at), broken, full.subarray(at)]);
}

/** Sends Content-Length of the whole page, about half of it cut in the middle of a line, then closes. */
export function writeTruncated(res: ServerResponse, page: RenderedPage): void {
  const full = Buffer.concat(page.chunks, page.length);
  const lineStart = full.indexOf(10, Math.floor(full.length / 2)) + 1;
  const lineEnd = full.indexOf(10, lineStart);
  const cut =
    lineStart > 0 && lineEnd > lineStart + 1
      ? lineStart + Math.ceil((lineEnd - lineStart) / 2)
      : Math.floor(full.length / 2);
  res.writeHead(200, { 'Content-Type': TEXT_FORMAT, 'Content-Length': full.length });
  res.write(full.subarray(0, cut), () => res.socket?.destroy());
}

/** A gzip member whose deflate data is invalid (reserved block type), so every decoder fails. */
export function corruptGzipBody(page: RenderedPage): Buffer {
  const body = gzipSync(Buffer.concat(page.chunks, page.length), { level: 1 });
  const start = 10;
  const end = Math.max(start + 1, Math.min(body.length - 8, start + 64));
  body.fill(0xff, start, end);
  return body;
}

const PADDING_HEADER =
  '# HELP cilium_simulator_padding Padding of an oversized page\n# TYPE cilium_simulator_padding gauge\n';
/** Every padding line has the same length: 44 bytes. */
const padLine = (i: number): string => `cilium_simulator_padding{line="${String(i).padStart(10, '0')}"} 1\n`;
const PAD_LINE_BYTES = padLine(0).length;
const PAD_CHUNK_LINES = 1500;

/** A valid page followed by padding up to `sizeBytes`, streamed with backpressure. */
export async function writeOversized(res: ServerResponse, page: RenderedPage, sizeBytes: number): Promise<void> {
  const fixed = page.length + PADDING_HEADER.length;
  const lines = Math.max(0, Math.ceil((sizeBytes - fixed) / PAD_LINE_BYTES));
  res.writeHead(200, { 'Content-Type': TEXT_FORMAT, 'Content-Length': fixed + lines * PAD_LINE_BYTES });
  for (const chunk of page.chunks) {
    res.write(chunk);
  }
  res.write(PADDING_HEADER);
  for (let i = 0; i < lines && !res.destroyed;) {
    let text = '';
    const end = Math.min(lines, i + PAD_CHUNK_LINES);
    for (; i < end; i++) {
      text += padLine(i);
    }
    if (!res.write(text) && !res.destroyed) {
      await drainedOrClosed(res);
    }
  }
  res.end();
}

/** Resolves when the response can take more data, or when its connection closed (nothing more will be read). */
export function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
