/**
 * Assembles agent pages: families in name order as client_golang writes them, the exporter-relevant ones rendered
 * from the node's state, the rest taken from pre-rendered filler. The filler is rendered once per page variant (a
 * few variants shared by all nodes keep memory flat at thousands of nodes while pages still differ between nodes).
 */
import { compareStrings } from '../values';
import type { SimNode, SimulatedCluster } from '../cluster';
import { hashSeed, Prng } from '../prng';
import { agentDynamicFamilies, type AgentRenderContext, type DynamicFamily } from './agent-dynamic';
import { agentFillerFamilies, renderFiller } from './agent-filler';

export const DEFAULT_PAGE_KB = 300;
export const MIN_PAGE_KB = 0;
export const MAX_PAGE_KB = 8192;
const MAX_VARIANTS = 16;

/** A rendered page: chunks to write in order (static chunks are shared between nodes and never copied). */
export interface RenderedPage {
  chunks: Buffer[];
  length: number;
}

type Run = { kind: 'static'; index: number; names: string[] } | { kind: 'dynamic'; families: DynamicFamily[] };

export class AgentPageRenderer {
  private readonly runs: Run[] = [];
  /** variant → static run index → bytes. */
  private readonly variants: Buffer[][] = [];
  private readonly ctx: AgentRenderContext;

  constructor(
    private readonly cluster: SimulatedCluster,
    readonly pageKB: number = DEFAULT_PAGE_KB
  ) {
    if (!Number.isFinite(pageKB) || pageKB < MIN_PAGE_KB || pageKB > MAX_PAGE_KB) {
      throw new RangeError(`pageKB must be from ${MIN_PAGE_KB} to ${MAX_PAGE_KB}, got ${pageKB}`);
    }
    const { version, naming } = cluster;
    this.ctx = { naming, minor: version.minor, clusterLocalIdentities: cluster.clusterLocalIdentities() };
    const dynamic = agentDynamicFamilies(naming, version.minor);
    const filler = agentFillerFamilies({
      minor: version.minor,
      naming,
      versionFull: version.full,
      nodes: cluster.nodes.length,
      nowSeconds: cluster.nowSeconds,
    });
    const dynamicByName = new Map(dynamic.map((f) => [f.name, f]));
    for (const f of filler) {
      if (dynamicByName.has(f.name)) {
        throw new Error(`family ${f.name} is both dynamic and filler`);
      }
    }
    const names = [...dynamicByName.keys(), ...filler.map((f) => f.name)].sort(compareStrings);
    let staticRuns = 0;
    for (const name of names) {
      const last = this.runs[this.runs.length - 1];
      const dyn = dynamicByName.get(name);
      if (dyn) {
        if (last?.kind === 'dynamic') {
          last.families.push(dyn);
        } else {
          this.runs.push({ kind: 'dynamic', families: [dyn] });
        }
      } else if (last?.kind === 'static') {
        last.names.push(name);
      } else {
        this.runs.push({ kind: 'static', index: staticRuns++, names: [name] });
      }
    }
    // The filler fills what the node's own families leave of the requested size (measured on the first node, plus
    // room for series that appear later: failure histograms, new drop reasons).
    const first = cluster.nodes.find((n) => n.agent !== null);
    const dynamicBytes = first ? this.renderDynamic(first).reduce((sum, b) => sum + b.length, 0) + 3000 : 0;
    const target = Math.max(0, pageKB * 1024 - dynamicBytes);
    const variantCount = Math.min(MAX_VARIANTS, Math.max(1, cluster.nodes.length));
    for (let v = 0; v < variantCount; v++) {
      const texts = renderFiller(new Prng(hashSeed(cluster.seed, 'filler', v)), filler, target, cluster.nowSeconds);
      const buffers: Buffer[] = [];
      for (const run of this.runs) {
        if (run.kind === 'static') {
          buffers[run.index] = Buffer.from(run.names.map((n) => texts.get(n) ?? '').join(''));
        }
      }
      this.variants.push(buffers);
    }
  }

  /** The node's page as it is now; throws when the node runs no agent. */
  render(node: SimNode): RenderedPage {
    if (!node.agent) {
      throw new Error(`node ${node.name} has no Cilium agent`);
    }
    const variant = this.variants[node.index % this.variants.length];
    const dynamic = this.renderDynamic(node);
    const chunks: Buffer[] = [];
    let d = 0;
    for (const run of this.runs) {
      const chunk = run.kind === 'static' ? variant[run.index] : dynamic[d++];
      if (chunk.length > 0) {
        chunks.push(chunk);
      }
    }
    return { chunks, length: chunks.reduce((sum, c) => sum + c.length, 0) };
  }

  private renderDynamic(node: SimNode): Buffer[] {
    const agent = node.agent!;
    const out: Buffer[] = [];
    for (const run of this.runs) {
      if (run.kind === 'dynamic') {
        out.push(Buffer.from(run.families.map((f) => f.render(agent, this.ctx)).join('')));
      }
    }
    return out;
  }
}
