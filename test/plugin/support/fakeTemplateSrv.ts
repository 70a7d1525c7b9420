import { PreviewTemplateSrv, type ResolvedVariable } from '../../../tools/preview/page/templateSrv';

export interface FakeVariable {
  name: string;
  /** The selected value(s); '$__all' for All. */
  current: string | string[];
  /** The variable's options (what All expands to when it has no custom all value). */
  options: string[];
  allValue?: string;
  multi?: boolean;
}

function resolved(v: FakeVariable): ResolvedVariable {
  return {
    name: v.name,
    label: v.name,
    type: 'query',
    options: v.options,
    current: Array.isArray(v.current) ? v.current : [v.current],
    multi: Boolean(v.multi),
    includeAll: true,
    allValue: v.allValue,
    hide: 0,
  };
}

/**
 * Grafana's TemplateSrv as the datasource sees it, over a dashboard's query variables: the preview's (`$var`,
 * `${var}`, `${var:format}` and `[[var]]`; scoped variables first; "All" as the custom all value or every option).
 */
export class FakeTemplateSrv extends PreviewTemplateSrv {
  constructor(variables: FakeVariable[] = []) {
    super(variables.map(resolved));
  }
}
