/** Reads the shipped Grafana and Prometheus files for the dashboard, alerting and compose tests. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from '../../support/tools';

export type Json = Record<string, unknown>;

export const readText = (path: string) => readFileSync(join(ROOT, path), 'utf8');
export const readJson = (path: string) => JSON.parse(readText(path)) as Json;
export const readYaml = (path: string) => parse(readText(path)) as Json;

export interface ProvisionedDatasource {
  name: string;
  type: string;
  uid: string;
}

/** Every datasource in provisioning/datasources/*.yaml. */
export function provisionedDatasources(): ProvisionedDatasource[] {
  const dir = 'provisioning/datasources';
  return readdirSync(join(ROOT, dir))
    .filter((f) => /\.ya?ml$/.test(f))
    .flatMap((f) => (readYaml(`${dir}/${f}`).datasources as ProvisionedDatasource[]) ?? []);
}

/** Panels of a dashboard, including those nested in collapsed rows. */
export function panelsOf(dashboard: Json): Json[] {
  const out: Json[] = [];
  for (const p of (dashboard.panels as Json[]) ?? []) {
    out.push(p);
    out.push(...(((p.panels as Json[]) ?? []) as Json[]));
  }
  return out;
}

/**
 * Runs `promtool check rules` on PromQL expressions wrapped as recording rules; returns promtool's output when it
 * rejects one (with the rule index in it), or null when all parse.
 */
export function promtoolRejects(expressions: string[]): string | null {
  const dir = mkdtempSync(join(tmpdir(), 'ciliumscope-promql-'));
  try {
    const file = join(dir, 'expressions.rules.yml');
    const rules = expressions.map((expr, i) => ({ record: `ciliumscope_check:expr_${i}`, expr }));
    writeFileSync(file, JSON.stringify({ groups: [{ name: 'check', rules }] }));
    execFileSync('promtool', ['check', 'rules', file], { stdio: 'pipe', timeout: 30_000 });
    return null;
  } catch (err) {
    const e = err as { stdout?: Buffer; stderr?: Buffer; message: string };
    return `${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}` || e.message;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A dashboard expression with Grafana's variables replaced by values of the same shape, so promtool can parse it.
 */
export function substituteGrafanaVariables(expr: string): string {
  return expr
    .replace(/\$\{__from:date:seconds\}/g, '1700000000')
    .replace(/\$__rate_interval|\$__interval|\$__range/g, '5m')
    .replace(/\$\{?(node|direction|reason)\}?/g, '.*')
    .replace(/\$\{?topn\}?/g, '10');
}
