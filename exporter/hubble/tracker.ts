/**
 * Turns one node's cumulative hubble_drop_total series into increments between two scrapes, series by series.
 *
 * - A series seen on the previous page increases by its difference; a series that went down means the agent
 *   restarted (Hubble never lowers a counter otherwise), and then every series counts its whole value, since all of
 *   them started again from zero.
 * - A series not on the previous page is new: Hubble creates a series at its first drop, so its whole value is its
 *   increment, provided the previous page was read in full. On the first page, or after a page that had more series
 *   than the tracker holds, a new series only sets its baseline (its earlier drops cannot be told apart).
 * - A series missing from a page is forgotten: Hubble deletes the series of an endpoint a minute after the endpoint
 *   goes away.
 *
 * At most `capacity` series are tracked: further series on a page are counted as untracked and not read, so a page
 * that sprays series costs bounded memory. Series already tracked keep their place; new ones fill what is free.
 */

export interface CumulativeSeries {
  id: number;
  value: number;
}

export interface TrackerResult {
  /** Series on the page the tracker had no room for. */
  untracked: number;
  /** Whether the page showed an agent restart (a series went down). */
  restarted: boolean;
  /** Whether this page only set baselines (the first page, or one after an incomplete page). */
  baselineOnly: boolean;
}

export class SeriesTracker {
  private previous = new Map<number, number>();
  private next = new Map<number, number>();
  private seenPage = false;
  private previousComplete = false;

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.previous.size;
  }

  /**
   * Reads one page's series and calls `onIncrease` with every positive increment. `complete` is false when the page
   * itself was cut short (more series than the normaliser reads).
   */
  update<S extends CumulativeSeries>(
    series: readonly S[],
    complete: boolean,
    onIncrease: (s: S, increase: number) => void
  ): TrackerResult {
    const previous = this.previous;
    let restarted = false;
    for (const s of series) {
      const before = previous.get(s.id);
      if (before !== undefined && s.value < before) {
        restarted = true;
        break;
      }
    }
    const countNew = restarted || (this.seenPage && this.previousComplete);
    const next = this.next;
    next.clear();
    // Series already tracked first, so new ones never push them out; then new series while there is room.
    for (const s of series) {
      const before = previous.get(s.id);
      if (before !== undefined) {
        next.set(s.id, s.value);
        const increase = restarted ? s.value : s.value - before;
        if (increase > 0) {
          onIncrease(s, increase);
        }
      }
    }
    let untracked = 0;
    for (const s of series) {
      if (previous.has(s.id) || next.has(s.id)) {
        continue;
      }
      if (next.size >= this.capacity) {
        untracked++;
        continue;
      }
      next.set(s.id, s.value);
      if (countNew && s.value > 0) {
        onIncrease(s, s.value);
      }
    }
    this.next = previous;
    this.previous = next;
    const baselineOnly = !countNew;
    this.seenPage = true;
    this.previousComplete = complete && untracked === 0;
    return { untracked, restarted, baselineOnly };
  }
}
