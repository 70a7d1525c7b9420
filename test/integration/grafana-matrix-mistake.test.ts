/**
 * The Grafana matrix catches a plugin that uses a component its oldest Grafana lacks, and says which: a variant of
 * the plugin, built by the project's webpack configuration with its ConfigEditor beside @grafana/ui's CloseButton
 * (exported by Grafana 13 only, used without a runtime check), renders on the 13.1 host and fails the 10.4 host's
 * ConfigEditor check with "@grafana/ui.CloseButton" in the message, where React alone says only "error #130".
 */
import { join } from 'path';

import { assertBuiltPlugin } from '../../tools/browser-host/builtPlugin';
import { installGrafanaRelease } from '../../tools/browser-host/grafanaInstall';
import { BUILD_RELEASE, OLDEST_RELEASE } from '../../tools/browser-host/grafanaReleases';
import { buildPluginVariant, type PluginVariant } from '../../tools/browser-host/pluginVariant';
import { openPluginHost, type PluginHost } from '../browser/support';
import { renderConfigEditor } from '../support/pluginEditors';

jest.setTimeout(15 * 60_000);

const FIXTURE = join(__dirname, '..', 'browser', 'fixtures', 'ConfigEditorWithCloseButton.tsx');

let variant: PluginVariant;

beforeAll(async () => {
  assertBuiltPlugin();
  variant = await buildPluginVariant('./components/ConfigEditor', FIXTURE);
});

describe.each([
  [OLDEST_RELEASE.version, OLDEST_RELEASE, false],
  [BUILD_RELEASE.version, BUILD_RELEASE, true],
] as const)('a plugin variant rendering CloseButton (Grafana 13 only) on Grafana %s', (_version, release, renders) => {
  let host: PluginHost;

  beforeAll(async () => {
    host = await openPluginHost({ grafana: await installGrafanaRelease(release), distDir: variant.distDir });
    await host.page.evaluate(() => (window as any).page.loadPlugin());
  });

  afterAll(async () => {
    await host?.close();
  });

  if (renders) {
    it('renders: the variant is otherwise the plugin, and Grafana 13 has CloseButton', async () => {
      await renderConfigEditor(host, { jsonData: { url: 'http://exporter:9967' } });
      await host.page.getByRole('button', { name: 'Close' }).waitFor();
      expect(host.pageErrors).toEqual([]);
    });
  } else {
    it('fails the ConfigEditor check, naming the component the release lacks', async () => {
      const failure = renderConfigEditor(host, { jsonData: { url: 'http://exporter:9967' } });
      await expect(failure).rejects.toThrow(`the ConfigEditor failed to render on Grafana ${release.version}`);
      await expect(failure).rejects.toThrow('render failed: Minified React error #130');
      await expect(failure).rejects.toThrow(
        `the plugin used @grafana/ui.CloseButton, which Grafana ${release.version} does not export`
      );
      expect(await host.page.getByTestId('render-error').innerText()).toContain('@grafana/ui.CloseButton');
    });
  }
});
