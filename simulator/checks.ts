/** The error the cluster's options and control calls throw for bad input, and the range checks behind it. */

export class ClusterOptionsError extends Error {}

export function checkNumber(value: number, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new ClusterOptionsError(`${field} must be a number from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

export function checkInteger(value: number, field: string, min: number, max: number): number {
  checkNumber(value, field, min, max);
  if (!Number.isInteger(value)) {
    throw new ClusterOptionsError(`${field} must be an integer, got ${value}`);
  }
  return value;
}
