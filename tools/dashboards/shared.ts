/** Pieces several panels share: the drop-reason meanings, names and colours of recurring series, common overrides. */
import { DROP_REASONS } from '../../exporter/cilium/dropReasons';
import {
  color,
  fixedColor,
  overrideByRegexp,
  overrideByName,
  steps,
  type Override,
  type Transformation,
  type ValueMapping,
} from './grafana';

/**
 * Value mapping from the agent's reason string to what it means, generated from the exporter's drop-reason
 * catalogue so the dashboards and `GET /api/v1/drop-reasons` never disagree.
 */
export function dropReasonMeanings(): ValueMapping {
  const options: ValueMapping['options'] = {};
  DROP_REASONS.forEach((entry, index) => {
    options[entry.reason] = { text: entry.meaning, index };
  });
  return { type: 'value', options };
}

/**
 * Transformations of the "drop reasons" table: one row per drop series (reduced to mean and peak rate) with its
 * reason and direction labels as columns, and a "Meaning" column. Grafana cannot show one field twice, so the reason
 * is copied into a field of its own (the row's first value of the reason column) and mapped through
 * {@link dropReasonMeanings}. The copy stays the number-typed field the calculation makes (holding the reason text):
 * Grafana's table sizes a wrapped row from the formatted value of a non-text field but from the raw value of a text
 * field, which would be the short reason instead of its meaning. The series name is no help either: with labels as
 * columns, Grafana names each row by the value field's name ("Value"), not its display name.
 */
export function dropReasonTableTransformations(): Transformation[] {
  return [
    {
      id: 'reduce',
      options: { mode: 'seriesToRows', reducers: ['mean', 'max'], labelsToFields: true, includeTimeField: false },
    },
    {
      id: 'calculateField',
      options: {
        mode: 'reduceRow',
        reduce: { include: ['reason'], reducer: 'first' },
        alias: 'Meaning',
        replaceFields: false,
      },
    },
    {
      id: 'organize',
      options: {
        excludeByName: { Field: true, node: true },
        indexByName: { reason: 0, direction: 1, Mean: 2, Max: 3, Meaning: 4 },
        renameByName: { reason: 'Reason', direction: 'Direction', Mean: 'Mean rate', Max: 'Peak rate' },
        includeByName: {},
      },
    },
    { id: 'sortBy', options: { fields: {}, sort: [{ field: 'Mean rate', desc: true }] } },
  ];
}

export function dropReasonTableOverrides(): Override[] {
  return [
    // Text wrapping is `custom.wrapText` in Grafana 12.1 and later; `cellOptions.wrapText` is the older place.
    overrideByName('Meaning', {
      mappings: [dropReasonMeanings()],
      'custom.cellOptions': { type: 'auto', wrapText: true },
      'custom.wrapText': true,
      // The copy is a number-typed field (see above), which Grafana would align right.
      'custom.align': 'left',
    }),
    overrideByName('Reason', { 'custom.width': 180 }),
    overrideByName('Direction', { 'custom.width': 95 }),
    overrideByName('Mean rate', { unit: 'pps', decimals: 2, 'custom.width': 95 }),
    overrideByName('Peak rate', { unit: 'pps', decimals: 2, 'custom.width': 95 }),
  ];
}

/** Dropped traffic in red on the right axis, so a few drops stay visible next to millions of forwarded packets. */
export const droppedOnRightAxis = (pattern: string): Override =>
  overrideByRegexp(pattern, {
    color: { mode: 'fixed', fixedColor: color.bad },
    'custom.axisPlacement': 'right',
    'custom.axisLabel': 'dropped',
  });

export const endpointStateColours: Override[] = [
  overrideByRegexp('.*\\bready$', { color: { mode: 'fixed', fixedColor: color.ok } }),
  overrideByRegexp('.*(regenerating|waiting-to-regenerate|restoring)$', {
    color: { mode: 'fixed', fixedColor: color.warn },
  }),
  overrideByRegexp('.*(not-ready|waiting-for-identity|invalid|creating)$', {
    color: { mode: 'fixed', fixedColor: color.bad },
  }),
];

/** Anomaly band lines: the rate solid, the baseline dotted, the upper band dashed; the score stays in the tooltip. */
export const anomalyBandOverrides: Override[] = [
  overrideByRegexp('.* upper band$', {
    'custom.lineStyle': { fill: 'dash', dash: [10, 10] },
    'custom.fillOpacity': 0,
    color: { mode: 'fixed', fixedColor: color.warn },
  }),
  overrideByRegexp('.* baseline$', {
    'custom.lineStyle': { fill: 'dot', dash: [2, 6] },
    'custom.fillOpacity': 0,
    color: { mode: 'fixed', fixedColor: 'text' },
  }),
  overrideByRegexp('.* score$', {
    'custom.hideFrom': { viz: true, legend: false, tooltip: false },
    unit: 'none',
    decimals: 2,
  }),
];

/** Pods vs endpoints: every delta series a stepped line on its own right axis, the cluster's in bold red. */
export function podEndpointDeltaOverrides(): Override[] {
  return [
    // A stepped line: bars at every sample of a long range merge into one block.
    overrideByRegexp('^(.* )?delta$', {
      'custom.drawStyle': 'line',
      'custom.lineInterpolation': 'stepAfter',
      'custom.axisPlacement': 'right',
      'custom.axisLabel': 'unmanaged (delta)',
    }),
    overrideByName('delta', { 'custom.lineWidth': 2, color: fixedColor(color.bad) }),
  ];
}

/** The names of the targets up and down, as the exporter's agentHealth/up frames give them. */
export const TARGETS_UP_LEGEND = 'targets up';
export const TARGETS_DOWN_LEGEND = 'targets down';

/** Targets up in green; targets down green at 0 and red from 1. */
export function targetsUpDownOverrides(): Override[] {
  return [
    overrideByName(TARGETS_UP_LEGEND, { color: fixedColor(color.ok) }),
    overrideByName(TARGETS_DOWN_LEGEND, {
      thresholds: { mode: 'absolute', steps: steps(color.ok, [1, color.bad]) },
      color: { mode: 'thresholds' },
    }),
  ];
}

/** A 0/1 "up" value shown as down (red) or up (green). */
export function upDownMapping(): ValueMapping {
  return {
    type: 'value',
    options: {
      '0': { text: 'down', color: color.bad, index: 0 },
      '1': { text: 'up', color: color.ok, index: 1 },
    },
  };
}

/** The legend of a per-node panel: a table on the right, the worst first. */
export const TOP_LEGEND = {
  asTable: true,
  placement: 'right' as const,
  calcs: ['max', 'lastNotNull'],
  sortBy: 'Max',
  sortDesc: true,
};

/**
 * Rare events drawn as bars (failed regenerations, failed policy imports): about 100 bars over the range keep each
 * one visible; `count` for events per step, else a rate.
 */
export function rareEventBars(unit: 'ops' | 'count') {
  return {
    maxDataPoints: 100,
    ...(unit === 'count' ? { unit: 'none', decimals: 0 } : { unit }),
    min: 0,
    drawStyle: 'bars' as const,
    fillOpacity: 80,
  };
}

/**
 * Rare events of the cluster and its top nodes: red from `redFrom`, the legend a table of each series' largest bar
 * (a bar counts a rate window of several steps, so their sum would count events more than once).
 */
export function perNodeEventBars(unit: 'ops' | 'count', redFrom: number) {
  return {
    ...rareEventBars(unit),
    thresholds: steps(color.ok, [redFrom, color.bad]),
    legend: { ...TOP_LEGEND, calcs: ['max'] },
  };
}

/** The endpoints stuck out of ready, as the exporter's endpoints/notReady frames name them. */
export const STUCK_LEGEND = 'stuck not ready (10 min)';

/** Endpoints not ready: the cluster's line bold red, the stuck ones dashed orange beneath it. */
export const NOT_READY_OVERRIDES: Override[] = [
  overrideByName('endpoints not ready', { 'custom.lineWidth': 2, color: fixedColor(color.bad) }),
  overrideByName(STUCK_LEGEND, {
    'custom.lineWidth': 2,
    'custom.lineStyle': { fill: 'dash', dash: [10, 10] },
    'custom.fillOpacity': 0,
    color: fixedColor(color.warn),
  }),
];

/** A table column of long text (an error), wrapped: `custom.wrapText` from Grafana 12.1, `cellOptions` before. */
export const wrappedText = (column: string): Override =>
  overrideByName(column, { 'custom.cellOptions': { type: 'auto', wrapText: true }, 'custom.wrapText': true });

/**
 * The columns of a Prometheus instant table: Time left out (and the labels in `exclude`), labels and values renamed
 * (`Value`, or `Value #A` with several queries), in the order of `index` where given.
 */
export function instantTableColumns(
  renameByName: Record<string, string>,
  o: { exclude?: string[]; index?: Record<string, number> } = {}
): Transformation {
  const excludeByName = Object.fromEntries(['Time', ...(o.exclude ?? [])].map((name) => [name, true]));
  return { id: 'organize', options: { excludeByName, renameByName, indexByName: o.index ?? {}, includeByName: {} } };
}
