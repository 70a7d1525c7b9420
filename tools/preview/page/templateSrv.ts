/**
 * The dashboard's template variables with their resolved options and current values, and a TemplateSrv over them
 * (what Grafana's runtime hands datasources through `getTemplateSrv()`): `$var`, `${var}`, `${var:format}` and
 * `[[var]]`, "All" as the custom all value or every option, multi-value variables through the caller's format
 * function unless the reference names a format, scoped variables first. The plugin's jsdom tests use the same one
 * (test/plugin/support/fakeTemplateSrv.ts).
 */
import type { ScopedVars, TypedVariableModel } from '@grafana/data';
import type { TemplateSrv } from '@grafana/runtime';

export interface ResolvedVariable {
  name: string;
  label: string;
  type: string;
  /** Every option the variable offers. */
  options: string[];
  /** Selected values; `['$__all']` for All. */
  current: string[];
  multi: boolean;
  includeAll: boolean;
  allValue?: string;
  hide: number;
}

const ALL = '$__all';
const REFERENCE = /\$(\w+)|\$\{(\w+)(?::([^}]*))?\}|\[\[(\w+)(?::([^\]]*))?\]\]/g;

export function isAll(variable: ResolvedVariable): boolean {
  return variable.current.includes(ALL);
}

/** The value a variable stands for: the custom all value, every option for All, or the selection. */
function valueOf(variable: ResolvedVariable): string | string[] {
  if (isAll(variable)) {
    return variable.allValue ?? variable.options;
  }
  return variable.multi ? variable.current : (variable.current[0] ?? '');
}

type Format = string | Function | undefined;

/** A value in a format: the caller's format function, or one of Grafana's named formats (glob by default). */
function formatValue(value: string | string[], format: Format, variable: () => unknown): string {
  if (typeof format === 'function') {
    return String(format(value, variable()));
  }
  const values = Array.isArray(value) ? value : [value];
  switch (format) {
    case 'csv':
      return values.join(',');
    case 'pipe':
      return values.join('|');
    case 'regex':
      return values.length === 1 ? values[0] : `(${values.join('|')})`;
    case 'json':
      return JSON.stringify(value);
    default:
      return values.length > 1 ? `{${values.join(',')}}` : (values[0] ?? '');
  }
}

export class PreviewTemplateSrv implements TemplateSrv {
  constructor(private variables: ResolvedVariable[] = []) {}

  setVariables(variables: ResolvedVariable[]): void {
    this.variables = variables;
  }

  list(): ResolvedVariable[] {
    return this.variables;
  }

  getVariables(): TypedVariableModel[] {
    return this.variables.map(
      (v) =>
        ({
          name: v.name,
          label: v.label,
          type: v.type,
          multi: v.multi,
          includeAll: v.includeAll,
          allValue: v.allValue,
          current: { value: v.multi ? v.current : v.current[0], text: isAll(v) ? 'All' : v.current.join(' + ') },
          options: v.options.map((o) => ({ text: o, value: o, selected: v.current.includes(o) })),
        }) as unknown as TypedVariableModel
    );
  }

  replace(target?: string, scopedVars?: ScopedVars, format?: Format): string {
    if (!target) {
      return target ?? '';
    }
    return target.replace(
      REFERENCE,
      (whole, a?: string, b?: string, bFormat?: string, c?: string, cFormat?: string) => {
        const name = (a ?? b ?? c)!;
        // A format written in the reference wins over the caller's, as in Grafana.
        const chosen = bFormat ?? cFormat ?? format;
        const scoped = scopedVars?.[name];
        if (scoped) {
          return formatValue(scoped.value as string | string[], chosen, () => ({ name }));
        }
        const variable = this.variables.find((v) => v.name === name);
        if (!variable) {
          return whole;
        }
        if (isAll(variable) && variable.allValue !== undefined) {
          // Grafana passes a custom all value through unformatted.
          return variable.allValue;
        }
        return formatValue(valueOf(variable), chosen, () => this.getVariables().find((v) => v.name === name));
      }
    );
  }

  containsTemplate(target?: string): boolean {
    if (!target) {
      return false;
    }
    return [...target.matchAll(REFERENCE)].some((m) => {
      const name = m[1] ?? m[2] ?? m[4];
      return this.variables.some((v) => v.name === name) || name.startsWith('__');
    });
  }

  updateTimeRange(): void {}
}
