/** Faults a simulated agent or operator endpoint can be put into, and their validation. */

export const FAULT_KINDS = [
  'none',
  /** Connection reset as soon as the request arrives. */
  'down',
  'http500',
  /** Answers after delayMs. */
  'slow',
  /** Accepts the request and never answers (until the simulator closes). */
  'hang',
  /** A syntactically broken line in the middle of the page. */
  'malformed',
  /** Content-Length of the whole page, about half of it sent (cut mid-line), then the connection closed. */
  'truncated',
  /** A valid page padded to sizeMB. */
  'oversized',
  /** Content-Encoding gzip with a corrupt body. */
  'gzipCorrupt',
  /** Alternates per request: reset, answer, reset, answer... */
  'flapping',
  /** Restarts the agent once (counters reset, new process start time), then behaves normally. */
  'restart',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultSpec {
  kind: FaultKind;
  /** slow: delay before answering (default 2000 ms). */
  delayMs?: number;
  /** oversized: page size in MiB (default 20). */
  sizeMB?: number;
}

/** A fault as the API accepts it: a kind, or a kind with its parameters. */
export type Fault = FaultKind | FaultSpec;

export const DEFAULT_SLOW_DELAY_MS = 2000;
export const DEFAULT_OVERSIZED_MB = 20;
export const MAX_SLOW_DELAY_MS = 600_000;
export const MAX_OVERSIZED_MB = 1024;

export class FaultError extends Error {
  constructor(
    message: string,
    readonly field: string
  ) {
    super(message);
  }
}

/** Validates a fault (from code or JSON) into a spec with defaults filled in. */
export function normaliseFault(
  input: unknown,
  extra: { delayMs?: unknown; sizeMB?: unknown } = {}
): Required<FaultSpec> {
  const spec = typeof input === 'string' ? { kind: input, ...extra } : input;
  if (typeof spec !== 'object' || spec === null) {
    throw new FaultError(`fault must be one of ${FAULT_KINDS.join(', ')}`, 'fault');
  }
  const { kind, delayMs, sizeMB } = spec as Record<string, unknown>;
  if (typeof kind !== 'string' || !(FAULT_KINDS as readonly string[]).includes(kind)) {
    throw new FaultError(`fault must be one of ${FAULT_KINDS.join(', ')}, got ${JSON.stringify(kind)}`, 'fault');
  }
  const delay = delayMs ?? DEFAULT_SLOW_DELAY_MS;
  if (typeof delay !== 'number' || !Number.isFinite(delay) || delay < 0 || delay > MAX_SLOW_DELAY_MS) {
    throw new FaultError(`delayMs must be a number from 0 to ${MAX_SLOW_DELAY_MS}`, 'delayMs');
  }
  const size = sizeMB ?? DEFAULT_OVERSIZED_MB;
  if (typeof size !== 'number' || !Number.isFinite(size) || size <= 0 || size > MAX_OVERSIZED_MB) {
    throw new FaultError(`sizeMB must be a number above 0 and at most ${MAX_OVERSIZED_MB}`, 'sizeMB');
  }
  return { kind: kind as FaultKind, delayMs: delay, sizeMB: size };
}
