/**
 * Every setting of the exporter, once: the table of the areas' settings, keyed as the configuration is. The loader
 * reads flags, environment and the YAML file through it, `--help` prints it and `ExporterConfig` is its type, so
 * none of them can disagree. An area adds settings by declaring a group (or an area with a resolver) in its own
 * module and adding it here under the key it takes in the configuration.
 */
import { z } from 'zod';
import { ANOMALY_SETTINGS } from '../anomaly/settings';
import { PROMETHEUS_SETTINGS } from '../history/prometheus/settings';
import { HISTORY_SETTINGS } from '../history/settings';
import { HUBBLE_SETTINGS } from '../hubble/settings';
import { KUBE_SETTINGS } from '../kube/settings';
import { CORE_SETTINGS, checkCore } from './core';
import { type InCode, type Setting, envName, group, optional, setting, settingsOf } from './setting';

export { envName };

/** The YAML file: a setting of the loader, not of the configuration. */
export const CONFIG_FILE = setting({
  name: 'config',
  kind: 'string',
  placeholder: 'FILE',
  help: 'YAML file with any of these settings (keys as the flag names)',
  schema: z.string().optional(),
});

export const SETTINGS = group(
  {
    ...CORE_SETTINGS,
    /** Where range queries read history; retention and cap apply to the embedded one. */
    history: HISTORY_SETTINGS,
    /** The Prometheus history backend; set (only) with history.backend prometheus. */
    prometheus: PROMETHEUS_SETTINGS,
    /** The drop anomaly detector's settings; code that builds a configuration without them gets the defaults. */
    anomaly: optional(ANOMALY_SETTINGS),
    /** Kubernetes (unmanaged pods, discovery); null or absent when not configured. */
    kube: KUBE_SETTINGS,
    /** Hubble metrics and Hubble Relay (drops by workload); null or absent when not configured. */
    hubble: HUBBLE_SETTINGS,
  },
  checkCore
);

/** The exporter's configuration. Entries marked optional in the table may be left out by code that builds one. */
export type ExporterConfig = InCode<typeof SETTINGS.fields>;

/** Every setting in --help's order. */
export const OPTIONS: readonly Setting[] = [CONFIG_FILE, ...settingsOf(SETTINGS.fields)];

export const OPTION_BY_NAME: ReadonlyMap<string, Setting> = byName(OPTIONS);

function byName(settings: readonly Setting[]): Map<string, Setting> {
  const map = new Map<string, Setting>();
  for (const s of settings) {
    if (map.has(s.name) || s.name === 'help' || s.name === 'version') {
      throw new Error(`the setting --${s.name} is declared twice`);
    }
    map.set(s.name, s);
  }
  return map;
}

/** Width of the flag column of --help: the longest flag with its placeholder. */
const FLAG_COLUMN = 38;

export function renderHelp(program: string): string {
  const lines = [`Usage: ${program} [options]`, '', 'Options (also settable as environment variables and YAML keys):'];
  for (const o of OPTIONS) {
    const flag = `--${o.name}${o.kind === 'boolean' ? '' : ' ' + (o.placeholder ?? o.kind.toUpperCase())}`;
    const dflt = o.defaultText !== undefined ? ` (default ${o.defaultText})` : '';
    lines.push(`  ${flag.padEnd(FLAG_COLUMN)} ${o.help}${dflt}`, `  ${''.padEnd(FLAG_COLUMN)} env ${envName(o)}`);
  }
  lines.push(
    `  ${'--help'.padEnd(FLAG_COLUMN)} this text`,
    `  ${'--version'.padEnd(FLAG_COLUMN)} the exporter version`
  );
  return lines.join('\n');
}
