/** Where range queries read history, and the bounds of the embedded rings. */
import { z } from 'zod';
import { group, optional, setting } from '../config/setting';

export const HISTORY_SETTINGS = group({
  backend: optional(
    setting({
      name: 'history-backend',
      kind: 'string',
      placeholder: 'embedded|prometheus',
      defaultText: 'embedded',
      help: "where range queries read history: the embedded rings (one process, hours) or a Prometheus-compatible server (--prometheus-url) holding every exporter's series",
      schema: z.enum(['embedded', 'prometheus'], {
        error: (issue) => `"${String(issue.input)}" must be embedded or prometheus`,
      }),
    })
  ),
  retentionMs: setting({
    name: 'history-retention',
    kind: 'duration',
    defaultText: '3h',
    help: 'how long the embedded history keeps points',
    schema: z.number().int().min(60_000, 'must be at least 1m'),
  }),
  maxBytes: setting({
    name: 'history-max-bytes',
    kind: 'bytes',
    defaultText: '192MiB',
    help: "hard cap on the embedded history's memory; retention shrinks to fit",
    schema: z
      .number()
      .int()
      .min(1024 * 1024, 'must be at least 1MiB'),
  }),
});
