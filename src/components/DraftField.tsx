import React, { useState } from 'react';
import { InlineField, Input } from '@grafana/ui';

interface Props<T> {
  label: string;
  tooltip: string;
  labelWidth: number;
  /** The committed value as text; render with `key={value}` so a change from outside resets the draft. */
  value: string;
  parse: (text: string) => T | undefined;
  /** Called on blur with the parsed value when the text is valid and differs from `value`. */
  onCommit: (value: T) => void;
  invalidMessage: string;
  width: number;
  type?: 'text' | 'number';
  min?: number;
  max?: number;
  testId: string;
}

/** A text field edited as a draft: shown invalid while the text does not parse, committed on blur. */
export function DraftField<T>(props: Props<T>) {
  const {
    label,
    tooltip,
    labelWidth,
    value,
    parse,
    onCommit,
    invalidMessage,
    width,
    type = 'text',
    min,
    max,
    testId,
  } = props;
  const [text, setText] = useState(value);
  const invalid = parse(text) === undefined;

  return (
    <InlineField
      label={label}
      labelWidth={labelWidth}
      tooltip={tooltip}
      invalid={invalid}
      error={invalid ? invalidMessage : undefined}
    >
      <Input
        data-testid={testId}
        type={type}
        min={min}
        max={max}
        width={width}
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
        onBlur={() => {
          const parsed = parse(text);
          if (parsed !== undefined && text.trim() !== value) {
            onCommit(parsed);
          }
        }}
      />
    </InlineField>
  );
}
