/**
 * What a setting is. One declaration gives its name (the flag without dashes, the YAML key, and in upper case with
 * the CILIUMSCOPE_ prefix the environment variable), how its text is read, the zod schema its value must pass (whose
 * output is the value's type in the configuration), its default and its help. Its key in a group is where it goes in
 * the configuration. Each area declares its settings as a group; `options.ts` puts the groups together into the
 * exporter's table, from which the loader, `--help` and the `ExporterConfig` type all come.
 *
 * This module imports nothing of the exporter, so an area's settings module can use it without a cycle.
 */
import type { z } from 'zod';

export type SettingKind = 'string' | 'duration' | 'bytes' | 'integer' | 'number' | 'boolean' | 'list';

export type RawValue = string | string[] | number | boolean | unknown[] | Record<string, unknown>;

/** A value as given and where it came from: `--listen`, `CILIUMSCOPE_LISTEN`, `/etc/cs.yaml: listen`, a default. */
export interface Source {
  label: string;
  value: RawValue;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface LoadContext {
  env: NodeJS.ProcessEnv;
  /** Reads a file (token, certificates); injectable for tests. */
  readFile: (path: string) => string;
  /** Throws the loader's error for a setting: `--NAME: message`. */
  fail: (name: string, message: string) => never;
  /** The value of a setting loaded before this one (the table's order), by name. */
  value: (name: string) => unknown;
}

export interface ReadContext extends LoadContext {
  /** The name of the setting being read. */
  name: string;
}

export interface Setting<S extends z.ZodType = z.ZodType> {
  /** The flag without dashes, the YAML key and (upper case, CILIUMSCOPE_ prefix) the environment variable. */
  readonly name: string;
  /** How a text is read unless `read` is given; also whether the flag repeats (list) or is a switch (boolean). */
  readonly kind: SettingKind;
  /** Shown in --help. */
  readonly help: string;
  /** Shown in --help as the value placeholder; the kind in upper case when absent. */
  readonly placeholder?: string;
  /** The default as text, read like user input; absent means unset (or `fallback`). */
  readonly defaultText?: string;
  /** Checks the value read; its output is the value in the configuration. */
  readonly schema: S;
  /** Reads a value of its own shape from its source (undefined when unset) instead of by kind. */
  readonly read?: (source: Source | undefined, ctx: ReadContext) => unknown;
  /** The value when the setting is unset and has no default, from settings loaded before it. */
  readonly fallback?: (ctx: ReadContext) => unknown;
}

/** The setting to name and what is wrong, for a rule across settings. */
export interface Complaint {
  name: string;
  message: string;
}

export interface Fields {
  readonly [key: string]: Setting | Group<Fields> | Area<Fields, unknown>;
}

/** Settings that go together into one object of the configuration. */
export interface Group<F extends Fields> {
  readonly fields: F;
  /** A rule across the group's settings, checked once they are loaded. */
  check?(values: Loaded<F>): Complaint | undefined;
}

/** A group whose values are turned into the area's configuration (e.g. null when the area is not configured). */
export interface Area<F extends Fields, R> extends Group<F> {
  resolve(values: Loaded<F>, ctx: LoadContext): R;
}

/** Marks an entry that a configuration built in code may leave out; the code that reads it applies the default. */
interface Optional {
  readonly optional: true;
}

export function setting<S extends z.ZodType>(declaration: Setting<S>): Setting<S> {
  return declaration;
}

export function group<F extends Fields>(fields: F, check?: (values: Loaded<F>) => Complaint | undefined): Group<F> {
  return check ? { fields, check } : { fields };
}

export function area<F extends Fields, R>(fields: F, resolve: (values: Loaded<F>, ctx: LoadContext) => R): Area<F, R> {
  return { fields, resolve };
}

export function optional<E extends Setting | Group<Fields>>(entry: E): E & Optional {
  return { ...entry, optional: true };
}

export function isSetting(entry: Fields[string]): entry is Setting {
  return 'schema' in entry;
}

/** CILIUMSCOPE_SCRAPE_INTERVAL for scrape-interval. */
export function envName(s: Pick<Setting, 'name'>): string {
  return 'CILIUMSCOPE_' + s.name.toUpperCase().replace(/-/g, '_');
}

/** The settings of a group in the table's order, depth first: the order of --help and of loading. */
export function settingsOf(fields: Fields): Setting[] {
  return Object.values(fields).flatMap((entry) => (isSetting(entry) ? [entry] : settingsOf(entry.fields)));
}

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type OptionalKeys<F> = { [K in keyof F]: F[K] extends Optional ? K : never }[keyof F];

/** The values of a group as the loader makes them: every key present. */
export type Loaded<F extends Fields> = { -readonly [K in keyof F]: ValueOf<F[K], 'loaded'> };

/** The values of a group as code may build them: the entries marked optional may be left out. */
export type InCode<F extends Fields> = Simplify<
  { -readonly [K in keyof F as K extends OptionalKeys<F> ? never : K]: ValueOf<F[K], 'in-code'> } & {
    -readonly [K in keyof F as K extends OptionalKeys<F> ? K : never]?: ValueOf<F[K], 'in-code'>;
  }
>;

/** An area's value is what its resolver returns, a group's its values, a setting's its schema's output. */
type ValueOf<E, Mode extends 'loaded' | 'in-code'> =
  E extends Area<Fields, infer R>
    ? R
    : E extends Group<infer G>
      ? Mode extends 'loaded'
        ? Loaded<G>
        : InCode<G>
      : E extends Setting<infer S>
        ? z.output<S>
        : never;
