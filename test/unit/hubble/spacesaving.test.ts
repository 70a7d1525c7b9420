import fc from 'fast-check';
import { SpaceSaving } from '../../../exporter/hubble/spacesaving';

describe('Space-Saving summary', () => {
  test('holds at most capacity keys, and counts overestimate by at most error ≤ N / capacity', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 50 })), { maxLength: 400 }),
        (capacity, updates) => {
          const s = new SpaceSaving<null>(capacity);
          const truth = new Map<string, number>();
          let total = 0;
          for (const [k, w] of updates) {
            const key = `k${k}`;
            s.add(key, w, () => null);
            truth.set(key, (truth.get(key) ?? 0) + w);
            total += w;
          }
          expect(s.size).toBeLessThanOrEqual(capacity);
          expect(s.total).toBe(total);
          for (const e of s.entries()) {
            const t = truth.get(e.key)!;
            expect(e.count).toBeGreaterThanOrEqual(t);
            expect(e.count - e.error).toBeLessThanOrEqual(t);
            expect(e.error).toBeLessThanOrEqual(total / capacity + 1e-9);
          }
          // Every key heavier than N / capacity is held.
          for (const [key, t] of truth) {
            if (t > total / capacity) {
              expect(s.get(key)).toBeDefined();
            }
          }
        }
      )
    );
  });

  test('decay scales counts, errors and the total alike and keeps the order', () => {
    const s = new SpaceSaving<null>(2);
    s.add('a', 10, () => null);
    s.add('b', 4, () => null);
    s.add('c', 1, () => null);
    expect(s.get('b')).toBeUndefined();
    expect(s.get('c')).toMatchObject({ count: 5, error: 4 });
    s.decay(0.5);
    expect(s.total).toBe(7.5);
    expect(s.top(2).map((e) => [e.key, e.count, e.error])).toEqual([
      ['a', 5, 0],
      ['c', 2.5, 2],
    ]);
    expect(s.evictions).toBe(1);
  });

  test('a million distinct keys cost capacity entries', () => {
    const s = new SpaceSaving<number>(100);
    for (let i = 0; i < 1_000_000; i++) {
      s.add(`w${i}`, 1, () => i);
    }
    s.add('heavy', 50_000, () => -1);
    expect(s.size).toBe(100);
    expect(s.top(1)[0].key).toBe('heavy');
  });
});
