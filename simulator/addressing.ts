/**
 * Node and pod addresses: node i has the internal IP 172.16.0.(i + 10) (carrying into the higher bytes) and the /22
 * pod range 10.(64 + i / 64).((i % 64) * 4).0; the health endpoint has offset 2 of that range, and pods take its
 * addresses from offset 3 on, round robin, skipping those in use.
 */
import type { SimNode } from './cluster';

export const POD_IP_OFFSET_FIRST = 3;
const POD_IP_OFFSET_LAST = 1021;
/** The health endpoint's offset in the node's pod range. */
export const HEALTH_IP_OFFSET = 2;

export function nodeInternalIP(index: number): string {
  const host = index + 10;
  return `172.${16 + (host >> 16)}.${(host >> 8) & 255}.${host & 255}`;
}

function podNetworkPrefix(index: number): string {
  return `10.${64 + (index >> 6)}`;
}

export function podCIDR(index: number): string {
  return `${podNetworkPrefix(index)}.${(index & 63) << 2}.0/22`;
}

/** Address `offset` (0..1023) of a node's /22 pod range. */
export function ipAt(index: number, offset: number): string {
  return `${podNetworkPrefix(index)}.${((index & 63) << 2) + (offset >> 8)}.${offset & 255}`;
}

export function ipOffset(ip: string): number {
  const parts = ip.split('.').map(Number);
  return ((parts[2] & 3) << 8) + parts[3];
}

/** The next free address of the node's pod range. */
export function allocatePodIp(node: SimNode): string {
  const span = POD_IP_OFFSET_LAST - POD_IP_OFFSET_FIRST + 1;
  for (let i = 0; i < span; i++) {
    const offset = node.nextIpOffset;
    node.nextIpOffset = offset >= POD_IP_OFFSET_LAST ? POD_IP_OFFSET_FIRST : offset + 1;
    if (!node.usedIpOffsets.has(offset)) {
      node.usedIpOffsets.add(offset);
      return ipAt(node.index, offset);
    }
  }
  throw new Error(`node ${node.name} ran out of pod IPs`);
}
