import React, { useEffect, useState } from 'react';
import type { DataSourceApi, QueryEditorProps } from '@grafana/data';
import { InlineField, InlineFieldRow, InlineSwitch, Input, Stack, Text } from '@grafana/ui';

import type { ScopeDataQuery, ScopeJsonData, ScopeVariableQuery, VariableQueryKind } from '../types';
import { Picker, type PickerOption } from './pickers';
import {
  parseVariableQuery,
  VARIABLE_QUERY_SYNTAX,
  variableQueryText,
  VariableQueryError,
  type ParsedVariableQuery,
} from '../variableQuery';

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

function parsed(query: ScopeVariableQuery): ParsedVariableQuery & { error?: string } {
  try {
    return parseVariableQuery(query);
  } catch (err) {
    return { kind: 'nodes', seenOnly: false, error: err instanceof VariableQueryError ? err.message : String(err) };
  }
}

/** A query variable: what to list. Stores the structured form and its text form (`nodes()`, ...) together. */
export function VariableQueryEditor({ query, onChange }: Props) {
  const current = parsed(query);
  const { kind, seenOnly, error } = current;
  // The namespace argument is committed on blur, so the text form is not rewritten at every key.
  const [namespaceDraft, setNamespaceDraft] = useState(current.namespace ?? '');

  const change = (next: ParsedVariableQuery) =>
    onChange({
      ...query,
      kind: next.kind,
      seenOnly: next.kind === 'dropReasons' ? next.seenOnly : undefined,
      droppedOnly: next.kind === 'namespaces' && next.droppedOnly ? true : undefined,
      namespace: next.kind === 'workloads' ? next.namespace || undefined : undefined,
      query: variableQueryText(next.kind, next.seenOnly, next),
    });

  // A new variable starts as nodes(); a text-only query (provisioned) gains its structured form.
  useEffect(() => {
    if (!query.kind && !error) {
      change(current);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  return (
    <Stack direction="column" gap={0}>
      <InlineFieldRow>
        <InlineField
          label="List"
          labelWidth={14}
          tooltip="Values for this variable. Text form for provisioning: nodes(), namespaces(), namespaces(dropped), workloads(), workloads($namespace), directions(), drop_reasons(), drop_reasons(seen)."
          invalid={Boolean(error)}
          error={error}
        >
          <Picker<VariableQueryKind>
            testId="variable-kind"
            options={KIND_OPTIONS}
            value={kind}
            width={30}
            onChange={(next) => change({ ...current, kind: next })}
          />
        </InlineField>
        {kind === 'dropReasons' && (
          <InlineField
            label="Reported now only"
            labelWidth={20}
            tooltip="Only the reasons the cluster reports drops for now."
          >
            <InlineSwitch
              value={seenOnly}
              onChange={(e) => change({ ...current, seenOnly: e.currentTarget.checked })}
            />
          </InlineField>
        )}
        {kind === 'namespaces' && (
          <InlineField
            label="With drops only"
            labelWidth={18}
            tooltip="Only the namespaces of workload pairs with drops in the dashboard's time range (Hubble), not every namespace with pods."
          >
            <InlineSwitch
              data-testid="variable-dropped-only"
              value={Boolean(current.droppedOnly)}
              onChange={(e) => change({ ...current, droppedOnly: e.currentTarget.checked })}
            />
          </InlineField>
        )}
        {kind === 'workloads' && (
          <InlineField
            label="Namespace"
            labelWidth={12}
            tooltip="Namespaces whose workloads to list: names or a variable such as $namespace, comma-separated. Empty: every namespace."
          >
            <Input
              data-testid="variable-namespace"
              width={24}
              placeholder="All, or $namespace"
              value={namespaceDraft}
              onChange={(e) => setNamespaceDraft(e.currentTarget.value)}
              onBlur={() => change({ ...current, namespace: namespaceDraft.trim() })}
            />
          </InlineField>
        )}
      </InlineFieldRow>
      <Text variant="bodySmall" color="secondary">
        {`${VARIABLE_QUERY_SYNTAX[kind].description}. Query: ${variableQueryText(kind, seenOnly, current)}`}
      </Text>
    </Stack>
  );
}
