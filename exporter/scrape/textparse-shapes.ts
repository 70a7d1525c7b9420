/**
 * Label-set shapes: for each sequence of label names seen (`method,path,return_code,le`), a function that builds the
 * Labels object as an object literal. V8 creates such literals several times faster than an empty object filled by
 * computed keys, and the consumers get objects that share one hidden class per shape.
 *
 * Shapes are found through a trie keyed by the name atoms (object identity, no string building). Label names
 * reaching here are checked by the parser ([a-zA-Z_][a-zA-Z0-9_]*), so quoting them with JSON.stringify inside
 * generated code is safe; `__proto__` (which a literal would treat as the prototype) is never given a shape.
 */
import type { Labels } from './textparse';
import type { Atom } from './textparse-strings';

export interface Shape {
  readonly make: (values: readonly string[]) => Labels;
}

interface Node {
  /** undefined: not known yet; null: these names have no shape (duplicate, `__proto__`, too many shapes). */
  shape: Shape | null | undefined;
  duplicate: number;
  children: Map<Atom, Node> | undefined;
}

const MAX_SHAPES = 1024;
const MAX_NODES = 16384;
const byKey = new Map<string, Shape>();
let root: Node = newNode();
let codeGeneration = true;
let nodes = 0;

function newNode(): Node {
  return { shape: undefined, duplicate: -1, children: undefined };
}

/** Index of the first name that repeats an earlier one among names[0, count), or -1. */
function duplicateIndex(names: readonly Atom[], count: number): number {
  for (let i = 1; i < count; i++) {
    for (let j = 0; j < i; j++) {
      if (names[i].s === names[j].s) {
        return i;
      }
    }
  }
  return -1;
}

/**
 * The shape of the label names names[0, count) (count >= 1). Returns the shape, or the index of a repeated name
 * (a number), or null when the caller must build the object itself (`buildLabels`).
 */
export function shapeOf(names: readonly Atom[], count: number): Shape | number | null {
  let node = root;
  for (let i = 0; i < count; i++) {
    let children = node.children;
    if (children === undefined) {
      children = new Map();
      node.children = children;
    }
    let child = children.get(names[i]);
    if (child === undefined) {
      if (nodes >= MAX_NODES) {
        root = newNode(); // names of unbounded variety: start over rather than grow
        nodes = 0;
        return shapeOf(names, count);
      }
      child = newNode();
      children.set(names[i], child);
      nodes++;
    }
    node = child;
  }
  if (node.shape === undefined) {
    node.duplicate = duplicateIndex(names, count);
    node.shape = node.duplicate >= 0 ? null : makeShape(names, count);
  }
  return node.duplicate >= 0 ? node.duplicate : node.shape;
}

function makeShape(names: readonly Atom[], count: number): Shape | null {
  let key = '';
  const fields: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = names[i].s;
    if (name === '__proto__') {
      return null;
    }
    key += `${name},`;
    fields.push(`${JSON.stringify(name)}: v[${i}]`);
  }
  let shape = byKey.get(key);
  if (shape === undefined) {
    if (byKey.size >= MAX_SHAPES || !codeGeneration) {
      return null;
    }
    let make: (values: readonly string[]) => Labels;
    try {
      make = new Function('v', `return { ${fields.join(', ')} };`) as (values: readonly string[]) => Labels;
    } catch {
      codeGeneration = false; // e.g. node --disallow-code-generation-from-strings: build objects one key at a time
      return null;
    }
    shape = { make };
    byKey.set(key, shape);
  }
  return shape;
}

/** Builds a Labels object without a shape; the names must be distinct. */
export function buildLabels(names: readonly Atom[], values: readonly string[], count: number): Labels {
  const labels: Labels = {};
  for (let i = 0; i < count; i++) {
    Object.defineProperty(labels, names[i].s, {
      value: values[i],
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return labels;
}
