/** Small helpers for the values the simulator writes: rounding to a step, and Go's order of label values. */

export function roundTo(value: number, step: number): number {
  const inverse = Math.round(1 / step);
  return Math.round(value * inverse) / inverse;
}

/** Byte-wise string order, as Go sorts label values. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
