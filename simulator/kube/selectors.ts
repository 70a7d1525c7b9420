/**
 * Label and field selectors as the Kubernetes API server parses them: `k=v`, `k==v`, `k!=v`, `k in (a,b)`,
 * `k notin (a,b)`, `k`, `!k` for labels; `path=v`, `path==v`, `path!=v` for fields; a comma means AND.
 */

export interface LabelRequirement {
  key: string;
  op: 'in' | 'notin' | 'exists' | 'notexists';
  /** The listed values of `in` and `notin`; empty for `exists` and `notexists`. */
  values: string[];
}

export interface FieldRequirement {
  path: string;
  op: '=' | '!=';
  value: string;
}

export class SelectorError extends Error {}

/** Longest selector accepted (the API server has no fixed limit; ours keeps parsing bounded). */
export const MAX_SELECTOR_LENGTH = 4096;

const LABEL_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

export function parseLabelSelector(text: string): LabelRequirement[] {
  checkLength(text, 'labelSelector');
  const requirements: LabelRequirement[] = [];
  for (const part of splitTopLevel(text)) {
    requirements.push(parseLabelRequirement(part));
  }
  return requirements;
}

function parseLabelRequirement(raw: string): LabelRequirement {
  const part = raw.trim();
  const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(part);
  if (set) {
    const values = set[3].split(',').map((v) => v.trim());
    values.forEach((v) => checkLabelValue(v, part));
    return { key: checkLabelKey(set[1], part), op: set[2] as 'in' | 'notin', values };
  }
  const eq = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part);
  if (eq) {
    const key = checkLabelKey(eq[1], part);
    checkLabelValue(eq[3], part);
    return { key, op: eq[2] === '!=' ? 'notin' : 'in', values: [eq[3]] };
  }
  if (part.startsWith('!')) {
    return { key: checkLabelKey(part.slice(1).trim(), part), op: 'notexists', values: [] };
  }
  return { key: checkLabelKey(part, part), op: 'exists', values: [] };
}

function checkLabelKey(key: string, requirement: string): string {
  if (key.length > 317 || !LABEL_KEY.test(key)) {
    throw new SelectorError(`unable to parse requirement: "${requirement}": invalid label key "${key}"`);
  }
  return key;
}

function checkLabelValue(value: string, requirement: string): void {
  if (value.length > 63 || !LABEL_VALUE.test(value)) {
    throw new SelectorError(`unable to parse requirement: "${requirement}": invalid label value "${value}"`);
  }
}

export function matchesLabels(
  requirements: readonly LabelRequirement[],
  labels: Readonly<Record<string, string>>
): boolean {
  for (const r of requirements) {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    let ok: boolean;
    if (r.op === 'exists') {
      ok = has;
    } else if (r.op === 'notexists') {
      ok = !has;
    } else {
      const listed = has && r.values.includes(labels[r.key]);
      ok = r.op === 'in' ? listed : !listed;
    }
    if (!ok) {
      return false;
    }
  }
  return true;
}

/** Parses a field selector; `supported` lists the paths this resource can be selected by. */
export function parseFieldSelector(text: string, supported: readonly string[]): FieldRequirement[] {
  checkLength(text, 'fieldSelector');
  const requirements: FieldRequirement[] = [];
  for (const raw of splitUnescaped(text, ',')) {
    const part = raw.trim();
    if (part === '') {
      continue;
    }
    const match = /^((?:[^\\=!]|\\.)+?)\s*(==|=|!=)(.*)$/.exec(part);
    if (!match) {
      throw new SelectorError(`invalid selector: '${text}'; can't understand '${part}'`);
    }
    const path = match[1].trim();
    if (!supported.includes(path)) {
      throw new SelectorError(`field label not supported: ${path}`);
    }
    requirements.push({ path, op: match[2] === '!=' ? '!=' : '=', value: unescape(match[3]) });
  }
  return requirements;
}

export function matchesFields(requirements: readonly FieldRequirement[], field: (path: string) => string): boolean {
  for (const r of requirements) {
    const value = field(r.path);
    if ((value === r.value) !== (r.op === '=')) {
      return false;
    }
  }
  return true;
}

function checkLength(text: string, name: string): void {
  if (text.length > MAX_SELECTOR_LENGTH) {
    throw new SelectorError(`${name} longer than ${MAX_SELECTOR_LENGTH} characters`);
  }
}

/** Splits on commas outside parentheses; empty parts are dropped. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') {
      depth++;
    } else if (c === ')') {
      depth--;
      if (depth < 0) {
        throw new SelectorError(`unable to parse requirement: unbalanced ")" in "${text}"`);
      }
    } else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) {
    throw new SelectorError(`unable to parse requirement: unbalanced "(" in "${text}"`);
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

/** Splits on a separator not preceded by a backslash (field selector values escape `\`, `,` and `=`). */
function splitUnescaped(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\' && i + 1 < text.length) {
      current += text[i] + text[i + 1];
      i++;
    } else if (text[i] === separator) {
      parts.push(current);
      current = '';
    } else {
      current += text[i];
    }
  }
  parts.push(current);
  return parts;
}

function unescape(value: string): string {
  return value.replace(/\\(.)/g, '$1');
}
