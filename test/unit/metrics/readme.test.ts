/**
 * The README's metrics reference is the documentation of /metrics: its table lists exactly the families the
 * exporter registers (exporter/metrics), each once, with the family's type, its labels in the order they are
 * written, and its HELP text as the meaning.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAMILIES } from '../../../exporter/metrics';

interface Row {
  name: string;
  type: string;
  labels: string;
  meaning: string;
}

/** The rows of the first table under `### Metrics reference`. */
function referenceRows(readme: string): Row[] {
  const start = readme.indexOf('\n### Metrics reference\n');
  expect(start).toBeGreaterThan(0);
  const section = readme.slice(start + 1, readme.indexOf('\n#', start + 1));
  const lines = section.split('\n').filter((l) => l.startsWith('|'));
  expect(lines.slice(0, 2)).toEqual(['| Series | Type | Labels | Meaning |', '|---|---|---|---|']);
  return lines.slice(2).map((line) => {
    // Cells split at pipes that are not escaped (`\|` inside a cell).
    const cells = line
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((c) => c.trim().replace(/\\\|/g, '|'));
    expect(cells).toHaveLength(4);
    const [series, type, labels, meaning] = cells;
    expect(series).toMatch(/^`[a-z_]+`$/);
    return { name: series.slice(1, -1), type, labels, meaning };
  });
}

const rows = referenceRows(readFileSync(join(__dirname, '../../../README.md'), 'utf8'));

test('the reference lists every registered family once, and nothing else', () => {
  const listed = rows.map((r) => r.name);
  expect(listed.filter((name, i) => listed.indexOf(name) !== i)).toEqual([]);
  expect([...listed].sort()).toEqual(FAMILIES.map((f) => f.name).sort());
});

test.each(FAMILIES.map((f) => [f.name, f] as const))('%s: type, labels and meaning as declared', (name, family) => {
  expect(rows.find((r) => r.name === name)).toEqual({
    name,
    type: family.type,
    labels: family.labelNames.join(', '),
    meaning: family.help,
  });
});
