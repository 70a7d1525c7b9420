/** Reads a Prometheus text page into a map "name{sorted labels}" → value, independently of the exporter's parser. */
export function readExposition(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) {
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) {
      throw new Error(`unreadable exposition line: ${line}`);
    }
    out.set(seriesId(m[1], parseLabels(m[3] ?? '')), Number(m[4]));
  }
  return out;
}

export function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    labels[m[1]] = m[2].replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
  }
  return labels;
}

export function seriesId(name: string, labels: Record<string, string>): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return `${name}{${parts.join(',')}}`;
}

/** Every sample of `name` on a raw page, by a plain line scan (no TYPE handling, no exporter code). */
export function rawSamples(page: string, name: string): Array<{ labels: Record<string, string>; value: number }> {
  const out: Array<{ labels: Record<string, string>; value: number }> = [];
  for (const line of page.split('\n')) {
    if (line.startsWith(name + '{') || line.startsWith(name + ' ')) {
      const m = /^[^{\s]+(\{(.*)\})?\s+(\S+)/.exec(line)!;
      out.push({ labels: parseLabels(m[2] ?? ''), value: Number(m[3]) });
    }
  }
  return out;
}
