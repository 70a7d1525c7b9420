/** The exporter's validated configuration, loaded from flags, environment and a YAML file through the table. */
import { readFileSync } from 'node:fs';
import { CONFIG_FILE, type ExporterConfig, SETTINGS } from './options';
import {
  type Area,
  ConfigError,
  type Fields,
  type Group,
  type LoadContext,
  type Loaded,
  type Setting,
  type Source,
  isSetting,
} from './setting';
import { convert, readEnv, readFlags, readYamlFile } from './sources';

export { ConfigError };
export type { ExporterConfig };

export interface LoadInput {
  argv: string[];
  env: NodeJS.ProcessEnv;
  /** Reads files (the YAML config and the token file); injectable for tests. */
  readFile?: (path: string) => string;
}

export type LoadResult = { kind: 'config'; config: ExporterConfig } | { kind: 'help' } | { kind: 'version' };

/** Flags over environment over YAML file over defaults. Throws ConfigError with a message naming the setting. */
export function loadConfig(input: LoadInput): LoadResult {
  const readFile = input.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const flags = readFlags(input.argv);
  if (flags.help) {
    return { kind: 'help' };
  }
  if (flags.version) {
    return { kind: 'version' };
  }
  const fromEnv = readEnv(input.env);
  const configPath = (flags.values[CONFIG_FILE.name] ?? fromEnv[CONFIG_FILE.name])?.value as string | undefined;
  const fromFile = configPath ? readYamlFile(configPath, readFile) : {};
  const given = (name: string): Source | undefined => flags.values[name] ?? fromEnv[name] ?? fromFile[name];
  const config = loader(given, input.env, readFile).group(SETTINGS);
  return { kind: 'config', config: config as ExporterConfig };
}

/** The values of settings when none is given: their defaults, checked (for tests of an area's resolver). */
export function defaultsOf<F extends Fields>(fields: F): Loaded<F> {
  const noFiles = (path: string): string => {
    throw new Error(`defaults read no files (${path})`);
  };
  return loader(() => undefined, {}, noFiles).fields(fields) as Loaded<F>;
}

type Given = (name: string) => Source | undefined;

/**
 * Loads settings in the table's order: each from where it is given (or its default, or its fallback), read as its
 * kind or by its own reader and checked by its schema; then each group's rule, and each area's resolver.
 */
function loader(given: Given, env: NodeJS.ProcessEnv, readFile: (path: string) => string) {
  const loaded = new Map<string, unknown>();
  const ctx: LoadContext = {
    env,
    readFile,
    fail: (name, message) => {
      throw new ConfigError(`--${name}: ${message}`);
    },
    value: (name) => loaded.get(name),
  };
  const loadSetting = (s: Setting): unknown => {
    const source =
      given(s.name) ??
      (s.defaultText !== undefined ? { label: `default of --${s.name}`, value: s.defaultText } : undefined);
    const readCtx = { ...ctx, name: s.name };
    const read = s.read ? s.read(source, readCtx) : convert(s, source);
    const parsed = s.schema.safeParse(read === undefined && s.fallback ? s.fallback(readCtx) : read);
    if (!parsed.success) {
      ctx.fail(s.name, parsed.error.issues[0].message);
    }
    loaded.set(s.name, parsed.data);
    return parsed.data;
  };
  const loadFields = (fields: Fields): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(fields).map(([key, entry]) => [key, isSetting(entry) ? loadSetting(entry) : loadGroup(entry)])
    );
  const loadGroup = (g: Group<Fields> | Area<Fields, unknown>): unknown => {
    const values = loadFields(g.fields) as Loaded<Fields>;
    const complaint = g.check?.(values);
    if (complaint) {
      ctx.fail(complaint.name, complaint.message);
    }
    return 'resolve' in g ? g.resolve(values, ctx) : values;
  };
  return { fields: loadFields, group: loadGroup };
}
