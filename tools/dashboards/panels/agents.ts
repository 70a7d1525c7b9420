/**
 * The Agents row: targets up and down, the targets most in need of attention, Cilium versions, scrape duration and
 * errors. The plugin's status table carries each target's version, endpoints, restarts and last error; Prometheus has
 * up, staleness and duration per target and counts errors by kind, so its row is laid out for narrower tables and an
 * error graph.
 */
import { color, overrideByName, steps } from '../grafana';
import { PANEL_IDS as P, ROW_IDS } from '../ids';
import {
  NODE,
  SCRAPE_DURATION,
  TARGETS_DOWN,
  TARGETS_UP,
  clusterAndTopNodes as promClusterAndTopNodes,
  worstTargets,
} from '../promql';
import { NODE_VAR, clusterAndTopNodes } from '../scope-query';
import {
  TARGETS_DOWN_LEGEND,
  TARGETS_UP_LEGEND,
  TOP_LEGEND,
  instantTableColumns,
  targetsUpDownOverrides,
  upDownMapping,
  wrappedText,
} from '../shared';
import { absent, type RowDef } from './table';

/** The status of the 50 targets most in need of attention (down, stale, failing, then the slowest scrapes). */
const STATUS = { refId: 'A', queryType: 'agentHealth', view: 'status', node: NODE_VAR, limit: 50 } as const;

/** Stale as text: the plugin's column is a boolean, Prometheus's a 0/1 gauge. */
const staleMapping = (fresh: string, stale: string, freshColor: string) => ({
  type: 'value' as const,
  options: {
    [fresh]: { text: 'fresh', color: freshColor, index: 0 },
    [stale]: { text: 'stale', color: color.warn, index: 1 },
  },
});

export const AGENTS: RowDef = {
  id: ROW_IDS.agents,
  title: 'Agents',
  panels: [
    {
      kind: 'stat',
      id: P.targetsUp,
      title: 'Targets up / down',
      description:
        'Agents and operator the exporter scraped successfully at the end of the range, and those whose last scrape ' +
        'failed. Any target down means its node is blind: no endpoint, drop or policy data.',
      w: 6,
      h: 9,
      calc: 'lastNotNull',
      colorMode: 'background',
      graphMode: 'area',
      textMode: 'value_and_name',
      decimals: 0,
      overrides: targetsUpDownOverrides(),
      scope: {
        targets: [{ refId: 'A', queryType: 'agentHealth', view: 'up', node: NODE_VAR }],
        source: 'Query: agentHealth, view up.',
      },
      prometheus: {
        targets: [
          { refId: 'A', expr: TARGETS_UP, legendFormat: TARGETS_UP_LEGEND },
          { refId: 'B', expr: TARGETS_DOWN, legendFormat: TARGETS_DOWN_LEGEND },
        ],
        source: 'Series: ciliumscope_target_up.',
        // As tall as the Agents table beside it.
        differs: { h: 8 },
      },
    },
    {
      kind: 'table',
      id: P.agents,
      title: 'Agents',
      w: 18,
      h: 9,
      sortBy: [{ displayName: 'Up', desc: false }],
      nodeLinks: 'column',
      scope: {
        targets: [STATUS],
        source: 'Query: agentHealth, view status, limit 50.',
        differs: {
          description:
            'The 50 scraped targets most in need of attention (down, stale, failing, then the slowest scrapes) with ' +
            'their state, Cilium version, last scrape, scrape duration, endpoints, restarts the exporter noticed and ' +
            'the last scrape error; click a node for its dashboard.',
          // Fixed widths for the short columns leave the Error column the rest of the panel.
          overrides: [
            overrideByName('Up', {
              mappings: [upDownMapping()],
              'custom.cellOptions': { type: 'color-background', mode: 'basic' },
              'custom.width': 70,
            }),
            overrideByName('Stale', {
              mappings: [staleMapping('false', 'true', color.text)],
              'custom.cellOptions': { type: 'color-text' },
              'custom.width': 70,
            }),
            overrideByName('Component', { 'custom.width': 110 }),
            overrideByName('Cilium version', { 'custom.width': 130 }),
            overrideByName('Last scrape', { unit: 'dateTimeFromNow', 'custom.width': 145 }),
            overrideByName('Scrape duration', {
              thresholds: { mode: 'absolute', steps: steps(color.ok, [5, color.warn], [10, color.bad]) },
              'custom.cellOptions': { type: 'color-text' },
              'custom.width': 150,
            }),
            overrideByName('Endpoints', { 'custom.width': 105 }),
            overrideByName('Restarts', { 'custom.width': 95 }),
            wrappedText('Error'),
          ],
        },
      },
      prometheus: {
        targets: [
          { refId: 'A', expr: worstTargets(`ciliumscope_target_up{${NODE}}`), instant: true },
          { refId: 'B', expr: worstTargets(`ciliumscope_target_stale{${NODE}}`), instant: true },
          { refId: 'C', expr: worstTargets(SCRAPE_DURATION), instant: true },
        ],
        source: 'Series: ciliumscope_target_up, ciliumscope_target_stale, ciliumscope_target_scrape_duration_seconds.',
        differs: {
          description:
            'The 50 targets most in need of attention (down, stale, then the slowest scrapes) with their state, ' +
            'staleness and last scrape duration; click a node for its dashboard.',
          w: 12,
          h: 8,
          transformations: [
            { id: 'merge', options: {} },
            instantTableColumns(
              {
                node: 'Node',
                component: 'Component',
                'Value #A': 'Up',
                'Value #B': 'Stale',
                'Value #C': 'Scrape duration',
              },
              { index: { node: 0, component: 1, 'Value #A': 2, 'Value #B': 3, 'Value #C': 4 } }
            ),
          ],
          overrides: [
            overrideByName('Up', {
              mappings: [upDownMapping()],
              'custom.cellOptions': { type: 'color-background', mode: 'basic' },
            }),
            overrideByName('Stale', {
              mappings: [staleMapping('0', '1', color.ok)],
              'custom.cellOptions': { type: 'color-text' },
            }),
            overrideByName('Scrape duration', { unit: 's', decimals: 3 }),
          ],
        },
      },
    },
    {
      kind: 'table',
      id: P.versions,
      title: 'Cilium versions',
      description:
        'How many agents run each Cilium version. More than one version outside an upgrade window means a rollout ' +
        'stalled.',
      w: 6,
      h: 8,
      sortBy: [{ displayName: 'Agents', desc: true }],
      scope: {
        targets: [{ refId: 'A', queryType: 'agentHealth', view: 'versions', node: NODE_VAR }],
        source: 'Query: agentHealth, view versions.',
      },
      prometheus: {
        targets: [{ refId: 'A', expr: `count by (version) (ciliumscope_agent_info{${NODE}})`, instant: true }],
        source: 'Series: ciliumscope_agent_info{node,version}.',
        differs: {
          transformations: [instantTableColumns({ version: 'Cilium version', Value: 'Agents' })],
        },
      },
    },
    {
      kind: 'timeseries',
      id: P.scrapeDuration,
      title: 'Scrape duration: slowest targets',
      description:
        "Time the exporter needs to fetch and parse a target's metrics page: the slowest agent and operator scrape " +
        'of each step, the $topn slowest targets of the range and the slowest of the others. Close to the scrape ' +
        'timeout (10 s by default) the next failure is near: an overloaded agent or an oversized page.',
      w: 9,
      h: 8,
      unit: 's',
      min: 0,
      thresholds: steps(color.ok, [5, color.warn], [10, color.bad]),
      thresholdsStyle: 'dashed',
      legend: TOP_LEGEND,
      nodeLinks: 'series',
      scope: {
        targets: clusterAndTopNodes({ queryType: 'agentHealth', view: 'scrapeDuration', node: NODE_VAR }),
        source: 'Query: agentHealth, view scrapeDuration (B: grouped by node, top N).',
      },
      prometheus: {
        targets: promClusterAndTopNodes({
          cluster: `max by (component) (${SCRAPE_DURATION})`,
          clusterLegend: 'slowest {{component}} scrape',
          perNode: `max by (node, component) (${SCRAPE_DURATION})`,
          rank: `max by (node) (max_over_time(${SCRAPE_DURATION}[$__range] @ end()))`,
          nodeLegend: '{{node}} {{component}}',
          others: { how: 'max', by: ['component'], legend: 'other nodes (slowest) {{component}}' },
        }),
        source: 'Series: ciliumscope_target_scrape_duration_seconds.',
        // Half the row, beside the error graph.
        differs: { w: 12 },
      },
    },
    {
      kind: 'table',
      id: P.scrapeErrors,
      title: 'Scrape errors',
      description:
        'Targets whose last scrape failed, with the reason (timeout, connection refused, HTTP status, page too large, ' +
        'parse error). Empty when every target answers.',
      w: 9,
      h: 8,
      transformations: [
        {
          id: 'filterByValue',
          options: {
            type: 'include',
            match: 'any',
            filters: [{ fieldName: 'Error', config: { id: 'regex', options: { value: '.+' } } }],
          },
        },
        {
          id: 'organize',
          options: {
            includeByName: { Node: true, Component: true, 'Last scrape': true, Error: true },
            excludeByName: {},
            indexByName: {},
            renameByName: {},
          },
        },
      ],
      noValue: 'No scrape errors',
      overrides: [overrideByName('Last scrape', { unit: 'dateTimeFromNow' }), wrappedText('Error')],
      nodeLinks: 'column',
      scope: {
        targets: [STATUS],
        source: 'Query: agentHealth, view status, limit 50 (problems first), rows with an error.',
      },
      prometheus: absent('The error text is no Prometheus label: the Prometheus dashboard graphs errors by kind.'),
    },
    {
      kind: 'timeseries',
      id: P.scrapeErrors,
      title: 'Scrape errors',
      description: 'Failed scrapes per second by target and kind (timeout, connect, http, too-large, decode, parse).',
      w: 12,
      h: 8,
      unit: 'ops',
      min: 0,
      drawStyle: 'bars',
      fillOpacity: 80,
      colorMode: 'palette-classic',
      scope: absent('The plugin lists each failing target with its last error instead.'),
      prometheus: {
        targets: [
          {
            refId: 'A',
            expr: `sum by (node, component, kind) (rate(ciliumscope_target_scrape_errors_total{${NODE}}[$__rate_interval])) > 0`,
            legendFormat: '{{node}} {{component}} {{kind}}',
          },
        ],
        source: 'Series: ciliumscope_target_scrape_errors_total{node,component,kind}.',
      },
    },
  ],
};
