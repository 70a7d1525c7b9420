/** Builds the client library's KubeConfig from the settings, failing early with a message that names the setting. */
import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { SERVICE_ACCOUNT_TOKEN, type KubeSettings } from './settings';

export class KubeConnectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubeConnectionError';
  }
}

function firstLine(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') {
    return 'no such file';
  }
  if (e?.code === 'EACCES') {
    return 'permission denied';
  }
  return String(e?.message ?? err).split('\n')[0];
}

export function loadKubeConfig(connection: KubeSettings['connection']): KubeConfig {
  const kc = new KubeConfig();
  let origin: string;
  if (connection.kind === 'in-cluster') {
    origin = '--kube-in-cluster';
    if (!existsSync(SERVICE_ACCOUNT_TOKEN)) {
      throw new KubeConnectionError(
        `${origin}: no service account token at ${SERVICE_ACCOUNT_TOKEN} (automountServiceAccountToken off?)`
      );
    }
    kc.loadFromCluster();
  } else {
    origin = `--kubeconfig ${connection.path}`;
    try {
      kc.loadFromFile(connection.path);
    } catch (err) {
      throw new KubeConnectionError(`--kubeconfig: cannot load ${connection.path}: ${firstLine(err)}`);
    }
    if (connection.context) {
      if (!kc.getContextObject(connection.context)) {
        const names = kc.getContexts().map((c) => c.name);
        throw new KubeConnectionError(
          `--kube-context: ${connection.path} has no context "${connection.context}"${names.length ? ` (it has ${names.join(', ')})` : ''}`
        );
      }
      kc.setCurrentContext(connection.context);
    }
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) {
    throw new KubeConnectionError(`${origin}: no cluster for context "${kc.getCurrentContext() ?? ''}"`);
  }
  let url: URL;
  try {
    url = new URL(cluster.server);
  } catch {
    throw new KubeConnectionError(`${origin}: the cluster's server "${cluster.server}" is not a URL`);
  }
  if (url.protocol === 'http:' && !cluster.skipTLSVerify) {
    throw new KubeConnectionError(
      `${origin}: the API server ${cluster.server} is plain http; mark the cluster "insecure-skip-tls-verify: true" to allow it`
    );
  }
  if (!kc.getCurrentUser()) {
    throw new KubeConnectionError(`${origin}: no user for context "${kc.getCurrentContext() ?? ''}"`);
  }
  return kc;
}

/** The API server URL, for logs and the status. */
export function serverOf(kc: KubeConfig): string {
  return kc.getCurrentCluster()?.server ?? '';
}
