/** Kubernetes client errors in words a user can act on, without stack traces or response headers. */

export function httpStatusOf(err: unknown): number | null {
  const e = err as { code?: unknown; statusCode?: unknown } | null;
  if (typeof e?.code === 'number') {
    return e.code;
  }
  return typeof e?.statusCode === 'number' ? e.statusCode : null;
}

function statusMessage(body: unknown): string | null {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return body.trim().slice(0, 200) || null;
    }
  }
  const message = (value as { message?: unknown } | null)?.message;
  return typeof message === 'string' && message !== '' ? message.slice(0, 200) : null;
}

const HINTS: Record<number, string> = {
  401: 'the API server rejected the credentials',
  403: 'the exporter may not get/list/watch this resource; see deploy/base/rbac.yaml',
  404: 'not found',
  410: 'the resource version is too old',
  429: 'the API server asked to slow down',
};

export function describeKubeError(err: unknown): string {
  const status = httpStatusOf(err);
  if (status !== null) {
    const hint = HINTS[status] ?? (status >= 500 ? 'the API server failed' : '');
    const detail = statusMessage((err as { body?: unknown }).body);
    return `HTTP ${status}${hint ? ` (${hint})` : ''}${detail ? `: ${detail}` : ''}`;
  }
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0].slice(0, 300);
}
