import React from 'react';
import { getTemplateSrv } from '@grafana/runtime';
import { InlineField } from '@grafana/ui';

import type { Filter } from '../contract';
import { MultiPicker, type PickerOption } from './pickers';

export interface FilterFieldProps {
  label: string;
  tooltip: string;
  value: Filter | undefined;
  options: Array<PickerOption<string>>;
  loading?: boolean;
  /** Why the option list could not be loaded. */
  loadError?: string;
  placeholder?: string;
  labelWidth?: number;
  onChange: (value: string[] | undefined) => void;
}

export function filterValues(value: Filter | undefined): string[] {
  if (value === undefined || value === null) {
    return [];
  }
  return (Array.isArray(value) ? value : [value]).filter((v) => typeof v === 'string' && v !== '');
}

/** The dashboard's template variables as options, so `$node` can be picked like any value. */
export function variableOptions(): Array<PickerOption<string>> {
  return getTemplateSrv()
    .getVariables()
    .map((v) => ({ value: `$${v.name}`, label: `$${v.name}`, description: 'Template variable', group: 'Variables' }));
}

/**
 * A multi-value filter: values from the exporter, the dashboard's variables, or anything typed. Empty means all.
 */
export function FilterField(props: FilterFieldProps) {
  const { label, tooltip, value, options, loading, loadError, placeholder, labelWidth = 14, onChange } = props;
  const selected = filterValues(value);

  const known = new Set(options.map((o) => o.value));
  // Values saved in the query but missing from the exporter's list (a node that left, a typed value) stay visible.
  const saved = selected
    .filter((v) => !known.has(v) && !v.startsWith('$'))
    .map((v) => ({ value: v, label: v, description: 'Not reported by the exporter now' }));
  const allOptions = [...saved, ...options, ...variableOptions().filter((o) => !known.has(o.value))];

  return (
    <InlineField
      label={label}
      labelWidth={labelWidth}
      tooltip={loadError ? `${tooltip} The list of values could not be loaded: ${loadError}` : tooltip}
      loading={loading}
    >
      <MultiPicker
        testId={`filter-${label.toLowerCase().replace(/\s+/g, '-')}`}
        options={allOptions}
        value={selected}
        placeholder={loadError ? 'All (list unavailable)' : (placeholder ?? 'All')}
        minWidth={20}
        maxWidth={60}
        onChange={(values) => onChange(values.length > 0 ? values : undefined)}
      />
    </InlineField>
  );
}
