/**
 * ciliumscope-simulator: serves a simulated Cilium cluster's agent and operator metrics over HTTP.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_PODS_PER_NODE, DEFAULT_SEED, DEFAULT_TICK_SECONDS, MAX_NODES, MAX_PODS_PER_NODE } from './cluster';
import { writeKubeconfig } from './kube/kubeconfig';
import { DEFAULT_PAGE_KB } from './render/agent-page';
import { SCENARIOS } from './scenarios';
import { SIM_CONTEXT_FORMS, type SimContextForm } from './hubble/state';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from './server';
import { DEFAULT_CILIUM_VERSION, parseCiliumVersion } from './versions';

export const DEFAULT_LISTEN = '127.0.0.1:9970';
export const DEFAULT_AUTO_TICK_MS = 5000;

export const USAGE = `Usage: ciliumscope-simulator [options]

Serves a simulated Cilium cluster: /agents/<node>/metrics, /operator/metrics, the Kubernetes API (/api, /apis),
/truth, POST /control/*, and with --hubble the agents' Hubble metrics (/hubble/<node>/metrics) and optionally a
Hubble Relay (gRPC).

Options:
  --nodes N              number of nodes (default 20, at most ${MAX_NODES})
  --seed N               random seed; the same seed gives the same cluster (default ${DEFAULT_SEED})
  --cilium-version V     metric names of Cilium 1.9 to 1.20, e.g. 1.11 or 1.16.5 (default ${DEFAULT_CILIUM_VERSION})
  --page-kb N            approximate agent page size in KiB (default ${DEFAULT_PAGE_KB})
  --tick D               wall-clock interval between ticks: 5s, 500ms, or 0 for manual ticks (default 5s)
  --tick-seconds N       simulated seconds per tick (default ${DEFAULT_TICK_SECONDS})
  --listen HOST:PORT     address to listen on (default ${DEFAULT_LISTEN})
  --pods-per-node N      pods per node (default ${DEFAULT_PODS_PER_NODE}, at most ${MAX_PODS_PER_NODE})
  --scenario NAME        one of: ${Object.keys(SCENARIOS).join(', ')} (default default)
  --max-connections N    concurrent connections accepted (default 1024)
  --no-kube              do not serve the Kubernetes API
  --no-cep-crd           serve no CiliumEndpoints (as with Cilium's disable-endpoint-crd)
  --kube-token TOKEN     require this bearer token on the Kubernetes API
  --kubeconfig-out FILE  write a kubeconfig for the Kubernetes API to FILE
  --hubble               simulate Hubble: every agent drop attributed to a flow, Hubble metrics pages (default: off;
                         on with the two flags below)
  --hubble-context FORM  context labels of the Hubble pages: ${SIM_CONTEXT_FORMS.join(', ')} or mixed (default pod)
  --hubble-relay-listen HOST:PORT
                         serve a Hubble Relay (observer.Observer/GetFlows) there (default: off)
  -h, --help             show this help
`;

export class CliError extends Error {}

export interface CliOptions extends SimulatorOptions {
  /** Where to write a kubeconfig once the simulator listens. */
  kubeconfigOut?: string;
}

/** Parses the command line into simulator options; throws CliError with a message for the user. */
export function parseCliArgs(argv: string[]): CliOptions | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        nodes: { type: 'string' },
        seed: { type: 'string' },
        'cilium-version': { type: 'string' },
        'page-kb': { type: 'string' },
        tick: { type: 'string' },
        'tick-seconds': { type: 'string' },
        listen: { type: 'string' },
        'pods-per-node': { type: 'string' },
        scenario: { type: 'string' },
        'max-connections': { type: 'string' },
        'no-kube': { type: 'boolean' },
        'no-cep-crd': { type: 'boolean' },
        'kube-token': { type: 'string' },
        'kubeconfig-out': { type: 'string' },
        hubble: { type: 'boolean' },
        'hubble-context': { type: 'string' },
        'hubble-relay-listen': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  if (values.help) {
    return 'help';
  }
  const str = (name: string): string | undefined => values[name] as string | undefined;
  const { host, port } = parseListen(str('listen') ?? DEFAULT_LISTEN);
  return {
    nodes: parseInteger('--nodes', str('nodes') ?? '20', 1, MAX_NODES),
    seed: parseInteger('--seed', str('seed') ?? String(DEFAULT_SEED), 0, 0xffffffff),
    ciliumVersion: checkVersion(str('cilium-version') ?? DEFAULT_CILIUM_VERSION),
    pageKB: parseInteger('--page-kb', str('page-kb') ?? String(DEFAULT_PAGE_KB), 0, 8192),
    autoTickMs: parseDurationMs('--tick', str('tick') ?? '5s'),
    tickSeconds: parsePositive('--tick-seconds', str('tick-seconds') ?? String(DEFAULT_TICK_SECONDS)),
    host,
    port,
    podsPerNode: parseInteger(
      '--pods-per-node',
      str('pods-per-node') ?? String(DEFAULT_PODS_PER_NODE),
      0,
      MAX_PODS_PER_NODE
    ),
    scenario: checkScenario(str('scenario') ?? 'default'),
    maxConnections: parseInteger('--max-connections', str('max-connections') ?? '1024', 1, 1_000_000),
    ...hubbleOptions(values.hubble === true, str('hubble-context')),
    ...relayOptions(str('hubble-relay-listen')),
    ...kubeOptions(values),
  };
}

/** The Kubernetes API flags; no `kube` key at all when none is given (the API is on with its defaults). */
function kubeOptions(values: Record<string, string | boolean | undefined>): Pick<CliOptions, 'kube' | 'kubeconfigOut'> {
  const token = values['kube-token'] as string | undefined;
  const out = values['kubeconfig-out'] as string | undefined;
  if (values['no-kube']) {
    if (token !== undefined || out !== undefined || values['no-cep-crd']) {
      throw new CliError('--no-kube cannot be combined with --no-cep-crd, --kube-token or --kubeconfig-out');
    }
    return { kube: false };
  }
  if (token !== undefined && !/^[\x21-\x7e]{1,4096}$/.test(token)) {
    throw new CliError('--kube-token must be 1 to 4096 printable characters without spaces');
  }
  if (out === '') {
    throw new CliError('--kubeconfig-out needs a file path');
  }
  const result: Pick<CliOptions, 'kube' | 'kubeconfigOut'> = {};
  if (token !== undefined || values['no-cep-crd']) {
    result.kube = {
      ...(token !== undefined ? { token } : {}),
      ...(values['no-cep-crd'] ? { ciliumEndpointCRD: false } : {}),
    };
  }
  if (out !== undefined) {
    result.kubeconfigOut = out;
  }
  return result;
}

/** Hubble's flags; no Hubble keys at all when none is given (Hubble is off). */
function hubbleOptions(on: boolean, context: string | undefined): Pick<CliOptions, 'hubble' | 'hubbleContext'> {
  const result: Pick<CliOptions, 'hubble' | 'hubbleContext'> = {};
  if (on) {
    result.hubble = true;
  }
  if (context !== undefined) {
    result.hubbleContext = checkHubbleContext(context);
  }
  return result;
}

function checkHubbleContext(text: string): SimContextForm | 'mixed' {
  if (text !== 'mixed' && !(SIM_CONTEXT_FORMS as readonly string[]).includes(text)) {
    throw new CliError(`--hubble-context must be one of ${SIM_CONTEXT_FORMS.join(', ')} or mixed, got "${text}"`);
  }
  return text as SimContextForm | 'mixed';
}

function relayOptions(listen: string | undefined): Pick<CliOptions, 'hubbleRelay'> {
  if (listen === undefined) {
    return {};
  }
  try {
    return { hubbleRelay: parseListen(listen) };
  } catch {
    throw new CliError(`--hubble-relay-listen must be HOST:PORT, e.g. 127.0.0.1:4245, got "${listen}"`);
  }
}

function checkVersion(text: string): string {
  try {
    parseCiliumVersion(text);
  } catch (error) {
    throw new CliError(`--cilium-version: ${(error as Error).message}`);
  }
  return text;
}

function checkScenario(name: string): string {
  if (!Object.prototype.hasOwnProperty.call(SCENARIOS, name)) {
    throw new CliError(
      `--scenario: unknown scenario "${name}"; known scenarios are ${Object.keys(SCENARIOS).join(', ')}`
    );
  }
  return name;
}

function parseInteger(flag: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new CliError(`${flag} must be a whole number from ${min} to ${max}, got "${text}"`);
  }
  return Number(text);
}

function parsePositive(flag: string, text: string): number {
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || value <= 0 || value > 86400) {
    throw new CliError(`${flag} must be a positive number of seconds (at most 86400), got "${text}"`);
  }
  return value;
}

/** "5s", "500ms", "2" (seconds) or "0". */
export function parseDurationMs(flag: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(text.trim());
  if (!match) {
    throw new CliError(`${flag} must be a duration such as 5s, 500ms or 0, got "${text}"`);
  }
  const ms = match[2] === 'ms' ? Number(match[1]) : Number(match[1]) * 1000;
  if (ms !== 0 && (ms < 10 || ms > 86_400_000)) {
    throw new CliError(`${flag} must be 0 or between 10ms and 24h, got "${text}"`);
  }
  return ms;
}

/** "HOST:PORT", "[::1]:PORT" or ":PORT" (all interfaces). */
export function parseListen(text: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text.trim());
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) {
    throw new CliError(`--listen must be HOST:PORT, e.g. 127.0.0.1:9970 or :9970, got "${text}"`);
  }
  const host = match[1] ?? (match[2] === '' ? '0.0.0.0' : match[2]);
  return { host, port };
}

function banner(sim: RunningSimulator, options: SimulatorOptions): string {
  const first = sim.nodes[0];
  const last = sim.nodes[sim.nodes.length - 1];
  const ticking =
    options.autoTickMs && options.autoTickMs > 0
      ? `ticking every ${options.autoTickMs} ms (${sim.cluster.tickSeconds} simulated seconds per tick)`
      : 'manual ticks: POST /control/tick';
  return [
    `Cilium Scope simulator: ${sim.nodes.length} nodes, Cilium ${sim.cluster.version.full}, scenario ${sim.cluster.scenario.name}, seed ${sim.cluster.seed}`,
    `  agents:   ${sim.url}/agents/<node>/metrics  (${first}${sim.nodes.length > 1 ? ` .. ${last}` : ''})`,
    `  operator: ${sim.operatorUrl}`,
    sim.cluster.hubble
      ? `  hubble:   ${sim.url}/hubble/<node>/metrics  (context ${sim.cluster.hubble.all()[0]?.form ?? 'pod'}${options.hubbleContext === 'mixed' ? ', mixed' : ''})`
      : '  hubble:   off (--hubble)',
    sim.relayAddress ? `  hubble relay: ${sim.relayAddress} (gRPC, observer.Observer/GetFlows)` : '  hubble relay: off',
    sim.kube
      ? `  kubernetes: ${sim.url} (pods, nodes${sim.kube.ciliumEndpointCRD ? ', ciliumendpoints' : '; CiliumEndpoint CRD disabled'}${sim.kube.token ? '; bearer token required' : ''})`
      : '  kubernetes: off',
    `  truth:    ${sim.url}/truth`,
    `  control:  POST ${sim.url}/control/{tick,fault,spike,operator,kube,hubble,relay}`,
    `  ${ticking}`,
    '',
  ].join('\n');
}

/** Runs the simulator until SIGINT or SIGTERM. Resolves with the process exit code. */
export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  let options: CliOptions | 'help';
  try {
    options = parseCliArgs(argv);
  } catch (error) {
    process.stderr.write(`ciliumscope-simulator: ${(error as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  let sim: RunningSimulator;
  try {
    sim = await startSimulator(options);
  } catch (error) {
    const err = error as NodeJS.ErrnoException;
    const reason =
      err.code === 'EADDRINUSE'
        ? `${options.host}:${options.port} is already in use (choose another with --listen)`
        : err.code === 'EACCES'
          ? `no permission to listen on ${options.host}:${options.port}`
          : err.message;
    process.stderr.write(`ciliumscope-simulator: ${reason}\n`);
    process.exitCode = 1;
    return 1;
  }
  process.stdout.write(banner(sim, options));
  if (options.kubeconfigOut !== undefined) {
    try {
      await writeKubeconfig(sim, options.kubeconfigOut);
      process.stdout.write(`  kubeconfig: ${options.kubeconfigOut}\n`);
    } catch (error) {
      process.stderr.write(`ciliumscope-simulator: cannot write the kubeconfig: ${(error as Error).message}\n`);
      await sim.close();
      process.exitCode = 1;
      return 1;
    }
  }
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      process.stdout.write(`received ${signal}, shutting down\n`);
      sim.close().then(resolve, resolve);
    };
    const onInt = (): void => stop('SIGINT');
    const onTerm = (): void => stop('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
  return 0;
}
