/** Settings with a shape of their own (targets, HOST:PORT, N/M, token and other files), read from their raw source. */
import { ConfigError, type Source } from './setting';

/** A scrape target given by flag, environment or file; checked against the schema in core.ts. */
export interface StaticTargetConfig {
  node: string;
  url: string;
}

export function splitTarget(text: string, label: string, nodeRequired: boolean): StaticTargetConfig {
  const eq = text.indexOf('=');
  const schemeAt = text.indexOf('://');
  if (eq > 0 && (schemeAt < 0 || eq < schemeAt)) {
    return { node: text.slice(0, eq).trim(), url: text.slice(eq + 1).trim() };
  }
  if (nodeRequired) {
    throw new ConfigError(`${label}: "${text}" must be NODE=URL, e.g. node-1=http://10.0.0.5:9962/metrics`);
  }
  return { node: '', url: text.trim() };
}

export function listOf(source: Source | undefined): string[] | undefined {
  return source === undefined ? undefined : (Array.isArray(source.value) ? source.value : [source.value]).map(String);
}

export function toAgentList(source: Source | undefined): StaticTargetConfig[] {
  if (!source) {
    return [];
  }
  const items = Array.isArray(source.value) ? source.value : [source.value];
  return items.map((item) => {
    if (item && typeof item === 'object' && !Array.isArray(item)) {
      const { node, url } = item as Record<string, unknown>;
      return { node: String(node ?? ''), url: String(url ?? '') };
    }
    return splitTarget(String(item), source.label, true);
  });
}

export function toOperator(source: Source | undefined): StaticTargetConfig | null {
  if (!source) {
    return null;
  }
  if (typeof source.value === 'object' && !Array.isArray(source.value)) {
    const { node, url } = source.value as Record<string, unknown>;
    return { node: String(node ?? ''), url: String(url ?? '') };
  }
  return splitTarget(String(source.value), source.label, false);
}

export function toListen(source: Source): { host: string; port: number } {
  const text = String(source.value).trim();
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text);
  if (!m) {
    throw new ConfigError(`${source.label}: "${text}" must be HOST:PORT, e.g. 0.0.0.0:9967 or [::]:9967`);
  }
  const host = m[1] ?? (m[2] === '' ? '0.0.0.0' : m[2]);
  return { host, port: Number(m[3]) };
}

export function readOptionalFile(
  option: string,
  source: Source | undefined,
  readFile: (p: string) => string
): Buffer | null {
  if (!source) {
    return null;
  }
  const path = String(source.value);
  try {
    return Buffer.from(readFile(path));
  } catch (err) {
    throw new ConfigError(
      `--${option}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`
    );
  }
}

export function toShard(source: Source | undefined): { index: number; count: number } | null {
  if (!source) {
    return null;
  }
  const m = /^(\d+)\/(\d+)$/.exec(String(source.value).trim());
  if (!m) {
    throw new ConfigError(
      `${source.label}: "${String(source.value)}" must be N/M, e.g. 0/3 for the first of three replicas`
    );
  }
  return { index: Number(m[1]), count: Number(m[2]) };
}

export function readToken(path: string, readFile: (p: string) => string): string {
  let token: string;
  try {
    token = readFile(path).trim();
  } catch (err) {
    throw new ConfigError(
      `--token-file: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`
    );
  }
  if (!token) {
    throw new ConfigError(`--token-file: ${path} is empty`);
  }
  if (/\s/.test(token)) {
    throw new ConfigError(`--token-file: ${path} must hold a single token without spaces or line breaks`);
  }
  return token;
}
