/**
 * The Kubernetes settings and how they resolve into a `KubeSettings`, or null when Kubernetes is not configured.
 *
 * Connection: `--kubeconfig FILE` (with `--kube-context`), or the pod's service account with `--kube-in-cluster`.
 * When neither is given and the exporter runs in a pod (KUBERNETES_SERVICE_HOST is set and the service account token
 * is mounted), in-cluster is chosen automatically; CILIUMSCOPE_KUBE_IN_CLUSTER=false (or `kube-in-cluster: false`
 * in the YAML file) turns that off. The KUBECONFIG variable is not read: the file is always named explicitly.
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { type LoadContext, type Loaded, area, optional, setting } from '../config/setting';
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
const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SELECTOR = /^[A-Za-z0-9_.\-/=!,() ]+$/;

const namespace = z.string().refine((ns) => NAMESPACE.test(ns) && ns.length <= 63, {
  error: (issue) => `"${String(issue.input)}" is not a valid namespace name`,
});
const selector = z.string().refine((s) => s !== '' && s.length <= 1024 && SELECTOR.test(s), {
  error: (issue) => `"${String(issue.input)}" is not a label selector (e.g. k8s-app=cilium)`,
});
const port = z.number().refine((p) => Number.isInteger(p) && p >= 1 && p <= 65535, {
  error: (issue) => `${String(issue.input)} is not a port (1-65535)`,
});
const urlTemplate = z.string().superRefine((t, ctx) => {
  const problem = checkUrlTemplate(t);
  if (problem) {
    ctx.addIssue({ code: 'custom', message: problem });
  }
});

const KUBE_FIELDS = {
  kubeconfig: setting({
    name: 'kubeconfig',
    kind: 'string',
    placeholder: 'FILE',
    help: 'kubeconfig for the Kubernetes API (pods, CiliumEndpoints, discovery); any authentication @kubernetes/client-node supports',
    schema: z.string().optional(),
  }),
  context: setting({
    name: 'kube-context',
    kind: 'string',
    placeholder: 'NAME',
    help: 'context of --kubeconfig to use (default: its current-context)',
    schema: z.string().optional(),
  }),
  inCluster: setting({
    name: 'kube-in-cluster',
    kind: 'boolean',
    help: "use the pod's service account; automatic in a pod when no --kubeconfig is given (set it to false to turn that off)",
    schema: z.boolean().optional(),
  }),
  discover: setting({
    name: 'discover',
    kind: 'boolean',
    help: 'scrape the agent and operator pods found in Kubernetes, besides any --agent (default: on with Kubernetes)',
    schema: z.boolean().optional(),
  }),
  namespace: setting({
    name: 'agent-namespace',
    kind: 'string',
    placeholder: 'NS',
    defaultText: 'kube-system',
    help: 'namespace of the Cilium agent and operator pods',
    schema: namespace,
  }),
  agentSelector: setting({
    name: 'agent-selector',
    kind: 'string',
    placeholder: 'SELECTOR',
    defaultText: 'k8s-app=cilium',
    help: 'label selector of the agent pods',
    schema: selector,
  }),
  agentPort: setting({
    name: 'agent-port',
    kind: 'integer',
    defaultText: '9962',
    help: 'agent metrics port, the {port} of --agent-url-template',
    schema: port,
  }),
  agentUrlTemplate: setting({
    name: 'agent-url-template',
    kind: 'string',
    placeholder: 'TEMPLATE',
    defaultText: DEFAULT_TEMPLATE,
    help: 'scrape URL of a discovered agent; placeholders {podIP} {port} {node} {pod} {namespace}',
    schema: urlTemplate,
  }),
  operatorSelector: setting({
    name: 'operator-selector',
    kind: 'string',
    placeholder: 'SELECTOR',
    defaultText: 'io.cilium/app=operator',
    help: 'label selector of the operator pods',
    schema: selector,
  }),
  operatorPort: setting({
    name: 'operator-port',
    kind: 'integer',
    defaultText: '9963',
    help: 'operator metrics port, the {port} of --operator-url-template',
    schema: port,
  }),
  operatorUrlTemplate: setting({
    name: 'operator-url-template',
    kind: 'string',
    placeholder: 'TEMPLATE',
    defaultText: DEFAULT_TEMPLATE,
    help: 'scrape URL of a discovered operator; same placeholders',
    schema: urlTemplate,
  }),
};

export type KubeValues = Loaded<typeof KUBE_FIELDS>;

/** Kubernetes (unmanaged pods, discovery); null when not configured, absent from a configuration built without it. */
export const KUBE_SETTINGS = optional(area(KUBE_FIELDS, (values, ctx) => resolveKubeSettings(values, ctx)));

export interface KubeContext extends Pick<LoadContext, 'env' | 'fail'> {
  fileExists?: (path: string) => boolean;
}

export function resolveKubeSettings(values: KubeValues, ctx: KubeContext): KubeSettings | null {
  const { env, fail } = ctx;
  const fileExists = ctx.fileExists ?? existsSync;
  const { kubeconfig, context, inCluster, discover } = values;

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
  return {
    connection,
    discover: discover ?? true,
    namespace: values.namespace,
    agent: { selector: values.agentSelector, port: values.agentPort, urlTemplate: values.agentUrlTemplate },
    operator: { selector: values.operatorSelector, port: values.operatorPort, urlTemplate: values.operatorUrlTemplate },
    timing: { ...DEFAULT_WATCH_TIMING },
  };
}
