/**
 * Rendered pages, cached until the cluster changes (the next tick, a restart...), and their gzip form, compressed
 * at most once per page off the event loop. Memory stays flat: one entry per node, and the shared filler chunks are
 * referenced, not copied.
 */
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type { SimulatedCluster } from './cluster';
import { AgentPageRenderer, type RenderedPage } from './render/agent-page';
import { renderOperatorPage } from './render/operator-page';
import { renderHubblePage } from './hubble/page';

const gzip = promisify(gzipCallback);

/** Level 1 compresses a 300 KB page in about 1 ms to under a tenth of its size; higher levels buy little. */
const GZIP_LEVEL = 1;

interface Entry {
  generation: number;
  page: RenderedPage;
  gzipped: Promise<Buffer> | null;
}

export const OPERATOR_KEY = '\u0000operator';
const HUBBLE_PREFIX = '\u0000hubble:';

/** The page-store key of a node's Hubble metrics page. */
export function hubbleKey(node: string): string {
  return HUBBLE_PREFIX + node;
}

export class PageStore {
  private readonly entries = new Map<string, Entry>();
  readonly renderer: AgentPageRenderer;
  /** Pages rendered so far (for tests and benchmarks). */
  renders = 0;

  constructor(
    private readonly cluster: SimulatedCluster,
    pageKB?: number
  ) {
    this.renderer = new AgentPageRenderer(cluster, pageKB);
  }

  /** The node's agent page or the operator page (OPERATOR_KEY) as it is now. */
  page(key: string): RenderedPage {
    return this.entry(key).page;
  }

  gzipped(key: string): Promise<Buffer> {
    const entry = this.entry(key);
    if (!entry.gzipped) {
      entry.gzipped = gzip(Buffer.concat(entry.page.chunks, entry.page.length), { level: GZIP_LEVEL });
      // A failure is reported to the waiting request; the next request tries again.
      entry.gzipped.catch(() => {
        if (this.entries.get(key) === entry) {
          entry.gzipped = null;
        }
      });
    }
    return entry.gzipped;
  }

  private entry(key: string): Entry {
    const generation = this.cluster.generation;
    const cached = this.entries.get(key);
    if (cached && cached.generation === generation) {
      return cached;
    }
    let page: RenderedPage;
    if (key === OPERATOR_KEY) {
      const body = renderOperatorPage(this.cluster);
      page = { chunks: [body], length: body.length };
    } else if (key.startsWith(HUBBLE_PREFIX)) {
      const node = this.cluster.requireNode(key.slice(HUBBLE_PREFIX.length));
      const hubble = this.cluster.hubble;
      if (!hubble) {
        throw new Error('Hubble is off in this simulated cluster');
      }
      const body = Buffer.from(renderHubblePage(hubble, hubble.requireNode(node.name), node.agent));
      page = { chunks: [body], length: body.length };
    } else {
      page = this.renderer.render(this.cluster.requireNode(key));
    }
    this.renders++;
    const entry: Entry = { generation, page, gzipped: null };
    this.entries.set(key, entry);
    return entry;
  }
}
