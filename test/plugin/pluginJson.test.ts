import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'fs';
import { join } from 'path';

import { describeWithShared, readShared } from '../support/shared';

const SCHEMA = 'reference/grafana/plugin.schema.json';
const pluginJson = JSON.parse(readFileSync(join(__dirname, '..', '..', 'src', 'plugin.json'), 'utf8'));

function compileSchema() {
  // The schema's patterns escape '-' outside character classes, which unicode-mode regular expressions reject.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readShared(SCHEMA).toString('utf8')));
}

describeWithShared(SCHEMA, "src/plugin.json against Grafana's plugin schema", () => {
  it('validates', () => {
    const validate = compileSchema();
    const valid = validate(pluginJson);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('would catch a broken plugin.json', () => {
    const validate = compileSchema();
    expect(validate({ ...pluginJson, id: 'Cilium Scope', dependencies: { grafanaDependency: 'twelve' } })).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath)).toEqual(
      expect.arrayContaining(['/id', '/dependencies/grafanaDependency'])
    );
  });
});

describe('src/plugin.json', () => {
  it('declares a frontend-only datasource with metrics and annotations', () => {
    expect(pluginJson).toMatchObject({
      type: 'datasource',
      id: 'ciliumscope-cilium-datasource',
      name: 'Cilium Scope',
      metrics: true,
      annotations: true,
      backend: false,
      dependencies: { grafanaDependency: '>=10.4.0' },
    });
    expect(pluginJson.alerting).not.toBe(true);
  });

  it('proxies the api route to the exporter URL with the bearer token', () => {
    expect(pluginJson.routes).toEqual([
      {
        path: 'api',
        url: '{{ .JsonData.url }}',
        headers: [{ name: 'Authorization', content: 'Bearer {{ .SecureJsonData.token }}' }],
      },
    ]);
  });

  it('includes the bundled dashboards and logos that exist in the source tree', () => {
    expect(pluginJson.includes).toEqual([
      { type: 'dashboard', name: 'Cilium Scope', path: 'dashboards/cilium-scope.json' },
      { type: 'dashboard', name: 'Cilium Scope: node', path: 'dashboards/cilium-scope-node.json' },
    ]);
    for (const logo of [pluginJson.info.logos.small, pluginJson.info.logos.large]) {
      const svg = readFileSync(join(__dirname, '..', '..', 'src', logo), 'utf8');
      expect(svg).toMatch(/^<svg[^>]+xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    }
  });
});
