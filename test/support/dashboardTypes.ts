/**
 * Checks dashboard JSON against one Grafana release's @grafana/schema types, the ones Grafana generates from its
 * own dashboard and panel schemas: the dashboard as `Dashboard`, each panel's options and custom field config as
 * its panel plugin's `Options` and `FieldConfig`. The JSON becomes object literals in a generated TypeScript file,
 * so a field that release does not know is an excess-property error and a wrong value a type error, each reported
 * with the dashboard and panel it is in.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import ts from 'typescript';

type Json = Record<string, unknown>;

/** Panel plugin id → its generated types (`dist/esm/raw/composable/<dir>/panelcfg/x/<Name>PanelCfg_types.gen`). */
const PANEL_TYPES: Record<string, { dir: string; name: string; fieldConfig: boolean }> = {
  timeseries: { dir: 'timeseries', name: 'TimeSeries', fieldConfig: true },
  table: { dir: 'table', name: 'Table', fieldConfig: true },
  stat: { dir: 'stat', name: 'Stat', fieldConfig: false },
  text: { dir: 'text', name: 'Text', fieldConfig: false },
  bargauge: { dir: 'bargauge', name: 'BarGauge', fieldConfig: false },
  gauge: { dir: 'gauge', name: 'Gauge', fieldConfig: false },
  piechart: { dir: 'piechart', name: 'PieChart', fieldConfig: true },
  barchart: { dir: 'barchart', name: 'BarChart', fieldConfig: true },
  statetimeline: { dir: 'statetimeline', name: 'StateTimeline', fieldConfig: true },
  statushistory: { dir: 'statushistory', name: 'StatusHistory', fieldConfig: true },
  heatmap: { dir: 'heatmap', name: 'Heatmap', fieldConfig: true },
};

const IMPORT_METADATA = ['__inputs', '__requires', '__elements'];

const literal = (value: unknown) => JSON.stringify(value, null, 1);

function panelsOf(dashboard: Json): Json[] {
  return ((dashboard.panels as Json[]) ?? []).flatMap((p) => [p, ...((p.panels as Json[]) ?? [])]);
}

/** The generated source: one typed constant per dashboard and per panel, named after where it comes from. */
function source(schemaDir: string, dashboards: Array<{ name: string; json: Json }>): string {
  const lines = [
    `import type { Dashboard, FieldConfig, FieldConfigSource, Panel, RowPanel } from '@grafana/schema';`,
    // The schema's string enums as the strings the JSON holds.
    `type Json<T> = T extends string ? \`\${T}\` : T extends Array<infer U> ? Array<Json<U>> : T extends object ? { [K in keyof T]: Json<T[K]> } : T;`,
    // Parts whose own fields the datasource defines (queries, annotation and variable queries): the schema's fields
    // are checked, others allowed, as Grafana passes them to the datasource.
    `type Open<T> = Json<T> & Record<string, unknown>;`,
    `type Variable = NonNullable<NonNullable<Dashboard['templating']>['list']>[number];`,
    `type Annotation = NonNullable<NonNullable<Dashboard['annotations']>['list']>[number];`,
    `type Target = NonNullable<Panel['targets']>[number];`,
    `type DashboardJson = Json<Omit<Dashboard, 'templating' | 'annotations' | 'panels'>> & {`,
    `  templating: { list: Array<Open<Variable>> };`,
    `  annotations: { list: Array<Open<Omit<Annotation, 'target'>> & { target?: Open<NonNullable<Annotation['target']>> }> };`,
    `  panels: never[];`,
    `};`,
    `type Typed<O, C> = Json<Omit<Panel, 'options' | 'fieldConfig' | 'targets'>> & {`,
    `  targets?: Array<Open<Target>>;`,
    // Grafana fills an option the JSON leaves out with the panel plugin's default, so none is required here.
    `  options?: Partial<Json<O>>;`,
    `  fieldConfig?: { defaults: Json<Omit<FieldConfig, 'custom'>> & { custom?: Json<C> }; overrides: Json<FieldConfigSource['overrides']> };`,
    `};`,
  ];
  const used = new Set(dashboards.flatMap((d) => panelsOf(d.json).map((p) => String(p.type))));
  for (const type of [...used].filter((t) => t !== 'row')) {
    const spec = PANEL_TYPES[type];
    if (!spec) {
      throw new Error(`no @grafana/schema types known for panel type "${type}": add it to PANEL_TYPES`);
    }
    const file = join(
      schemaDir,
      'dist',
      'esm',
      'raw',
      'composable',
      spec.dir,
      'panelcfg',
      'x',
      `${spec.name}PanelCfg_types.gen`
    );
    lines.push(`import type * as ${spec.name} from ${JSON.stringify(file)};`);
  }
  dashboards.forEach(({ name, json }, d) => {
    lines.push(`// ${name}`);
    const body = Object.fromEntries(Object.entries(json).filter(([k]) => !IMPORT_METADATA.includes(k)));
    lines.push(`export const dashboard_${d}: DashboardJson = ${literal({ ...body, panels: [] })};`);
    for (const panel of panelsOf(json)) {
      const id = `dashboard_${d}_panel_${String(panel.id)}`;
      if (panel.type === 'row') {
        lines.push(`export const ${id}: Json<RowPanel> = ${literal({ ...panel, panels: [] })};`);
        continue;
      }
      const spec = PANEL_TYPES[String(panel.type)];
      const custom = spec.fieldConfig ? `${spec.name}.FieldConfig` : 'Record<string, never>';
      lines.push(`export const ${id}: Typed<${spec.name}.Options, ${custom}> = ${literal(panel)};`);
    }
  });
  return lines.join('\n') + '\n';
}

/**
 * Type errors of the dashboards against the @grafana/schema in `nodeModules`, as `<dashboard> panel <id>: message`
 * (or `<dashboard>: message` for the dashboard itself); empty when every field is known and well typed.
 */
export function dashboardTypeErrors(nodeModules: string, dashboards: Array<{ name: string; json: Json }>): string[] {
  const schemaDir = join(nodeModules, '@grafana', 'schema');
  const dir = mkdtempSync(join(tmpdir(), 'ciliumscope-dashboard-types-'));
  try {
    const file = join(dir, 'dashboards.ts');
    const text = source(schemaDir, dashboards);
    writeFileSync(file, text);
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      baseUrl: dir,
      paths: { '@grafana/schema': [schemaDir] },
      types: [],
    });
    const sourceFile = program.getSourceFile(file)!;
    const owners = text.split('\n');
    return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
      const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
      if (diagnostic.file !== sourceFile || diagnostic.start === undefined) {
        return message;
      }
      const { line } = sourceFile.getLineAndCharacterOfPosition(diagnostic.start);
      // The constant a line belongs to is the last `export const` at or above it.
      const owner = owners
        .slice(0, line + 1)
        .reverse()
        .find((l) => l.startsWith('export const '));
      const match = /^export const dashboard_(\d+)(?:_panel_(\w+))?/.exec(owner ?? '');
      const where = match
        ? `${dashboards[Number(match[1])].name}${match[2] ? ` panel ${match[2]}` : ''}`
        : 'generated file';
      return `${where}: ${message}`;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
