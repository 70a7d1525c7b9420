/**
 * Editor checks shared by the Grafana matrix and the test that shows a plugin mistake failing it: each renders an
 * editor of the loaded plugin on a host page (test/browser/pages/plugin.tsx) and fails with the page's errors
 * (which name any Grafana export the plugin used that the host's release lacks) instead of waiting for text that
 * will never come.
 */
import type { PluginHost } from '../browser/support';

/** Renders the ConfigEditor with these settings; resolves once it shows, rejects with why it did not. */
export async function renderConfigEditor(host: PluginHost, settings: Record<string, unknown>): Promise<void> {
  await host.page.evaluate((s) => (window as any).page.showConfigEditor(s), settings);
  const shown = host.page.getByText('Authentication', { exact: true });
  const failed = host.page.getByTestId('render-error');
  await shown.or(failed).first().waitFor();
  if (await failed.isVisible()) {
    const version = await host.page.evaluate(() => (window as any).page.grafanaVersion as string);
    const errors = host.pageErrors.splice(0);
    throw new Error(`the ConfigEditor failed to render on Grafana ${version}: ${errors.join(' | ')}`);
  }
}
