/**
 * The editors' option pickers on every Grafana the plugin supports. Grafana hands the plugin its own @grafana/ui at
 * run time: 11.x and later export Combobox and MultiCombobox, 10.4 does not (rendering an undefined component is
 * React's error #130), but has Select and MultiSelect. Which one this Grafana has is checked once, when the module
 * loads, the way Grafana's plugin docs recommend runtime checks ("Manage backwards compatibility with runtime
 * checks"); the editors use one interface for both.
 */
import React, { type ComponentType } from 'react';
import * as grafanaUi from '@grafana/ui';
import type { SelectableValue } from '@grafana/data';
import { MultiSelect, Select } from '@grafana/ui';

export interface PickerOption<T extends string = string> {
  value: T;
  label: string;
  description?: string;
  /** Options with the same group are listed together under it, after the ungrouped ones. */
  group?: string;
}

/** The props of Combobox and MultiCombobox that the editors use (the same in 11.x, 12.x and 13.x). */
interface ComboboxProps {
  id?: string;
  'data-testid'?: string;
  options: PickerOption[];
  value: string | null;
  width?: number | 'auto';
  onChange: (option: PickerOption) => void;
}

interface MultiComboboxProps {
  'data-testid'?: string;
  options: PickerOption[];
  value: string[];
  placeholder?: string;
  createCustomValue?: boolean;
  isClearable?: boolean;
  width?: number | 'auto';
  minWidth?: number;
  maxWidth?: number;
  onChange: (options: PickerOption[]) => void;
}

/** Exports of newer @grafana/ui releases, undefined on the Grafana versions that lack them. */
function optionalExport<P>(name: string): ComponentType<P> | undefined {
  const value = (grafanaUi as unknown as Record<string, unknown>)[name];
  return value === undefined ? undefined : (value as ComponentType<P>);
}

const Combobox = optionalExport<ComboboxProps>('Combobox');
const MultiCombobox = optionalExport<MultiComboboxProps>('MultiCombobox');

/** Which pickers this Grafana gets: Combobox (11.x and later) or Select (10.4). */
export const PICKER_KIND: 'combobox' | 'select' = Combobox && MultiCombobox ? 'combobox' : 'select';

/**
 * Options for Select (10.4): ungrouped first, then each group in the order it first appears, the group named in
 * each option's description. (10.4's Select folds grouped options away until a group is clicked open.)
 */
export function selectOptions<T extends string>(options: Array<PickerOption<T>>): Array<SelectableValue<T>> {
  const ungrouped: Array<SelectableValue<T>> = [];
  const groups = new Map<string, Array<SelectableValue<T>>>();
  for (const { group, ...option } of options) {
    if (group === undefined) {
      ungrouped.push(option);
    } else {
      const description = option.description ? `${group}: ${option.description}` : group;
      groups.set(group, [...(groups.get(group) ?? []), { ...option, description }]);
    }
  }
  return [...ungrouped, ...[...groups.values()].flat()];
}

export interface PickerProps<T extends string> {
  id?: string;
  testId?: string;
  options: Array<PickerOption<T>>;
  value: T;
  width: number;
  onChange: (value: T) => void;
}

/** Picks one of a fixed list. */
export function Picker<T extends string>({ id, testId, options, value, width, onChange }: PickerProps<T>) {
  if (PICKER_KIND === 'combobox') {
    const Component = Combobox!;
    return (
      <Component
        id={id}
        data-testid={testId}
        options={options}
        value={value}
        width={width}
        onChange={(option) => onChange(option.value as T)}
      />
    );
  }
  return (
    // Deprecated in favour of Combobox, which 10.4 does not have.
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    <Select<T>
      inputId={id}
      data-testid={testId}
      options={options}
      value={value}
      width={width}
      onChange={(option) => option.value !== undefined && onChange(option.value)}
    />
  );
}

export interface MultiPickerProps {
  testId?: string;
  options: PickerOption[];
  value: string[];
  placeholder?: string;
  /** Widths in multiples of 8 px; Select (10.4) keeps the minimum and wraps what is picked. */
  minWidth: number;
  maxWidth: number;
  onChange: (values: string[]) => void;
}

/** Picks any number of values from a list, or typed ones; none selected means all. */
export function MultiPicker({ testId, options, value, placeholder, minWidth, maxWidth, onChange }: MultiPickerProps) {
  if (PICKER_KIND === 'combobox') {
    const Component = MultiCombobox!;
    return (
      <Component
        data-testid={testId}
        options={options}
        value={value}
        placeholder={placeholder}
        createCustomValue
        isClearable
        width="auto"
        minWidth={minWidth}
        maxWidth={maxWidth}
        onChange={(picked) => onChange(picked.map((o) => o.value))}
      />
    );
  }
  return (
    // Deprecated in favour of MultiCombobox, which 10.4 does not have.
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    <MultiSelect<string>
      data-testid={testId}
      options={selectOptions(options)}
      value={value}
      placeholder={placeholder}
      allowCustomValue
      isClearable
      width={minWidth}
      onChange={(picked) => onChange(picked.flatMap((o) => (o.value === undefined ? [] : [o.value])))}
    />
  );
}
