import type { ScopedVars, TypedVariableModel } from '@grafana/data';
import type { TemplateSrv } from '@grafana/runtime';

export interface FakeVariable {
  name: string;
  /** The selected value(s); '$__all' for All. */
  current: string | string[];
  /** The variable's options (what All expands to when it has no custom all value). */
  options: string[];
  allValue?: string;
  multi?: boolean;
}

const REFERENCE = /\$(\w+)|\$\{(\w+)(?::([^}]*))?\}|\[\[(\w+)(?::([^\]]*))?\]\]/g;

type Format = string | ((value: string | string[], variable: unknown) => string) | undefined;

function applyFormat(value: string | string[], format: Format, variable: FakeVariable | undefined): string {
  if (typeof format === 'function') {
    return format(value, variable);
  }
  const values = Array.isArray(value) ? value : [value];
  switch (format) {
    case 'csv':
      return values.join(',');
    case 'pipe':
      return values.join('|');
    case 'json':
      return JSON.stringify(value);
    default:
      // Grafana's default for a multi-value variable is a glob.
      return values.length > 1 ? `{${values.join(',')}}` : (values[0] ?? '');
  }
}

/**
 * Grafana's TemplateSrv as the datasource sees it: `$var`, `${var}`, `${var:format}` and `[[var]]` references;
 * scoped variables first; "All" expands to the custom all value or to every option; a format function receives the
 * value (an array for several values) and the variable, like Grafana's.
 */
export class FakeTemplateSrv implements TemplateSrv {
  readonly calls: Array<{ target?: string; format?: Format }> = [];

  constructor(private readonly variables: FakeVariable[] = []) {}

  getVariables(): TypedVariableModel[] {
    return this.variables.map(
      (v) =>
        ({
          name: v.name,
          type: 'query',
          multi: Boolean(v.multi),
          includeAll: true,
          allValue: v.allValue ?? null,
          current: { value: v.current, text: v.current },
          options: v.options.map((o) => ({ value: o, text: o, selected: false })),
        }) as unknown as TypedVariableModel
    );
  }

  replace(target?: string, scopedVars?: ScopedVars, format?: Format): string {
    this.calls.push({ target, format });
    if (!target) {
      return '';
    }
    return target.replace(REFERENCE, (match, n1, n2, f2, n3, f3) => {
      const name = n1 ?? n2 ?? n3;
      const inlineFormat: Format = f2 ?? f3 ?? format;
      const scoped = scopedVars?.[name];
      if (scoped) {
        return applyFormat(scoped.value as string | string[], inlineFormat, undefined);
      }
      const variable = this.variables.find((v) => v.name === name);
      if (!variable) {
        return match;
      }
      const selected = variable.current;
      const isAll = selected === '$__all' || (Array.isArray(selected) && selected.includes('$__all'));
      if (isAll) {
        if (variable.allValue !== undefined) {
          return variable.allValue;
        }
        return applyFormat(variable.options, inlineFormat, variable);
      }
      return applyFormat(selected, inlineFormat, variable);
    });
  }

  containsTemplate(target?: string): boolean {
    if (!target) {
      return false;
    }
    REFERENCE.lastIndex = 0;
    const found = [...target.matchAll(REFERENCE)].some((m) =>
      this.variables.some((v) => v.name === (m[1] ?? m[2] ?? m[4]))
    );
    return found;
  }

  updateTimeRange(): void {}
}
