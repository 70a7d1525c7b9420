/**
 * Who and what the simulator's Kubernetes API serves: the CiliumEndpoint CRD switch, the bearer token, no API at all,
 * and the same flags on the ciliumscope-simulator command.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { startSimulator } from '../../simulator';
import { ROOT, describeWith } from '../support/tools';
import { get } from './simulator-kube-helpers';

describe('simulator Kubernetes API: CRD switch, token, kube off', () => {
  test('without the CiliumEndpoint CRD its paths are NotFound and discovery does not list it', async () => {
    const sim = await startSimulator({ nodes: 2, pageKB: 20, podsPerNode: 8, kube: { ciliumEndpointCRD: false } });
    try {
      for (const path of [
        '/apis/cilium.io/v2/ciliumendpoints',
        '/apis/cilium.io/v2/namespaces/shop/ciliumendpoints',
        '/apis/cilium.io/v2/ciliumendpoints?watch=1',
      ]) {
        const reply = await get(`${sim.url}${path}`);
        expect(reply.status).toBe(404);
        expect(reply.json).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404 });
      }
      expect((await get(`${sim.url}/apis/cilium.io/v2`)).json.resources).toEqual([]);
      expect((await get(`${sim.url}/api/v1/pods`)).status).toBe(200);
      expect(sim.truth().unmanaged.source).toBe('counts');
      expect((await get(`${sim.url}/truth`)).json.unmanaged.source).toBe('counts');
    } finally {
      await sim.close();
    }
  });

  test('with a token, requests without it are 401 Unauthorized; metrics pages stay open', async () => {
    const sim = await startSimulator({ nodes: 2, pageKB: 20, podsPerNode: 8, kube: { token: 's3cret-token' } });
    try {
      for (const headers of [{}, { Authorization: 'Bearer wrong' }, { Authorization: 's3cret-token' }] as Array<
        Record<string, string>
      >) {
        const reply = await get(`${sim.url}/api/v1/pods`, headers);
        expect(reply.status).toBe(401);
        expect(reply.json).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
      }
      expect((await get(`${sim.url}/version`)).status).toBe(401);
      expect((await get(`${sim.url}/api/v1/pods`, { Authorization: 'Bearer s3cret-token' })).status).toBe(200);
      expect((await get(`${sim.url}/agents/node-001/metrics`)).status).toBe(200);
      expect(sim.kube).toEqual({ token: 's3cret-token', ciliumEndpointCRD: true });
    } finally {
      await sim.close();
    }
  });

  test('kube: false serves no Kubernetes API', async () => {
    const sim = await startSimulator({ nodes: 1, pageKB: 20, podsPerNode: 4, kube: false });
    try {
      expect((await get(`${sim.url}/api/v1/pods`)).status).toBe(404);
      expect((await get(`${sim.url}/control/kube`)).status).toBe(404);
      expect(() => sim.kubeStats()).toThrow(/Kubernetes API is off/);
      expect(sim.kube).toBeNull();
    } finally {
      await sim.close();
    }
  });
});

describeWith(
  [{ built: 'build/simulator/cli.js', hint: 'run npm run build:exporter first' }],
  'ciliumscope-simulator command: Kubernetes flags',
  () => {
    test('--no-cep-crd --kube-token --kubeconfig-out: the banner names the API, the kubeconfig works', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'ciliumscope-sim-cli-'));
      const kubeconfig = join(dir, 'kubeconfig');
      const child = spawn(
        process.execPath,
        [
          join(ROOT, 'bin', 'ciliumscope-simulator.js'),
          ...['--nodes', '2', '--pods-per-node', '6', '--page-kb', '20', '--tick', '0', '--listen', '127.0.0.1:0'],
          ...['--no-cep-crd', '--kube-token', 'cli-token', '--kubeconfig-out', kubeconfig],
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] }
      );
      try {
        let out = '';
        await new Promise<void>((resolve, reject) => {
          child.stdout!.on('data', (chunk: Buffer) => {
            out += chunk.toString('utf8');
            if (out.includes('kubeconfig: ')) {
              resolve();
            }
          });
          child.on('exit', (code) => reject(new Error(`simulator exited (${code}): ${out}`)));
        });
        expect(out).toMatch(
          /kubernetes: http:\/\/127\.0\.0\.1:\d+ \(pods, nodes; CiliumEndpoint CRD disabled; bearer token required\)/
        );
        expect(out).toContain(`kubeconfig: ${kubeconfig}`);
        const config = parseYaml(readFileSync(kubeconfig, 'utf8'));
        const server = config.clusters[0].cluster.server as string;
        expect(config.users[0].user).toEqual({ token: 'cli-token' });
        expect((await get(`${server}/api/v1/pods`)).status).toBe(401);
        const authed = { Authorization: 'Bearer cli-token' };
        expect((await get(`${server}/api/v1/pods`, authed)).json.items.length).toBeGreaterThan(0);
        expect((await get(`${server}/apis/cilium.io/v2/ciliumendpoints`, authed)).status).toBe(404);
      } finally {
        child.kill('SIGTERM');
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
);
