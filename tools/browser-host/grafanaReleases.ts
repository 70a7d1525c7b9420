/**
 * The Grafana releases the plugin is proven on: one per line that teams run, the newest patch of each line that
 * installs from the npm registry here. A host page built for a release hands the plugin that release's
 * @grafana/data, ui and runtime and the React it shipped with (the `react` devDependency of its @grafana/ui), the way
 * that Grafana's frontend would.
 */
export interface GrafanaRelease {
  /** The line, as the README's compatibility table names it. */
  line: string;
  /** Exact version of @grafana/data, ui, runtime and schema. */
  version: string;
  /** Exact React and React DOM version that Grafana release ships. */
  react: string;
}

export const GRAFANA_RELEASES: readonly GrafanaRelease[] = [
  { line: '10.4', version: '10.4.19', react: '18.2.0' },
  { line: '11.6', version: '11.6.16', react: '18.3.1' },
  { line: '12.4', version: '12.4.10', react: '18.3.1' },
  { line: '13.1', version: '13.1.1', react: '18.3.1' },
];

/** The oldest release the plugin supports: what `grafanaDependency` in src/plugin.json says. */
export const OLDEST_RELEASE = GRAFANA_RELEASES[0];

/** The release whose packages the plugin is built against (package.json's devDependencies). */
export const BUILD_RELEASE = GRAFANA_RELEASES[GRAFANA_RELEASES.length - 1];

/**
 * Releases in those lines that cannot be installed from the registry reachable here, and why; the README's
 * compatibility table lists them.
 */
export const UNINSTALLABLE_RELEASES: ReadonlyArray<{ versions: string; reason: string }> = [
  {
    versions: '12.3.0–12.4.3, 13.0.0, 13.0.1',
    reason: '@grafana/ui depends on react-data-grid as a GitHub tarball, which cannot be fetched (ENOTFOUND)',
  },
  { versions: '13.1.3', reason: 'depends on @grafana/i18n 13.1.3, which the registry does not have' },
  {
    versions: '13.2 and later',
    reason: 'Grafana 13.2 moved to React 19; the plugin is built and tested against React 18',
  },
];

export function releaseByLine(line: string): GrafanaRelease {
  const release = GRAFANA_RELEASES.find((r) => r.line === line || r.version === line);
  if (!release) {
    throw new Error(
      `no Grafana release "${line}" in the matrix; known: ${GRAFANA_RELEASES.map((r) => `${r.line} (${r.version})`).join(', ')}`
    );
  }
  return release;
}
