/** How the Kubernetes watchers pace themselves; defaults for production, shortened by tests. */
export interface WatchTiming {
  /** First retry delay after an error; doubles up to backoffMaxMs (with jitter). */
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** Asked of the server for each watch (plus up to 25% jitter). */
  watchTimeoutSeconds: number;
  /** A watch still open this long after its timeout, or not answering, is abandoned (half-open connections). */
  watchGraceMs: number;
  /** A whole (paged) list must finish within this. */
  listTimeoutMs: number;
  /** Retry interval while a resource is absent (404). */
  absentRetryMs: number;
}

export const DEFAULT_WATCH_TIMING: WatchTiming = {
  backoffInitialMs: 500,
  backoffMaxMs: 30_000,
  watchTimeoutSeconds: 300,
  watchGraceMs: 30_000,
  listTimeoutMs: 120_000,
  absentRetryMs: 60_000,
};
