/**
 * Sharding across replicas: each replica scrapes the nodes whose name hashes to its shard (FNV-1a, stable across
 * versions and platforms), and only shard 0 scrapes the operator, so M replicas together export every node once.
 */
import type { ScrapeTarget } from './targets';

export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function shardOf(node: string, count: number): number {
  return fnv1a32(node) % count;
}

export function shardFilter(shard: { index: number; count: number }): (target: ScrapeTarget) => boolean {
  return (t) => (t.component === 'operator' ? shard.index === 0 : shardOf(t.node, shard.count) === shard.index);
}
