/** Faults of the simulated Kubernetes API, and their validation (from code or from `POST /control/kube`). */
import { FaultError } from '../faults';

export const KUBE_FAULT_KINDS = [
  'none',
  /** Every API request answers 503 (or, with `reset`, has its connection reset); open watches are cut. */
  'down',
  /** Cuts every open watch now; with `afterEvents`, also every later watch once it has sent that many events. */
  'watchDrop',
  /**
   * Compacts the event logs now: open watches get an ERROR 410 Expired event and end, later watches from an older
   * resourceVersion too; with `http410`, that many next LIST or WATCH requests are answered HTTP 410.
   */
  'gone',
  /** Every API request is answered after `delayMs` (watches start after it). */
  'slow',
] as const;

export type KubeFaultKind = (typeof KUBE_FAULT_KINDS)[number];

export interface KubeFaultSpec {
  kind: KubeFaultKind;
  /** slow: delay in milliseconds (default 2000). */
  delayMs?: number;
  /** down: reset connections instead of answering 503. */
  reset?: boolean;
  /** watchDrop: end each watch after this many events, until the fault is cleared. */
  afterEvents?: number;
  /** watchDrop: destroy the connections (an error for the client) instead of ending the responses cleanly. */
  abrupt?: boolean;
  /** gone: how many next LIST or WATCH requests answer HTTP 410 (default 0). */
  http410?: number;
}

export type KubeFault = KubeFaultKind | KubeFaultSpec;

export const DEFAULT_KUBE_SLOW_MS = 2000;
export const MAX_KUBE_SLOW_MS = 600_000;
const MAX_COUNT = 1_000_000;

/** Validates a fault into a spec with every field filled in. */
export function normaliseKubeFault(input: unknown, extra: Record<string, unknown> = {}): Required<KubeFaultSpec> {
  const spec = typeof input === 'string' ? { ...extra, kind: input } : input;
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new FaultError(`fault must be one of ${KUBE_FAULT_KINDS.join(', ')}`, 'fault');
  }
  const raw = spec as Record<string, unknown>;
  if (typeof raw.kind !== 'string' || !(KUBE_FAULT_KINDS as readonly string[]).includes(raw.kind)) {
    throw new FaultError(
      `fault must be one of ${KUBE_FAULT_KINDS.join(', ')}, got ${JSON.stringify(raw.kind)}`,
      'fault'
    );
  }
  return {
    kind: raw.kind as KubeFaultKind,
    delayMs: integerField(raw, 'delayMs', DEFAULT_KUBE_SLOW_MS, 0, MAX_KUBE_SLOW_MS),
    reset: booleanField(raw, 'reset'),
    afterEvents: integerField(raw, 'afterEvents', 0, 0, MAX_COUNT),
    abrupt: booleanField(raw, 'abrupt'),
    http410: integerField(raw, 'http410', 0, 0, MAX_COUNT),
  };
}

function integerField(raw: Record<string, unknown>, field: string, fallback: number, min: number, max: number): number {
  const value = raw[field] ?? fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new FaultError(`${field} must be an integer from ${min} to ${max}`, field);
  }
  return value;
}

function booleanField(raw: Record<string, unknown>, field: string): boolean {
  const value = raw[field] ?? false;
  if (typeof value !== 'boolean') {
    throw new FaultError(`${field} must be true or false`, field);
  }
  return value;
}
