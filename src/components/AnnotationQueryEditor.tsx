import React from 'react';
import type { AnnotationQuery, QueryEditorProps } from '@grafana/data';
import { InlineField, InlineFieldRow, Stack, Text } from '@grafana/ui';

import { ANNOTATION_KINDS, DEFAULT_ANNOTATION_KIND } from '../queryCatalog';
import type { AnnotationKind } from '../contract';
import type { DataSource } from '../datasource';
import type { ScopeDataQuery } from '../types';
import { FilterField } from './FilterField';
import { Picker, type PickerOption } from './pickers';
import { useAsyncOptions } from './useAsyncOptions';

type Props = QueryEditorProps<DataSource, ScopeDataQuery> & {
  annotation?: AnnotationQuery<ScopeDataQuery>;
  onAnnotationChange?: (annotation: AnnotationQuery<ScopeDataQuery>) => void;
};

const KIND_OPTIONS: Array<PickerOption<AnnotationKind>> = (Object.keys(ANNOTATION_KINDS) as AnnotationKind[]).map(
  (value) => ({ value, label: ANNOTATION_KINDS[value].label, description: ANNOTATION_KINDS[value].description })
);

/** Picks the kind of events to mark on time series panels, optionally for some nodes only. */
export function AnnotationQueryEditor({ query, onChange, datasource }: Props) {
  const kind = query.annotationKind ?? DEFAULT_ANNOTATION_KIND;
  const nodes = useAsyncOptions(
    () => datasource.getNodes().then((list) => list.map((n) => ({ value: n.name, label: n.name }))),
    'nodes'
  );

  return (
    <Stack direction="column" gap={0}>
      <InlineFieldRow>
        <InlineField label="Events" labelWidth={14} tooltip="Which events to mark on the dashboard's time series.">
          <Picker<AnnotationKind>
            testId="annotation-kind"
            options={KIND_OPTIONS}
            value={kind}
            width={30}
            onChange={(annotationKind) => onChange({ ...query, annotationKind })}
          />
        </InlineField>
        <FilterField
          label="Node"
          tooltip="Only events of these nodes. Empty, or a variable set to All: every node."
          value={query.node}
          options={nodes.options}
          loading={nodes.loading}
          loadError={nodes.error}
          onChange={(node) => onChange({ ...query, annotationKind: kind, node })}
        />
      </InlineFieldRow>
      <Text variant="bodySmall" color="secondary">
        {ANNOTATION_KINDS[kind].description}
      </Text>
    </Stack>
  );
}
