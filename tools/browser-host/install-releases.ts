/**
 * `npm run grafana-hosts`: installs the frontend packages of every Grafana release in the matrix into the cache
 * folder (tools/browser-host/grafanaInstall.ts) and says where each came from and how long it took. The tests
 * install on first use as well; CI runs this first so the install time shows on its own line.
 */
import { installGrafanaRelease } from './grafanaInstall';
import { GRAFANA_RELEASES } from './grafanaReleases';

async function main(): Promise<void> {
  const started = Date.now();
  for (const release of GRAFANA_RELEASES) {
    const t = Date.now();
    const installed = await installGrafanaRelease(release, (line) => process.stdout.write(`${line}\n`));
    const seconds = ((Date.now() - t) / 1000).toFixed(1);
    process.stdout.write(
      `Grafana ${release.version} (React ${release.react}): ${installed.source}, ${seconds} s, ${installed.nodeModules}\n`
    );
  }
  process.stdout.write(`all releases ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`grafana-hosts: ${error.message}\n`);
  process.exitCode = 1;
});
