/**
 * The shipped dashboards: generated from tools/dashboards (and up to date), valid against Grafana's dashboard
 * schema, on datasources that provisioning creates, with plugin queries the exporter accepts and PromQL that
 * promtool parses, and a sound grid.
 */
import Ajv2020 from 'ajv';
import addFormats from 'ajv-formats';
import { parseQueryRequest } from '../../../exporter/http/query/validate';
import { QUERY_TYPE_ORDER } from '../../../src/queryCatalog';
import { DASHBOARD_UIDS, DATASOURCE_UIDS, PANEL_IDS, PLUGIN_ID } from '../../../tools/dashboards/ids';
import { PATHS, generatedFiles, staleFiles } from '../../../tools/dashboards/generate';
import { describeWithShared, readShared } from '../../support/shared';
import { describeWith } from '../../support/tools';
import {
  type Json,
  panelsOf,
  promtoolRejects,
  provisionedDatasources,
  readJson,
  readText,
  substituteGrafanaVariables,
} from './files';

const MAIN_ROWS = ['Overview', 'Endpoints', 'Packet flow', 'Who is being dropped', 'Policy', 'Agents'];
const MAIN_VARIABLES = ['datasource', 'node', 'direction', 'reason', 'namespace', 'workload', 'topn'];
const NODE_ROWS = ['Node', 'Endpoints and pods', 'Traffic and drops', 'Policy and agent'];
const NODE_VARIABLES = ['datasource', 'node', 'direction', 'reason'];

const DASHBOARDS = [
  { path: PATHS.pluginImport, variant: 'import', plugin: PLUGIN_ID, uid: DASHBOARD_UIDS.scope, rows: MAIN_ROWS },
  { path: PATHS.pluginProvisioned, variant: 'provisioned', plugin: PLUGIN_ID, uid: DASHBOARD_UIDS.scope, rows: MAIN_ROWS },
  { path: PATHS.prometheusImport, variant: 'import', plugin: 'prometheus', uid: DASHBOARD_UIDS.prometheus, rows: MAIN_ROWS },
  {
    path: PATHS.prometheusProvisioned,
    variant: 'provisioned',
    plugin: 'prometheus',
    uid: DASHBOARD_UIDS.prometheus,
    rows: MAIN_ROWS,
  },
  { path: PATHS.nodeImport, variant: 'import', plugin: PLUGIN_ID, uid: DASHBOARD_UIDS.node, rows: NODE_ROWS },
  { path: PATHS.nodeProvisioned, variant: 'provisioned', plugin: PLUGIN_ID, uid: DASHBOARD_UIDS.node, rows: NODE_ROWS },
] as const;

const isMain = (d: (typeof DASHBOARDS)[number]) => d.uid !== DASHBOARD_UIDS.node;

const IMPORT_METADATA = ['__inputs', '__requires', '__elements'];

/** The dashboard without import metadata, as the schema describes it. */
function withoutImportMetadata(d: Json): Json {
  return Object.fromEntries(Object.entries(d).filter(([k]) => !IMPORT_METADATA.includes(k)));
}

function variables(d: Json): Json[] {
  return ((d.templating as Json).list as Json[]) ?? [];
}

/** Resolves a datasource uid that refers to the `datasource` variable to the variable's current value. */
function resolveUid(d: Json, uid: string): string {
  const m = /^\$\{?(\w+)\}?$/.exec(uid);
  if (!m) {
    return uid;
  }
  const variable = variables(d).find((v) => v.name === m[1]);
  if (!variable || variable.type !== 'datasource') {
    throw new Error(`datasource uid ${uid} names no datasource variable`);
  }
  return String((variable.current as Json).value);
}

/** Every datasource reference: panels, their targets, variables, annotations. */
function datasourceRefs(d: Json): Array<{ where: string; type: string; uid: string }> {
  const refs: Array<{ where: string; type: string; uid: string }> = [];
  const add = (where: string, ds: unknown) => {
    // Grafana's built-in annotation source is not a provisioned datasource.
    if (ds && typeof ds === 'object' && (ds as Json).type !== 'grafana') {
      refs.push({ where, type: String((ds as Json).type), uid: String((ds as Json).uid) });
    }
  };
  for (const p of panelsOf(d)) {
    add(`panel ${String(p.id)}`, p.datasource);
    for (const t of (p.targets as Json[]) ?? []) {
      add(`panel ${String(p.id)} target ${String(t.refId)}`, t.datasource);
    }
  }
  variables(d).forEach((v) => add(`variable ${String(v.name)}`, v.datasource));
  ((d.annotations as Json).list as Json[]).forEach((a) => add(`annotation ${String(a.name)}`, a.datasource));
  return refs;
}

const visualPanels = (d: Json) => panelsOf(d).filter((p) => p.type !== 'row');

describe('generated files', () => {
  test('every generated file on disk is what tools/dashboards produces (regenerate with npx ts-node tools/dashboards/generate.ts)', () => {
    expect(generatedFiles().length).toBeGreaterThanOrEqual(8);
    expect(staleFiles()).toEqual([]);
  });

  test('the plugin bundles the import copies of its two dashboards: plugin.json includes them, webpack copies them', () => {
    const plugin = readJson('src/plugin.json');
    const includes = (plugin.includes as Json[]).filter((i) => i.type === 'dashboard');
    expect(includes.map((i) => i.path)).toEqual([PATHS.pluginImport, PATHS.nodeImport]);
    expect(readText('webpack.config.ts')).toMatch(/BUNDLED_DASHBOARDS = \['cilium-scope\.json', 'cilium-scope-node\.json'\]/);
  });
});

describeWithShared('reference/grafana/dashboard-schema/dashboard.jsonschema.json', 'dashboard JSON schema', () => {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  const schema = (name: string) =>
    JSON.parse(readShared('reference', 'grafana', 'dashboard-schema', `${name}.jsonschema.json`).toString('utf8'));
  const validateDashboard = ajv.compile(schema('dashboard'));
  const panelSchemas: Record<
    string,
    { options: ReturnType<typeof ajv.compile>; custom?: ReturnType<typeof ajv.compile> }
  > = {};
  for (const type of ['timeseries', 'table', 'stat']) {
    const s = schema(type);
    if (type === 'table') {
      // The generated schema lists the cell option kinds under oneOf without pinning each kind's `type`, so any
      // `{ type: 'auto' }` matches several and oneOf can never pass; Grafana tells them apart by `type`.
      s.definitions.TableCellOptions = { anyOf: s.definitions.TableCellOptions.oneOf };
    }
    const ref = (def: string) => ajv.compile({ ...s, $ref: `#/definitions/${def}` });
    panelSchemas[type] = {
      options: ref('Options'),
      custom: type === 'stat' ? undefined : ref(type === 'table' ? 'TableFieldOptions' : 'GraphFieldConfig'),
    };
  }

  test.each(DASHBOARDS.map((d) => [d.path, d] as const))('%s validates (import metadata stripped)', (_path, d) => {
    const dashboard = withoutImportMetadata(readJson(d.path));
    const ok = validateDashboard(dashboard);
    expect(ok ? [] : validateDashboard.errors).toEqual([]);
  });

  test.each(DASHBOARDS.map((d) => [d.path, d] as const))(
    '%s: panel options and custom field config match their panel schemas',
    (_path, d) => {
      const problems: unknown[] = [];
      for (const p of visualPanels(readJson(d.path))) {
        const s = panelSchemas[String(p.type)];
        if (!s) {
          continue;
        }
        // Grafana fills an option the JSON leaves out with the panel plugin's default (the schema lists options
        // that have defaults as required); options the newest schema has but Grafana 10.4 lacks are left out.
        const optionErrors = s.options(p.options) ? [] : s.options.errors!.filter((e) => e.keyword !== 'required');
        if (optionErrors.length > 0) {
          problems.push({ panel: p.id, options: optionErrors });
        }
        const custom = ((p.fieldConfig as Json).defaults as Json).custom;
        if (s.custom && !s.custom(custom)) {
          problems.push({ panel: p.id, custom: s.custom.errors });
        }
      }
      expect(problems).toEqual([]);
    }
  );

  test('a dashboard with a broken field is rejected (the schema check can fail)', () => {
    const broken = withoutImportMetadata(readJson(PATHS.pluginProvisioned));
    (broken.panels as Json[])[1].gridPos = { x: 30, y: 0, w: 12, h: 8 };
    expect(validateDashboard(broken)).toBe(false);
  });
});

describe.each(DASHBOARDS.map((d) => [d.path, d] as const))('%s', (_path, d) => {
  const dashboard = readJson(d.path);
  const panels = visualPanels(dashboard);

  test('has the fixed uid, the schemaVersion of Grafana 10.4 and panels with a title, description and unit or table', () => {
    expect(dashboard.uid).toBe(d.uid);
    expect(dashboard.schemaVersion).toBe(39);
    expect(panels.length).toBeGreaterThanOrEqual(18);
    for (const p of panels) {
      expect(String(p.title).length).toBeGreaterThan(3);
      expect(String(p.description).length).toBeGreaterThan(40);
      const defaults = (p.fieldConfig as Json).defaults as Json;
      if (p.type === 'timeseries') {
        expect({ panel: p.title, unit: typeof defaults.unit }).toEqual({ panel: p.title, unit: 'string' });
      }
    }
  });

  test('has its rows, the overview first on the main dashboards, and its variables', () => {
    expect(
      panelsOf(dashboard)
        .filter((p) => p.type === 'row')
        .map((p) => p.title)
    ).toEqual(d.rows);
    expect(variables(dashboard).map((v) => v.name)).toEqual(isMain(d) ? MAIN_VARIABLES : NODE_VARIABLES);
    expect(variables(dashboard)[0]).toMatchObject({ type: 'datasource', query: d.plugin });
  });

  if (isMain(d)) {
    test('panel ids are unique and every alert-linked panel id exists', () => {
      const ids = panelsOf(dashboard).map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      const shared = Object.values(PANEL_IDS).filter(
        (id) => id !== PANEL_IDS.nodesWithoutAgent || d.plugin === 'prometheus'
      );
      expect(ids).toEqual(expect.arrayContaining(shared));
    });

    test('the overview row comes first: a stat per question, each linked to the panel that explains it', () => {
      const [overview, next] = panelsOf(dashboard).filter((p) => p.type === 'row');
      const y = (p: Json) => (p.gridPos as { y: number }).y;
      const stats = panelsOf(dashboard).filter((p) => p.type !== 'row' && y(p) > y(overview) && y(p) < y(next));
      expect(stats.length).toBeGreaterThanOrEqual(6);
      const ids = panelsOf(dashboard).map((p) => p.id);
      for (const p of stats) {
        expect([p.title, p.type]).toEqual([p.title, 'stat']);
        const steps = (((p.fieldConfig as Json).defaults as Json).thresholds as Json).steps as Json[];
        const overrides = JSON.stringify((p.fieldConfig as Json).overrides);
        expect([p.title, steps.length > 1 || overrides.includes('thresholds')]).toEqual([p.title, true]);
        const link = /viewPanel=(\d+)/.exec(String(((p.links as Json[])[0] ?? {}).url));
        expect([p.title, ids.includes(Number(link?.[1]))]).toEqual([p.title, true]);
      }
    });

    test('per-node series and table rows link to the node dashboard with the node and the time range', () => {
      const links = panelsOf(dashboard).flatMap((p) =>
        ((p.fieldConfig as Json | undefined)?.overrides as Json[] | undefined ?? []).flatMap((o) =>
          ((o.properties as Json[]).filter((x) => x.id === 'links').flatMap((x) => x.value as Json[]))
        )
      );
      const toNode = links.filter((l) => String(l.url).startsWith('/d/ciliumscope-node'));
      expect(toNode.length).toBeGreaterThanOrEqual(8);
      for (const link of toNode) {
        expect(String(link.url)).toMatch(
          /^\/d\/ciliumscope-node\?var-node=\$\{__(field\.labels\.node|data\.fields\.Node)\}&\$\{__url_time_range\}/
        );
      }
      // The rest: from the anomaly table's reason to the pairs behind it, in the same dashboard.
      expect(links.filter((l) => !toNode.includes(l)).map((l) => l.url)).toEqual([
        `/d/${d.uid}?viewPanel=${PANEL_IDS.workloadTable}&var-node=\${__data.fields.Node}&var-reason=\${__data.fields.Reason:percentencode}&\${__url_time_range}&var-datasource=\${datasource}`,
      ]);
    });
  }

  test('panels fit the 24-column grid without overlapping', () => {
    const boxes = panelsOf(dashboard).map((p) => ({
      id: p.id,
      ...(p.gridPos as { x: number; y: number; w: number; h: number }),
    }));
    for (const b of boxes) {
      expect(b.x).toBeGreaterThanOrEqual(0);
      expect(b.x + b.w).toBeLessThanOrEqual(24);
      expect(b.w).toBeGreaterThan(0);
      expect(b.h).toBeGreaterThan(0);
    }
    const overlaps = boxes.flatMap((a, i) =>
      boxes
        .slice(i + 1)
        .filter((b) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h)
        .map((b) => [a.id, b.id])
    );
    expect(overlaps).toEqual([]);
  });

  test('every datasource reference resolves to a provisioned datasource (provisioned copy) or an import input (import copy)', () => {
    const provisioned = provisionedDatasources();
    const inputs = ((dashboard.__inputs as Json[]) ?? []).map((i) => ({
      name: String(i.name),
      pluginId: String(i.pluginId),
    }));
    const refs = datasourceRefs(dashboard);
    expect(refs.length).toBeGreaterThan(panels.length);
    for (const ref of refs) {
      const uid = resolveUid(dashboard, ref.uid);
      const input = /^\$\{(DS_\w+)\}$/.exec(uid);
      if (d.variant === 'import' && input) {
        expect({ where: ref.where, input: inputs.find((i) => i.name === input[1])?.pluginId }).toEqual({
          where: ref.where,
          input: ref.type,
        });
      } else {
        const ds = provisioned.find((p) => p.uid === uid);
        expect({ where: ref.where, type: ds?.type }).toEqual({ where: ref.where, type: ref.type });
      }
    }
  });

  if (d.variant === 'provisioned') {
    test('contains no import input (provisioning does not substitute ${DS_...})', () => {
      expect(readText(d.path)).not.toMatch(/\$\{DS_/);
      expect(dashboard.__inputs).toBeUndefined();
      expect((variables(dashboard)[0].current as Json).value).toBe(
        d.plugin === 'prometheus' ? DATASOURCE_UIDS.prometheus : DATASOURCE_UIDS.scope
      );
    });
  } else {
    test('asks for its datasource on import and uses every input it declares', () => {
      const inputs = dashboard.__inputs as Json[];
      expect(inputs).toEqual([expect.objectContaining({ type: 'datasource', pluginId: d.plugin })]);
      expect(readText(d.path)).toContain(`\${${String(inputs[0].name)}}`);
    });
  }
});

describe('plugin dashboard queries', () => {
  const dashboard = readJson(PATHS.pluginImport);
  const targets = [dashboard, readJson(PATHS.nodeImport)]
    .flatMap(visualPanels)
    .flatMap((p) => ((p.targets as Json[]) ?? []).map((t) => ({ panel: p.title, target: t })));

  test('use only query types of the contract', () => {
    expect(targets.length).toBeGreaterThan(15);
    for (const { panel, target } of targets) {
      expect({ panel, queryType: (QUERY_TYPE_ORDER as string[]).includes(String(target.queryType)) }).toEqual({
        panel,
        queryType: true,
      });
    }
    // Every query type has a panel.
    expect(new Set(targets.map((t) => t.target.queryType))).toEqual(new Set(QUERY_TYPE_ORDER));
  });

  test("pass the exporter's own request validation (views, filters, limits)", () => {
    for (const { panel, target } of targets) {
      const { datasource: _ds, ...query } = target;
      // The plugin resolves the top-N variable to a number before sending.
      const resolved = query.topN === '$topn' ? { ...query, topN: 10 } : query;
      expect(() => parseQueryRequest({ from: 0, to: 3_600_000, queries: [resolved] })).not.toThrow();
      void panel;
    }
    expect(targets.filter((t) => t.target.topN === '$topn').length).toBeGreaterThanOrEqual(7);
  });

  test('the variables use the plugin variable syntax', () => {
    const queries = variables(dashboard)
      .filter((v) => v.type === 'query')
      .map((v) => v.query);
    expect(queries).toEqual(['nodes()', 'directions()', 'drop_reasons(seen)', 'namespaces(dropped)', 'workloads($namespace)']);
  });

  test('the drop-reason table maps every reason of the exporter catalogue to its meaning', () => {
    const table = visualPanels(dashboard).find((p) => p.id === PANEL_IDS.dropReasons)!;
    const override = ((table.fieldConfig as Json).overrides as Json[]).find(
      (o) => (o.matcher as Json).options === 'Meaning'
    )!;
    const mapping = ((override.properties as Json[]).find((p) => p.id === 'mappings')!.value as Json[])[0];
    expect(((mapping.options as Json)['Policy denied'] as Json).text).toMatch(/No network policy rule allows/);
  });
});

describeWith([{ binary: 'promtool' }], 'Prometheus dashboard PromQL', () => {
  const expressions = [PATHS.prometheusImport]
    .flatMap((path) => visualPanels(readJson(path)))
    .flatMap((p) => ((p.targets as Json[]) ?? []).map((t) => String(t.expr)));
  const annotationExprs = ((readJson(PATHS.prometheusImport).annotations as Json).list as Json[])
    .filter((a) => a.expr)
    .map((a) => String(a.expr));

  test('every panel and annotation expression parses with promtool (variables substituted)', () => {
    expect(expressions.length).toBeGreaterThan(20);
    expect(promtoolRejects([...expressions, ...annotationExprs].map(substituteGrafanaVariables))).toBeNull();
  });

  test('promtool rejects a broken expression (the check can fail)', () => {
    expect(promtoolRejects(['sum by (node) (rate(ciliumscope_dropped_packets_total[5m])'])).toMatch(
      /unclosed|parse error|unexpected/i
    );
  });
});
