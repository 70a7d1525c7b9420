import React, { useEffect } from 'react';
import type { DataSourceApi, QueryEditorProps } from '@grafana/data';
import { InlineField, InlineFieldRow, InlineSwitch, Stack, Text } from '@grafana/ui';

import type { ScopeDataQuery, ScopeJsonData, ScopeVariableQuery, VariableQueryKind } from '../types';
import { Picker, type PickerOption } from './pickers';
import { parseVariableQuery, VARIABLE_QUERY_SYNTAX, variableQueryText, VariableQueryError } from '../variableQuery';

type Props = QueryEditorProps<
  DataSourceApi<ScopeDataQuery, ScopeJsonData>,
  ScopeDataQuery,
  ScopeJsonData,
  ScopeVariableQuery
>;

const KIND_OPTIONS: Array<PickerOption<VariableQueryKind>> = (
  Object.keys(VARIABLE_QUERY_SYNTAX) as VariableQueryKind[]
).map((value) => ({
  value,
  label: VARIABLE_QUERY_SYNTAX[value].label,
  description: VARIABLE_QUERY_SYNTAX[value].description,
}));

function parsed(query: ScopeVariableQuery): { kind: VariableQueryKind; seenOnly: boolean; error?: string } {
  try {
    return parseVariableQuery(query);
  } catch (err) {
    return { kind: 'nodes', seenOnly: false, error: err instanceof VariableQueryError ? err.message : String(err) };
  }
}

/** A query variable: what to list. Stores the structured form and its text form (`nodes()`, ...) together. */
export function VariableQueryEditor({ query, onChange }: Props) {
  const { kind, seenOnly, error } = parsed(query);

  const change = (nextKind: VariableQueryKind, nextSeenOnly: boolean) =>
    onChange({
      ...query,
      kind: nextKind,
      seenOnly: nextKind === 'dropReasons' ? nextSeenOnly : undefined,
      query: variableQueryText(nextKind, nextSeenOnly),
    });

  // A new variable starts as nodes(); a text-only query (provisioned) gains its structured form.
  useEffect(() => {
    if (!query.kind && !error) {
      change(kind, seenOnly);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  return (
    <Stack direction="column" gap={0}>
      <InlineFieldRow>
        <InlineField
          label="List"
          labelWidth={14}
          tooltip="Values for this variable. Text form for provisioning: nodes(), namespaces(), directions(), drop_reasons(), drop_reasons(seen)."
          invalid={Boolean(error)}
          error={error}
        >
          <Picker<VariableQueryKind>
            testId="variable-kind"
            options={KIND_OPTIONS}
            value={kind}
            width={30}
            onChange={(next) => change(next, seenOnly)}
          />
        </InlineField>
        {kind === 'dropReasons' && (
          <InlineField
            label="Reported now only"
            labelWidth={20}
            tooltip="Only the reasons the cluster reports drops for now."
          >
            <InlineSwitch value={seenOnly} onChange={(e) => change(kind, e.currentTarget.checked)} />
          </InlineField>
        )}
      </InlineFieldRow>
      <Text variant="bodySmall" color="secondary">
        {`${VARIABLE_QUERY_SYNTAX[kind].description}. Query: ${variableQueryText(kind, seenOnly)}`}
      </Text>
    </Stack>
  );
}
