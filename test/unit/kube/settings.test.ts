/** Kubernetes options through the exporter's loader: connection choice, defaults, validation messages. */
import { ConfigError, defaultsOf, loadConfig } from '../../../exporter/config/config';
import { renderHelp } from '../../../exporter/config/options';
import { KUBE_SETTINGS, SERVICE_ACCOUNT_TOKEN, resolveKubeSettings } from '../../../exporter/kube/settings';

function load(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const result = loadConfig({ argv, env, readFile: () => '' });
  if (result.kind !== 'config') {
    throw new Error('expected a config');
  }
  return result.config.kube ?? null;
}

function failure(argv: string[], env: NodeJS.ProcessEnv = {}): string {
  try {
    load(argv, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('Kubernetes settings', () => {
  test('off without a kubeconfig outside a pod', () => {
    expect(load([])).toBeNull();
  });

  test('--kubeconfig with defaults for discovery', () => {
    expect(load(['--kubeconfig', '/k/config', '--kube-context', 'prod'])).toEqual({
      connection: { kind: 'kubeconfig', path: '/k/config', context: 'prod' },
      discover: true,
      namespace: 'kube-system',
      agent: { selector: 'k8s-app=cilium', port: 9962, urlTemplate: 'http://{podIP}:{port}/metrics' },
      operator: { selector: 'io.cilium/app=operator', port: 9963, urlTemplate: 'http://{podIP}:{port}/metrics' },
      timing: expect.objectContaining({ backoffInitialMs: 500, backoffMaxMs: 30_000 }),
    });
  });

  test('every discovery option from flags, environment and YAML names', () => {
    const kube = load(
      [
        '--kubeconfig=/k',
        '--agent-namespace',
        'cilium',
        '--agent-selector',
        'app.kubernetes.io/name=cilium-agent',
        '--agent-port',
        '19962',
        '--agent-url-template',
        'https://{node}.nodes:{port}/metrics',
        '--operator-selector',
        'name in (cilium-operator)',
      ],
      {
        CILIUMSCOPE_OPERATOR_PORT: '19963',
        CILIUMSCOPE_OPERATOR_URL_TEMPLATE: 'http://{pod}.{namespace}:{port}/m',
        CILIUMSCOPE_DISCOVER: 'false',
      }
    )!;
    expect(kube.discover).toBe(false);
    expect(kube.namespace).toBe('cilium');
    expect(kube.agent).toEqual({
      selector: 'app.kubernetes.io/name=cilium-agent',
      port: 19962,
      urlTemplate: 'https://{node}.nodes:{port}/metrics',
    });
    expect(kube.operator).toEqual({
      selector: 'name in (cilium-operator)',
      port: 19963,
      urlTemplate: 'http://{pod}.{namespace}:{port}/m',
    });
  });

  test('in-cluster: explicit, automatic in a pod with a token, and switched off', () => {
    const inPod = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };
    expect(load(['--kube-in-cluster'], inPod)!.connection).toEqual({ kind: 'in-cluster' });
    expect(load(['--kubeconfig', '/k'], inPod)!.connection.kind).toBe('kubeconfig');
    // Automatic only when the service account token is mounted, and not when switched off.
    const defaults = defaultsOf(KUBE_SETTINGS.fields);
    const resolve = (env: NodeJS.ProcessEnv, tokenMounted: boolean, inCluster?: boolean) =>
      resolveKubeSettings(
        { ...defaults, inCluster },
        {
          env,
          fail: (option, message) => {
            throw new Error(`--${option}: ${message}`);
          },
          fileExists: (path) => tokenMounted && path === SERVICE_ACCOUNT_TOKEN,
        }
      );
    expect(resolve(inPod, true)!.connection).toEqual({ kind: 'in-cluster' });
    expect(resolve(inPod, false)).toBeNull();
    expect(resolve(inPod, true, false)).toBeNull();
    expect(resolve({}, true)).toBeNull();
  });

  test.each([
    [['--kube-in-cluster'], {}, /--kube-in-cluster: KUBERNETES_SERVICE_HOST is not set/],
    [
      ['--kube-in-cluster', '--kubeconfig', '/k'],
      { KUBERNETES_SERVICE_HOST: 'x' },
      /cannot be combined with --kubeconfig/,
    ],
    [['--kube-context', 'x'], {}, /--kube-context: needs --kubeconfig/],
    [['--discover'], {}, /--discover: needs Kubernetes/],
    [['--kubeconfig', '/k', '--agent-port', '0'], {}, /--agent-port: 0 is not a port/],
    [['--kubeconfig', '/k', '--operator-port', 'x'], {}, /--operator-port: "x" is not an integer/],
    [
      ['--kubeconfig', '/k', '--agent-namespace', 'Kube_System'],
      {},
      /--agent-namespace: "Kube_System" is not a valid namespace/,
    ],
    [['--kubeconfig', '/k', '--agent-selector', ''], {}, /--agent-selector: "" is not a label selector/],
    [['--kubeconfig', '/k', '--agent-selector', 'a=b;rm'], {}, /--agent-selector/],
    [
      ['--kubeconfig', '/k', '--agent-url-template', 'http://{ip}:{port}/'],
      {},
      /--agent-url-template: unknown placeholder \{ip\}/,
    ],
    [
      ['--kubeconfig', '/k', '--operator-url-template', '{podIP}'],
      {},
      /--operator-url-template: does not make a valid/,
    ],
  ] as Array<[string[], NodeJS.ProcessEnv, RegExp]>)('%j is refused', (argv, env, message) => {
    expect(failure(argv, env)).toMatch(message);
  });

  test('--help lists the Kubernetes options with their defaults', () => {
    const help = renderHelp('x');
    for (const text of [
      '--kubeconfig FILE',
      '--kube-context NAME',
      '--kube-in-cluster',
      '--discover',
      '(default k8s-app=cilium)',
      '(default 9962)',
      '(default io.cilium/app=operator)',
      '(default 9963)',
    ]) {
      expect(help).toContain(text);
    }
  });
});
