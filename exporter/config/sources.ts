/** Where settings come from: flags, environment variables and the YAML file, each read through the table. */
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { CONFIG_FILE, OPTIONS, OPTION_BY_NAME } from './options';
import { ConfigError, type RawValue, type Setting, type Source, envName } from './setting';
import { parseBytes, parseDurationMs } from './units';
import { listOf } from './values';

export type Sources = Record<string, Source>;

export function readFlags(argv: string[]): { values: Sources; help: boolean; version: boolean } {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {
    help: { type: 'boolean' },
    version: { type: 'boolean' },
  };
  for (const o of OPTIONS) {
    options[o.name] = { type: o.kind === 'boolean' ? 'boolean' : 'string', multiple: o.kind === 'list' };
  }
  // A boolean flag also takes an explicit value, --discover=false, read like the same setting from the environment.
  const values: Sources = {};
  const rest = argv.filter((arg) => {
    const m = /^--([a-z-]+)=(.*)$/s.exec(arg);
    if (m && OPTION_BY_NAME.get(m[1])?.kind === 'boolean') {
      values[m[1]] = { label: `--${m[1]}`, value: m[2] };
      return false;
    }
    return true;
  });
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options, strict: true, allowPositionals: false });
  } catch (err) {
    throw new ConfigError(`${(err as Error).message.replace(/\. To specify a positional.*$/, '')} (see --help)`);
  }
  for (const [name, value] of Object.entries(parsed.values)) {
    if (name !== 'help' && name !== 'version' && value !== undefined) {
      values[name] = { label: `--${name}`, value: value as RawValue };
    }
  }
  return { values, help: Boolean(parsed.values.help), version: Boolean(parsed.values.version) };
}

export function readEnv(env: NodeJS.ProcessEnv): Sources {
  const values: Sources = {};
  for (const o of OPTIONS) {
    const name = envName(o);
    const value = env[name];
    if (value !== undefined && value !== '') {
      // Lists in the environment are comma-separated: CILIUMSCOPE_AGENT="n1=http://a:9962/metrics,n2=..."
      values[o.name] = { label: name, value: o.kind === 'list' ? value.split(',').map((s) => s.trim()) : value };
    }
  }
  return values;
}

export function readYamlFile(path: string, readFile: (p: string) => string): Sources {
  let text: string;
  try {
    text = readFile(path);
  } catch (err) {
    throw new ConfigError(
      `--config: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`
    );
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`--config: ${path} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) {
    return {};
  }
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ConfigError(`--config: ${path} must be a mapping of setting names to values`);
  }
  const values: Sources = {};
  for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
    if (!OPTION_BY_NAME.has(key) || key === CONFIG_FILE.name) {
      throw new ConfigError(`--config: ${path}: unknown setting "${key}" (see --help for the names)`);
    }
    values[key] = { label: `${path}: ${key}`, value: value as RawValue };
  }
  return values;
}

/** A setting's value from its source, read as its kind; undefined when unset. */
export function convert(s: Setting, source: Source | undefined): unknown {
  if (source === undefined) {
    return undefined;
  }
  const { value, label } = source;
  const text = String(value).trim();
  const fail = (what: string): never => {
    throw new ConfigError(`${label}: "${text}" is not ${what}`);
  };
  switch (s.kind) {
    case 'duration':
      return parseDurationMs(text) ?? fail('a duration (examples: 30s, 1m30s, 500ms)');
    case 'bytes':
      return parseBytes(text) ?? fail('a size (examples: 16MiB, 500kB, 1048576)');
    case 'integer':
      return /^-?\d+$/.test(text) ? Number(text) : fail('an integer');
    case 'number':
      return Number.isFinite(Number(text)) && text !== '' ? Number(text) : fail('a number');
    case 'boolean':
      if (typeof value === 'boolean') {
        return value;
      }
      return /^(true|1|yes)$/i.test(text) ? true : /^(false|0|no)$/i.test(text) ? false : fail('true or false');
    case 'list':
      return listOf(source);
    default:
      return text;
  }
}
