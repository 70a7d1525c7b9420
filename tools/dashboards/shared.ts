/** Pieces both dashboards share: the drop-reason meanings, colours of recurring series, common overrides. */
import { DROP_REASONS } from '../../exporter/cilium/dropReasons';
import { DASHBOARD_UIDS, TOP_N } from './ids';
import {
  color,
  customVariable,
  fixedColor,
  overrideByRegexp,
  overrideByName,
  steps,
  type Json,
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

/** Template variable references as the panels store them. */
export const NODE_VAR = '$node';
export const DIRECTION_VAR = '$direction';
export const REASON_VAR = '$reason';

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

/** How many nodes the top-N panels keep: a dashboard variable, so a bigger screen can ask for more. */
export function topNVariable(): Json {
  return customVariable({
    name: TOP_N.variable,
    label: 'Top N nodes',
    description:
      'How many nodes the per-node panels show: those ranked highest by the panel\'s own signal over the range, the rest summed as "other nodes".',
    values: [...TOP_N.values],
    current: TOP_N.default,
  });
}

/** The dashboard link to the node drill-down, keeping the time range (it opens on its own node variable). */
export const NODE_DASHBOARD_LINK: Json = {
  title: 'Cilium Scope: node',
  type: 'link',
  url: `/d/${DASHBOARD_UIDS.node}`,
  asDropdown: false,
  icon: 'dashboard',
  tooltip: "One node's endpoints, pods, regeneration, traffic, drops, anomaly bands, policy and agent",
  includeVars: false,
  keepTime: true,
  targetBlank: false,
  tags: [],
};

/** Targets up in green; targets down green at 0 and red from 1. */
export function targetsUpDownOverrides(): Override[] {
  return [
    overrideByName('targets up', { color: fixedColor(color.ok) }),
    overrideByName('targets down', {
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

/** Endpoints not ready: the cluster's line bold red, the stuck ones dashed orange beneath it. */
export const NOT_READY_OVERRIDES: Override[] = [
  overrideByName('endpoints not ready', { 'custom.lineWidth': 2, color: fixedColor(color.bad) }),
  overrideByName('stuck not ready (10 min)', {
    'custom.lineWidth': 2,
    'custom.lineStyle': { fill: 'dash', dash: [10, 10] },
    'custom.fillOpacity': 0,
    color: fixedColor(color.warn),
  }),
];
