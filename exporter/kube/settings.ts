/**
 * The Kubernetes settings: their options (merged into the exporter's option table) and how they resolve into a
 * `KubeSettings`, or null when Kubernetes is not configured.
 *
 * Connection: `--kubeconfig FILE` (with `--kube-context`), or the pod's service account with `--kube-in-cluster`.
 * When neither is given and the exporter runs in a pod (KUBERNETES_SERVICE_HOST is set and the service account token
 * is mounted), in-cluster is chosen automatically; CILIUMSCOPE_KUBE_IN_CLUSTER=false (or `kube-in-cluster: false`
 * in the YAML file) turns that off. The KUBECONFIG variable is not read: the file is always named explicitly.
 */
import { existsSync } from 'node:fs';
import type { OptionSpec } from '../config/options';
import { checkUrlTemplate } from './template';
import { DEFAULT_WATCH_TIMING, type WatchTiming } from './timing';

export const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export interface KubeSettings {
  connection: { kind: 'kubeconfig'; path: string; context: string | null } | { kind: 'in-cluster' };
  /** Scrape the agent and operator pods found in Kubernetes. */
  discover: boolean;
  /** Namespace of the agent and operator pods. */
  namespace: string;
  agent: { selector: string; port: number; urlTemplate: string };
  operator: { selector: string; port: number; urlTemplate: string };
  timing: WatchTiming;
}

const DEFAULT_TEMPLATE = 'http://{podIP}:{port}/metrics';

export const KUBE_OPTIONS: OptionSpec[] = [
  {
    name: 'kubeconfig',
    kind: 'string',
    placeholder: 'FILE',
    help: 'kubeconfig for the Kubernetes API (pods, CiliumEndpoints, discovery); any authentication @kubernetes/client-node supports',
  },
  {
    name: 'kube-context',
    kind: 'string',
    placeholder: 'NAME',
    help: 'context of --kubeconfig to use (default: its current-context)',
  },
  {
    name: 'kube-in-cluster',
    kind: 'boolean',
    help: "use the pod's service account; automatic in a pod when no --kubeconfig is given (set it to false to turn that off)",
  },
  {
    name: 'discover',
    kind: 'boolean',
    help: 'scrape the agent and operator pods found in Kubernetes, besides any --agent (default: on with Kubernetes)',
  },
  {
    name: 'agent-namespace',
    kind: 'string',
    placeholder: 'NS',
    defaultText: 'kube-system',
    help: 'namespace of the Cilium agent and operator pods',
  },
  {
    name: 'agent-selector',
    kind: 'string',
    placeholder: 'SELECTOR',
    defaultText: 'k8s-app=cilium',
    help: 'label selector of the agent pods',
  },
  {
    name: 'agent-port',
    kind: 'integer',
    defaultText: '9962',
    help: 'agent metrics port, the {port} of --agent-url-template',
  },
  {
    name: 'agent-url-template',
    kind: 'string',
    placeholder: 'TEMPLATE',
    defaultText: DEFAULT_TEMPLATE,
    help: 'scrape URL of a discovered agent; placeholders {podIP} {port} {node} {pod} {namespace}',
  },
  {
    name: 'operator-selector',
    kind: 'string',
    placeholder: 'SELECTOR',
    defaultText: 'io.cilium/app=operator',
    help: 'label selector of the operator pods',
  },
  {
    name: 'operator-port',
    kind: 'integer',
    defaultText: '9963',
    help: 'operator metrics port, the {port} of --operator-url-template',
  },
  {
    name: 'operator-url-template',
    kind: 'string',
    placeholder: 'TEMPLATE',
    defaultText: DEFAULT_TEMPLATE,
    help: 'scrape URL of a discovered operator; same placeholders',
  },
];

export interface SettingsInput {
  /** An option's value, already converted to its kind, or undefined when unset (defaults applied). */
  value: (name: string) => unknown;
  env: NodeJS.ProcessEnv;
  /** Throws the loader's configuration error for an option. */
  fail: (option: string, message: string) => never;
  fileExists?: (path: string) => boolean;
}

const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SELECTOR = /^[A-Za-z0-9_.\-/=!,() ]+$/;

export function resolveKubeSettings(input: SettingsInput): KubeSettings | null {
  const { value, env, fail } = input;
  const fileExists = input.fileExists ?? existsSync;
  const kubeconfig = value('kubeconfig') as string | undefined;
  const context = value('kube-context') as string | undefined;
  const inCluster = value('kube-in-cluster') as boolean | undefined;
  const discover = value('discover') as boolean | undefined;

  let connection: KubeSettings['connection'] | null = null;
  if (kubeconfig) {
    if (inCluster === true) {
      fail('kube-in-cluster', 'cannot be combined with --kubeconfig; give one of them');
    }
    connection = { kind: 'kubeconfig', path: kubeconfig, context: context ?? null };
  } else if (inCluster === true) {
    if (!env.KUBERNETES_SERVICE_HOST) {
      fail(
        'kube-in-cluster',
        'KUBERNETES_SERVICE_HOST is not set, so this is not a pod; use --kubeconfig FILE instead'
      );
    }
    connection = { kind: 'in-cluster' };
  } else if (inCluster === undefined && env.KUBERNETES_SERVICE_HOST && fileExists(SERVICE_ACCOUNT_TOKEN)) {
    connection = { kind: 'in-cluster' };
  }
  if (context && connection?.kind !== 'kubeconfig') {
    fail('kube-context', 'needs --kubeconfig');
  }
  if (!connection) {
    if (discover === true) {
      fail('discover', 'needs Kubernetes: give --kubeconfig FILE or run in a pod (--kube-in-cluster)');
    }
    return null;
  }

  const namespace = String(value('agent-namespace'));
  if (!NAMESPACE.test(namespace) || namespace.length > 63) {
    fail('agent-namespace', `"${namespace}" is not a valid namespace name`);
  }
  const selector = (option: string): string => {
    const s = String(value(option)).trim();
    if (s === '' || s.length > 1024 || !SELECTOR.test(s)) {
      fail(option, `"${s}" is not a label selector (e.g. k8s-app=cilium)`);
    }
    return s;
  };
  const port = (option: string): number => {
    const p = value(option) as number;
    if (!Number.isInteger(p) || p < 1 || p > 65535) {
      fail(option, `${p} is not a port (1-65535)`);
    }
    return p;
  };
  const template = (option: string): string => {
    const t = String(value(option)).trim();
    const problem = checkUrlTemplate(t);
    if (problem) {
      fail(option, problem);
    }
    return t;
  };
  return {
    connection,
    discover: discover ?? true,
    namespace,
    agent: {
      selector: selector('agent-selector'),
      port: port('agent-port'),
      urlTemplate: template('agent-url-template'),
    },
    operator: {
      selector: selector('operator-selector'),
      port: port('operator-port'),
      urlTemplate: template('operator-url-template'),
    },
    timing: { ...DEFAULT_WATCH_TIMING },
  };
}
