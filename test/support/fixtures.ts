/**
 * The project's copies of real Cilium data (test/fixtures/): metrics pages captured from real agents and operators,
 * and the reference tables the catalogue is checked against. test/fixtures/README.md says where each came from.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const FIXTURES_DIR = resolve(__dirname, '..', 'fixtures');

/** A real metrics page: agent-1.9.10.prom, agent-1.11.0.prom, operator-stacked.prom. */
export function readPage(file: string): Buffer {
  return readFileSync(join(FIXTURES_DIR, 'pages', file));
}

/** A reference table: agent_metrics.tsv, operator_metrics.tsv, drop_reasons.tsv, hubble_metrics.tsv. */
export function readReference(file: string): string {
  return readFileSync(join(FIXTURES_DIR, 'reference', file), 'utf8');
}
