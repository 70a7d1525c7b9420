/**
 * Strings out of the bytes of a metrics page.
 *
 * Reading bytes one at a time is the parser's main cost; reading them eight at a time through a DataView is several
 * times cheaper. So the short ASCII strings that repeat on every page (family names, label names, label values such
 * as `le="0.005"`) are kept as atoms: the string with its bytes as 64-bit chunks, compared against the page chunk by
 * chunk. An intern table of atoms, shared by all parsers, turns a page's bytes back into the same string objects
 * scrape after scrape.
 */

type FastBuffer = Buffer & { latin1Slice(start: number, end: number): string };

export interface Atom {
  readonly s: string;
  /** Byte length (= s.length: atoms are ASCII). */
  readonly n: number;
  readonly hash: number;
  /**
   * When set, bytes [8k, 8k + 8) read as little-endian float64 for k < floor(n / 8), and `last` the 8 bytes ending
   * at n. Equal doubles mean equal bytes unless the double is ±0 or NaN, which ASCII text forms only from eight NUL
   * bytes: such atoms (and those under 8 bytes) are compared byte by byte instead.
   */
  readonly chunks: number[] | undefined;
  readonly last: number;
  /** The first and the last four bytes as little-endian int32 (4 to 7 bytes), or two bytes as uint16 (2 or 3). */
  readonly head: number;
  readonly tail: number;
  /** The string is a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*). */
  readonly metricName: boolean;
  /** The string is a valid label name ([a-zA-Z_][a-zA-Z0-9_]*). */
  readonly labelName: boolean;
  /** Its slot in the intern table, or -1. */
  slot: number;
  /**
   * The slot of the label value that last followed this one at the same place in consecutive samples (`le="0.01"`
   * after `le="0.005"`), or -1: a guess to try when the previous sample's value does not match, verified like any
   * other. A slot rather than a reference, so that atoms never keep each other alive.
   */
  nextSlot: number;
}

const INTERN_SIZE = 8192; // power of two
export const ATOM_MAX_LENGTH = 128;
const internTable: Array<Atom | undefined> = new Array<Atom | undefined>(INTERN_SIZE).fill(undefined);

export function latin1(buf: Buffer, start: number, end: number): string {
  return (buf as FastBuffer).latin1Slice(start, end);
}

/** Hash of bytes [start, end), read as 32-bit words. */
export function hashBytes(view: DataView, buf: Buffer, start: number, end: number): number {
  const n = end - start;
  let h = n;
  if (n < 4) {
    for (let i = start; i < end; i++) {
      h = Math.imul(h ^ buf[i], 0x9e3779b1);
    }
  } else {
    for (let i = start; i + 4 <= end; i += 4) {
      h = Math.imul(h ^ view.getInt32(i, true), 0x9e3779b1);
    }
    h = Math.imul(h ^ view.getInt32(end - 4, true), 0x85ebca6b);
  }
  return h ^ (h >>> 15);
}

/** True when bytes [p, p + atom.n) are the atom's. The caller guarantees p + atom.n <= the line's end. */
export function atomAt(view: DataView, buf: Buffer, p: number, atom: Atom): boolean {
  const chunks = atom.chunks;
  if (chunks !== undefined) {
    for (let k = 0; k < chunks.length; k++) {
      if (view.getFloat64(p + 8 * k, true) !== chunks[k]) {
        return false;
      }
    }
    return view.getFloat64(p + atom.n - 8, true) === atom.last;
  }
  const n = atom.n;
  if (n >= 4 && n < 8) {
    return view.getInt32(p, true) === atom.head && view.getInt32(p + n - 4, true) === atom.tail;
  }
  if (n === 2 || n === 3) {
    return view.getUint16(p, true) === atom.head && view.getUint16(p + n - 2, true) === atom.tail;
  }
  const s = atom.s;
  for (let i = 0; i < n; i++) {
    if (buf[p + i] !== s.charCodeAt(i)) {
      return false;
    }
  }
  return true;
}

/** The atom of ASCII bytes [start, end), from the intern table or made and entered there. */
export function internAtom(view: DataView, buf: Buffer, start: number, end: number): Atom {
  const n = end - start;
  const hash = hashBytes(view, buf, start, end);
  if (n > ATOM_MAX_LENGTH) {
    return makeAtom(latin1(buf, start, end), hash);
  }
  const slot = hash & (INTERN_SIZE - 1);
  const cached = internTable[slot];
  if (cached !== undefined && cached.hash === hash && cached.n === n && atomAt(view, buf, start, cached)) {
    return cached;
  }
  const atom = makeAtom(latin1(buf, start, end), hash);
  const evicted = internTable[slot];
  if (evicted !== undefined) {
    evicted.slot = -1;
  }
  atom.slot = slot;
  internTable[slot] = atom;
  return atom;
}

/** The atom that followed `atom` last time (see Atom.nextSlot), if any. */
export function successorOf(atom: Atom): Atom | undefined {
  return atom.nextSlot >= 0 ? internTable[atom.nextSlot] : undefined;
}

export function setSuccessor(atom: Atom, next: Atom): void {
  atom.nextSlot = next.slot;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function makeAtom(s: string, hash: number): Atom {
  const n = s.length;
  let chunks: number[] | undefined;
  let last = 0;
  const bytes = Buffer.from(s, 'latin1');
  if (n >= 8) {
    chunks = [];
    for (let k = 0; k + 8 <= n; k += 8) {
      chunks.push(bytes.readDoubleLE(k));
    }
    last = bytes.readDoubleLE(n - 8);
    if (chunks.some((d) => d === 0 || Number.isNaN(d)) || last === 0 || Number.isNaN(last)) {
      chunks = undefined;
    }
  }
  const head = n >= 4 ? bytes.readInt32LE(0) : n >= 2 ? bytes.readUInt16LE(0) : 0;
  const tail = n >= 4 ? bytes.readInt32LE(n - 4) : n >= 2 ? bytes.readUInt16LE(n - 2) : 0;
  const metricName = METRIC_NAME.test(s);
  const labelName = LABEL_NAME.test(s);
  return { s, n, hash, chunks, last, head, tail, metricName, labelName, slot: -1, nextSlot: -1 };
}

/** An atom for a string known in advance (suffixes). ASCII only. */
export function atomOf(s: string): Atom {
  const buf = Buffer.from(s, 'latin1');
  return makeAtom(s, hashBytes(viewOf(buf), buf, 0, buf.length));
}

export function viewOf(buf: Buffer): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.length);
}

let scratch = Buffer.allocUnsafe(1024);

/**
 * Decodes the escaped text [start, end) as UTF-8: `\\` → `\`, `\n` → newline and, when `quote` is set, `\"` → `"`.
 * Any other backslash pair stays as written (as Prometheus does).
 */
export function unescapeUtf8(buf: Buffer, start: number, end: number, quote: boolean): string {
  if (scratch.length < end - start) {
    scratch = Buffer.allocUnsafe(Math.max(end - start, scratch.length * 2));
  }
  const out = scratch;
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c === 0x5c && i + 1 < end) {
      const d = buf[i + 1];
      if (d === 0x5c || d === 0x6e || (d === 0x22 && quote)) {
        out[n++] = d === 0x6e ? 0x0a : d;
        i++;
        continue;
      }
    }
    out[n++] = c;
  }
  const s = out.toString('utf8', 0, n);
  if (scratch.length > 1 << 20) {
    scratch = Buffer.allocUnsafe(1024); // do not keep a huge buffer after one huge value
  }
  return s;
}

const EXCERPT_HEAD = 100;
const EXCERPT_CONTEXT = 40;

/**
 * A short, printable excerpt of a line for error messages: the whole line when short; else its start and, when the
 * problem lies further on, the bytes around `column` (0-based byte offset in the line).
 */
export function excerptOf(buf: Buffer, start: number, end: number, column: number): string {
  const n = end - start;
  if (n <= EXCERPT_HEAD) {
    return printable(buf.toString('utf8', start, end));
  }
  if (column < EXCERPT_HEAD - 10) {
    return `${printable(buf.toString('utf8', start, start + EXCERPT_HEAD))}…`;
  }
  const from = Math.max(start + EXCERPT_CONTEXT, start + column - EXCERPT_CONTEXT);
  const to = Math.min(end, start + column + EXCERPT_CONTEXT);
  const head = printable(buf.toString('utf8', start, start + EXCERPT_CONTEXT));
  const around = printable(buf.toString('utf8', from, to));
  return `${head} … ${around}${to < end ? '…' : ''}`;
}

function printable(s: string): string {
  return s.replace(
    /[\u0000-\u0008\u000a-\u001f\u007f]/g,
    (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`
  );
}
