/**
 * How many leading items of a sorted sequence of `length` items are at or before a bound, `atOrBefore(i)` telling for
 * item i (true for a prefix, false after): the index of the first item past the bound, by binary search.
 */
export function countAtOrBefore(length: number, atOrBefore: (i: number) => boolean): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (atOrBefore(mid)) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}
