import { DROP_REASONS, lookupDropReason } from '../../../exporter/cilium/dropReasons';
import { normaliseAgentPage } from '../../../exporter/cilium/normalise';
import { readPage, readReference } from '../../support/fixtures';

describe('the drop reason catalogue', () => {
  test('reasons are unique and every entry explains itself', () => {
    const reasons = DROP_REASONS.map((r) => r.reason);
    expect(new Set(reasons).size).toBe(reasons.length);
    for (const entry of DROP_REASONS) {
      expect(entry.meaning.length).toBeGreaterThan(20);
      expect(entry.commonCauses.length).toBeGreaterThan(20);
      expect(entry.meaning).not.toBe(entry.commonCauses);
      expect(Object.keys(entry).sort()).toEqual(['code', 'commonCauses', 'hubbleName', 'meaning', 'reason']);
    }
  });

  test('looks reasons up by their exact label', () => {
    const denied = lookupDropReason('Policy denied');
    expect(denied).toMatchObject({ code: 133, hubbleName: 'POLICY_DENIED' });
    expect(denied?.commonCauses).toMatch(/policy/i);
    expect(lookupDropReason('policy denied')).toBeUndefined();
    expect(lookupDropReason('Policy denied ')).toBeUndefined();
    expect(lookupDropReason('')).toBeUndefined();
  });

  test('older spellings have entries of their own, with the same code', () => {
    expect(lookupDropReason('CT: Missing TCP ACK flag')).toMatchObject({
      code: 136,
      hubbleName: 'CT_MISSING_TCP_ACK_FLAG',
    });
    expect(lookupDropReason('Fragmentation needed')?.code).toBe(136);
    expect(lookupDropReason('Failed to insert into proxymap')?.code).toBe(161);
    expect(lookupDropReason('Not a local target address')?.code).toBe(151);
  });

  test('numeric labels of unnamed codes resolve through the code', () => {
    expect(lookupDropReason('206')?.hubbleName).toBe('DROP_NO_DEVICE');
    expect(lookupDropReason('206, 0')?.code).toBe(206);
    expect(lookupDropReason('159, 0')?.code).toBe(159);
    expect(lookupDropReason('133')?.reason).toBe('Policy denied');
    expect(lookupDropReason('999')).toBeUndefined();
    expect(lookupDropReason('12345')).toBeUndefined();
  });
});

interface TsvRow {
  code: number;
  label: string;
  hubble: string;
  isDrop: boolean;
  notes: string;
}

function readTsv(): TsvRow[] {
  const lines = readReference('drop_reasons.tsv').split('\n').slice(1);
  return lines
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [code, , label, hubble, isDrop, notes] = line.split('\t');
      return { code: Number(code), label, hubble, isDrop: isDrop.startsWith('yes'), notes: notes ?? '' };
    });
}

/** The TSV's hubble column: empty when none, "NAME?" when unverified (then an entry may say NAME or null). */
function hubbleMatches(tsv: string, entry: string | null): boolean {
  if (tsv === '') {
    return entry === null;
  }
  if (tsv.endsWith('?')) {
    return entry === tsv.slice(0, -1) || entry === null;
  }
  return entry === tsv;
}

describe('drop reasons against the reference table', () => {
  const rows = readTsv();

  test('the table was read', () => {
    expect(rows.filter((r) => r.isDrop).length).toBeGreaterThan(70);
  });

  test('every is_drop label has an entry with the same code and hubble name', () => {
    for (const row of rows.filter((r) => r.isDrop && r.label !== '')) {
      const entry = lookupDropReason(row.label);
      expect({ label: row.label, found: entry !== undefined }).toEqual({ label: row.label, found: true });
      // A label shared by several codes ("Invalid packet": 2 and 134) has one entry, for one of them.
      const sameLabel = rows.filter((r) => r.label === row.label);
      const matching = sameLabel.find((r) => r.code === entry?.code);
      expect({ label: row.label, code: matching?.code }).toEqual({ label: row.label, code: entry?.code });
      expect({ label: row.label, hubble: hubbleMatches(matching!.hubble, entry!.hubbleName) }).toEqual({
        label: row.label,
        hubble: true,
      });
    }
  });

  test('is_drop codes without a label resolve from their number', () => {
    for (const row of rows.filter((r) => r.isDrop && r.label === '')) {
      const entry = lookupDropReason(String(row.code));
      expect(entry?.code).toBe(row.code);
      expect(hubbleMatches(row.hubble, entry!.hubbleName)).toBe(true);
    }
  });

  test("the older spellings in the notes have entries with the row's code", () => {
    const older = rows.flatMap((row) =>
      [...row.notes.matchAll(/(?:older[^']*|2018-era drop\.go): '([^']+)'/g)].map((m) => ({
        code: row.code,
        label: m[1],
      }))
    );
    expect(older.length).toBeGreaterThanOrEqual(6);
    for (const { code, label } of older) {
      expect({ label, code: lookupDropReason(label)?.code }).toEqual({ label, code });
    }
  });

  test('forward reasons are not listed as drops', () => {
    for (const row of rows.filter((r) => !r.isDrop)) {
      expect(DROP_REASONS.find((e) => e.reason === row.label && e.code === row.code)).toBeUndefined();
    }
  });
});

describe('drop reasons seen on a real page', () => {
  test('every reason on agent-1.9.10.prom has an entry', () => {
    const dropped = normaliseAgentPage(readPage('agent-1.9.10.prom')).dropped;
    expect(dropped.length).toBe(3);
    for (const drop of dropped) {
      expect({ reason: drop.reason, known: lookupDropReason(drop.reason) !== undefined }).toEqual({
        reason: drop.reason,
        known: true,
      });
    }
  });
});
