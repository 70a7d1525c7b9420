/** Parsing of the human units the configuration accepts: durations ("30s", "1m30s", "500ms") and sizes ("8MiB"). */

const DURATION_UNITS_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;

/** "1m30s" → 90000. A bare number is seconds. Returns null when the text is not a duration. */
export function parseDurationMs(text: string): number | null {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) {
    return Math.round(Number(trimmed) * 1000);
  }
  let total = 0;
  DURATION_PART.lastIndex = 0;
  let matched = 0;
  while (DURATION_PART.lastIndex < trimmed.length) {
    const m = DURATION_PART.exec(trimmed);
    if (!m) {
      return null;
    }
    total += Number(m[1]) * DURATION_UNITS_MS[m[2]];
    matched++;
  }
  return matched > 0 ? Math.round(total) : null;
}

export function formatDurationMs(ms: number): string {
  if (ms % 3_600_000 === 0) {
    return `${ms / 3_600_000}h`;
  }
  if (ms % 60_000 === 0) {
    return `${ms / 60_000}m`;
  }
  if (ms % 1000 === 0) {
    return `${ms / 1000}s`;
  }
  return `${ms}ms`;
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1000,
  kb: 1000,
  kib: 1024,
  m: 1_000_000,
  mb: 1_000_000,
  mib: 1024 ** 2,
  g: 1_000_000_000,
  gb: 1_000_000_000,
  gib: 1024 ** 3,
};

/** "8MiB" → 8388608, "500kB" → 500000, "1024" → 1024. Returns null when the text is not a size. */
export function parseBytes(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (!m) {
    return null;
  }
  const unit = SIZE_UNITS[m[2].toLowerCase()];
  return unit === undefined ? null : Math.round(Number(m[1]) * unit);
}
