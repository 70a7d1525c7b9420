/** The drop anomaly detector's settings; their defaults and what each one means are in `params.ts`. */
import { z } from 'zod';
import { group, setting } from '../config/setting';
import { formatDurationMs } from '../config/units';
import { DEFAULT_ANOMALY_PARAMS as D } from './params';

const DAY_MS = 86_400_000;

export const ANOMALY_SETTINGS = group({
  windowMs: setting({
    name: 'anomaly-window',
    kind: 'duration',
    defaultText: formatDurationMs(D.windowMs),
    help: 'span of the drop anomaly baseline (weighted mean of each drop rate); also the oldest state file accepted',
    schema: z
      .number()
      .int()
      .min(1000, 'must be at least 1s')
      .max(30 * DAY_MS, 'must be at most 30d'),
  }),
  spreadWindowMs: setting({
    name: 'anomaly-spread-window',
    kind: 'duration',
    defaultText: formatDurationMs(D.spreadWindowMs),
    help: "span of the drop rates' spread (weighted variance), long so that rare bursts are remembered",
    schema: z
      .number()
      .int()
      .min(1000, 'must be at least 1s')
      .max(90 * DAY_MS, 'must be at most 90d'),
  }),
  warmupMs: setting({
    name: 'anomaly-warmup',
    kind: 'duration',
    defaultText: formatDurationMs(D.warmupMs),
    help: 'time a node is watched before its drop series may alert (state restored from --anomaly-state-file counts)',
    schema: z
      .number()
      .int()
      .min(0)
      .max(30 * DAY_MS, 'must be at most 30d'),
  }),
  k: setting({
    name: 'anomaly-k',
    kind: 'number',
    defaultText: String(D.k),
    help: 'spreads above the baseline where the upper band sits',
    schema: z.number().positive('must be above 0').max(1000),
  }),
  margin: setting({
    name: 'anomaly-margin',
    kind: 'number',
    defaultText: String(D.margin),
    help: 'relative margin: the upper band is at least baseline × (1 + margin)',
    schema: z.number().min(0, 'must not be negative').max(1000),
  }),
  minRate: setting({
    name: 'anomaly-min-rate',
    kind: 'number',
    placeholder: 'PPS',
    defaultText: String(D.minRate),
    help: 'floor of the upper band in packets per second',
    schema: z.number().positive('must be above 0 packets per second').max(1e9),
  }),
  minIncrease: setting({
    name: 'anomaly-min-increase',
    kind: 'number',
    placeholder: 'PACKETS',
    defaultText: String(D.minIncrease),
    help: 'packets above the baseline within one scrape interval before it can count as anomalous',
    schema: z.number().min(0, 'must not be negative').max(1e12),
  }),
  confirmScrapes: setting({
    name: 'anomaly-confirm',
    kind: 'integer',
    placeholder: 'SCRAPES',
    defaultText: String(D.confirmScrapes),
    help: 'consecutive scrapes above the band before the anomaly score reaches 1',
    schema: z.number().int().min(1, 'must be at least 1').max(60, 'must be at most 60'),
  }),
  leadFloor: setting({
    name: 'anomaly-lead-floor',
    kind: 'number',
    defaultText: String(D.leadFloor),
    help: "the first scrape of a run above the band needs only this share of the band's floors (a partial interval)",
    schema: z.number().gt(0, 'must be above 0').max(1, 'must be at most 1'),
  }),
  peerMinNodes: setting({
    name: 'anomaly-peer-min-nodes',
    kind: 'integer',
    defaultText: String(D.peerMinNodes),
    help: 'nodes reporting a direction × reason before they are compared with each other (0: no peer comparison)',
    schema: z.number().int().min(0).max(100_000),
  }),
  peerFactor: setting({
    name: 'anomaly-peer-factor',
    kind: 'number',
    defaultText: String(D.peerFactor),
    help: 'a node far above its peers is anomalous: above this many times their median baseline (or min rate)',
    schema: z.number().gt(1, 'must be above 1').max(1e6),
  }),
  maxSeries: setting({
    name: 'anomaly-max-series',
    kind: 'integer',
    defaultText: String(D.maxSeries),
    help: 'drop series (node × direction × reason) the anomaly detector keeps state for at most',
    schema: z.number().int().min(1).max(50_000_000),
  }),
  stateFile: setting({
    name: 'anomaly-state-file',
    kind: 'string',
    placeholder: 'FILE',
    help: 'file the anomaly detector saves its state to (atomically, every 10 cycles, at shutdown) and loads at start',
    schema: z.string().min(1).nullable().default(null),
  }),
});
