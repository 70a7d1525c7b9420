type Typed = Float32Array | Int32Array | Uint32Array | Uint16Array | Uint8Array;

/** A copy of `a` in a new array of the same type and `length` elements (the rest zero). */
export function grown<T extends Typed>(a: T, length: number): T {
  const b = new (a.constructor as new (n: number) => T)(length);
  b.set(a);
  return b;
}
