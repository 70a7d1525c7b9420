/**
 * Scrape URL templates for discovered pods: `http://{podIP}:{port}/metrics` with the placeholders {podIP}, {port},
 * {node}, {pod} and {namespace}. An IPv6 {podIP} is bracketed so the URL stays valid.
 */

export const PLACEHOLDERS = ['podIP', 'port', 'node', 'pod', 'namespace'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

const PLACEHOLDER = /\{([^{}]*)\}/g;

export function expandUrlTemplate(template: string, values: Record<Placeholder, string>): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    if (name === 'podIP') {
      return values.podIP.includes(':') ? `[${values.podIP}]` : values.podIP;
    }
    return (PLACEHOLDERS as readonly string[]).includes(name) ? values[name as Placeholder] : whole;
  });
}

/** Why a template cannot make scrape URLs, or null when it can. */
export function checkUrlTemplate(template: string): string | null {
  const unknown = [...template.matchAll(PLACEHOLDER)]
    .map((m) => m[1])
    .filter((n) => !(PLACEHOLDERS as readonly string[]).includes(n));
  if (unknown.length > 0) {
    return `unknown placeholder {${unknown[0]}}; use ${PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}`;
  }
  const sample = expandUrlTemplate(template, {
    podIP: '10.0.0.1',
    port: '9962',
    node: 'node-1',
    pod: 'cilium-abcde',
    namespace: 'kube-system',
  });
  try {
    const url = new URL(sample);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return 'must make an http:// or https:// URL';
    }
  } catch {
    return `does not make a valid http:// or https:// URL (e.g. "${sample}")`;
  }
  return null;
}
