/** A kubeconfig pointing at the simulator, so that kubectl and client libraries can use its Kubernetes API. */
import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';

export const KUBECONFIG_NAME = 'ciliumscope-simulator';

/** The kubeconfig text for an API at `server` (plain HTTP, hence insecure-skip-tls-verify), with a token if given. */
export function kubeconfigYaml(server: string, token?: string | null): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: KUBECONFIG_NAME, cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: KUBECONFIG_NAME, user: token ? { token } : {} }],
    contexts: [
      { name: KUBECONFIG_NAME, context: { cluster: KUBECONFIG_NAME, user: KUBECONFIG_NAME, namespace: 'default' } },
    ],
    'current-context': KUBECONFIG_NAME,
    preferences: {},
  });
}

/**
 * Writes a kubeconfig for a running simulator to `path` (mode 0600) and resolves with the path. The token defaults
 * to the one the simulator's API requires.
 */
export async function writeKubeconfig(
  sim: { url: string; kube: { token: string | null } | null },
  path: string,
  options: { token?: string } = {}
): Promise<string> {
  if (!sim.kube) {
    throw new Error('the simulator was started without its Kubernetes API (kube: false)');
  }
  await writeFile(path, kubeconfigYaml(sim.url, options.token ?? sim.kube.token), { mode: 0o600 });
  return path;
}
