/**
 * Numbers of the Prometheus/OpenMetrics text formats, read straight from the bytes of a line.
 *
 * Values follow Go's strconv.ParseFloat as Prometheus uses it: decimal with optional sign, fraction and exponent,
 * `NaN`, `Inf`/`Infinity` with optional sign, case-insensitive; no hex floats, no underscores, no spaces.
 * Each function returns `undefined` when the token is not a valid number.
 */

// Exact powers of ten: m * 10^k and m / 10^k are correctly rounded when m < 2^53 and k <= 22 (Clinger's fast path).
const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
  1e21, 1e22,
];
// Below this, mantissa * 10 + 9 stays under 2^53 and is exact.
const MANTISSA_LIMIT = 900719925474099;
const EXPONENT_LIMIT = 100000;

const PLUS = 0x2b;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

export function parseFloatBytes(buf: Buffer, start: number, end: number): number | undefined {
  let i = start;
  if (i >= end) {
    return undefined;
  }
  let c = buf[i];
  let negative = false;
  if (c === MINUS || c === PLUS) {
    negative = c === MINUS;
    if (++i >= end) {
      return undefined;
    }
    c = buf[i];
  }
  if ((c < ZERO || c > NINE) && c !== DOT) {
    return parseSpecial(buf, i, end, negative, i !== start);
  }

  let mantissa = 0;
  let digits = 0;
  let exponent = 0;
  let exact = true;
  let sawDot = false;
  for (; i < end; i++) {
    c = buf[i];
    if (c >= ZERO && c <= NINE) {
      digits++;
      if (mantissa < MANTISSA_LIMIT) {
        mantissa = mantissa * 10 + (c - ZERO);
        if (sawDot) {
          exponent--;
        }
      } else {
        exact = false;
      }
    } else if (c === DOT && !sawDot) {
      sawDot = true;
    } else {
      break;
    }
  }
  if (digits === 0) {
    return undefined;
  }
  if (i < end) {
    if (c !== 0x65 && c !== 0x45) {
      return undefined; // not e/E: garbage such as 1z, 1_2, 0x1p-3, 1.2.3
    }
    i++;
    let expNegative = false;
    if (i < end && (buf[i] === PLUS || buf[i] === MINUS)) {
      expNegative = buf[i] === MINUS;
      i++;
    }
    let e = 0;
    const expStart = i;
    for (; i < end; i++) {
      c = buf[i];
      if (c < ZERO || c > NINE) {
        return undefined;
      }
      if (e < EXPONENT_LIMIT) {
        e = e * 10 + (c - ZERO);
      }
    }
    if (i === expStart) {
      return undefined;
    }
    exponent += expNegative ? -e : e;
  }
  if (exact) {
    if (mantissa === 0) {
      return negative ? -0 : 0;
    }
    if (exponent >= -22 && exponent <= 22) {
      const v = exponent < 0 ? mantissa / POW10[-exponent] : mantissa * POW10[exponent];
      return negative ? -v : v;
    }
  }
  // The syntax is checked above, so Number() sees only forms it reads the same way as Go (and rounds correctly).
  return Number(buf.toString('latin1', start, end));
}

/** `NaN`, `Inf`, `Infinity` in any case; a sign is allowed before the infinities only (as in Go). */
function parseSpecial(buf: Buffer, i: number, end: number, negative: boolean, signed: boolean): number | undefined {
  const n = end - i;
  if (n === 3) {
    const a = buf[i] | 0x20;
    const b = buf[i + 1] | 0x20;
    const c = buf[i + 2] | 0x20;
    if (a === 0x69 && b === 0x6e && c === 0x66) {
      return negative ? -Infinity : Infinity; // inf
    }
    if (!signed && a === 0x6e && b === 0x61 && c === 0x6e) {
      return NaN; // nan
    }
    return undefined;
  }
  if (n === 8 && lowerEquals(buf, i, 'infinity')) {
    return negative ? -Infinity : Infinity;
  }
  return undefined;
}

function lowerEquals(buf: Buffer, i: number, lower: string): boolean {
  for (let k = 0; k < lower.length; k++) {
    if ((buf[i + k] | 0x20) !== lower.charCodeAt(k)) {
      return false;
    }
  }
  return true;
}

const INT64_MAX = '9223372036854775807';
const INT64_MIN_ABS = '9223372036854775808';

/**
 * Prometheus text timestamp: a base-10 int64 of milliseconds, optional sign. Beyond 2^53 the number is the nearest
 * double (timestamps that large are 285,000 years away).
 */
export function parseIntegerBytes(buf: Buffer, start: number, end: number): number | undefined {
  let i = start;
  let negative = false;
  if (i < end && (buf[i] === MINUS || buf[i] === PLUS)) {
    negative = buf[i] === MINUS;
    i++;
  }
  if (i >= end || end - i > 19) {
    return undefined;
  }
  if (end - i === 19 && !digitsAtMost(buf, i, negative ? INT64_MIN_ABS : INT64_MAX)) {
    return undefined; // out of int64 range
  }
  const digitsStart = i;
  let v = 0;
  for (; i < end; i++) {
    const c = buf[i];
    if (c < ZERO || c > NINE) {
      return undefined;
    }
    v = v * 10 + (c - ZERO);
  }
  if (end - digitsStart > 15) {
    v = Number(buf.toString('latin1', digitsStart, end)); // rounds correctly past 2^53
  }
  return negative ? -v : v;
}

/** The 19 bytes at i, if all digits, are at most `limit` (19 digits) as numbers; other bytes are rejected later. */
function digitsAtMost(buf: Buffer, i: number, limit: string): boolean {
  for (let k = 0; k < 19; k++) {
    const d = buf[i + k];
    const l = limit.charCodeAt(k);
    if (d !== l) {
      return d < l;
    }
  }
  return true;
}

/** OpenMetrics timestamp: float seconds, returned as integer milliseconds; NaN and infinities are invalid. */
export function parseSecondsAsMillis(buf: Buffer, start: number, end: number): number | undefined {
  const seconds = parseFloatBytes(buf, start, end);
  if (seconds === undefined || !Number.isFinite(seconds)) {
    return undefined;
  }
  return Math.round(seconds * 1000);
}
