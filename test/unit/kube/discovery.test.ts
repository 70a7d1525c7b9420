/** URL templates and the targets discovered from agent and operator pods. */
import { DiscoveredTargetSource, agentTargets, operatorTargets } from '../../../exporter/kube/discovery';
import type { SlimPod } from '../../../exporter/kube/objects';
import { checkUrlTemplate, expandUrlTemplate } from '../../../exporter/kube/template';

function pod(name: string, over: Partial<SlimPod> = {}): SlimPod {
  return {
    metadata: { namespace: 'kube-system', name },
    node: 'node-1',
    phase: 'Running',
    hostNetwork: true,
    terminating: false,
    podIP: '172.16.0.11',
    owner: 'DaemonSet/cilium',
    startedAt: '2024-05-01T10:00:00Z',
    ...over,
  };
}
const agent = { port: 9962, urlTemplate: 'http://{podIP}:{port}/metrics' };

describe('URL templates', () => {
  test('every placeholder expands; IPv6 pod IPs are bracketed', () => {
    const values = { podIP: '10.0.0.1', port: '9962', node: 'n1', pod: 'cilium-x', namespace: 'kube-system' };
    expect(expandUrlTemplate('https://{node}.example:{port}/{namespace}/{pod}/m?ip={podIP}', values)).toBe(
      'https://n1.example:9962/kube-system/cilium-x/m?ip=10.0.0.1'
    );
    expect(expandUrlTemplate('http://{podIP}:{port}/metrics', { ...values, podIP: 'fd00::5' })).toBe(
      'http://[fd00::5]:9962/metrics'
    );
  });

  test('unknown placeholders, non-URLs and other schemes are refused with a reason', () => {
    expect(checkUrlTemplate('http://{podIP}:{port}/metrics')).toBeNull();
    expect(checkUrlTemplate('http://{podIp}:{port}/metrics')).toMatch(/unknown placeholder \{podIp\}/);
    expect(checkUrlTemplate('{podIP}:{port}')).toMatch(/not make a valid http/);
    expect(checkUrlTemplate('ftp://{podIP}/x')).toMatch(/http:\/\/ or https:\/\//);
    expect(checkUrlTemplate('http://{podIP}:{port}{node}/')).toMatch(/not make a valid/);
  });
});

describe('discovered targets', () => {
  test('one agent per node from Running pods with an IP; during a rolling update the new pod wins', () => {
    const targets = agentTargets(
      [
        pod('cilium-old', {
          node: 'node-1',
          terminating: true,
          podIP: '172.16.0.11',
          startedAt: '2024-05-02T00:00:00Z',
        }),
        pod('cilium-new', { node: 'node-1', podIP: '172.16.0.11', startedAt: '2024-05-01T00:00:00Z' }),
        pod('cilium-b', { node: 'node-2', podIP: '172.16.0.12' }),
        pod('cilium-pending', { node: 'node-3', phase: 'Pending', podIP: null }),
        pod('cilium-noip', { node: 'node-4', podIP: null }),
        pod('cilium-failed', { node: 'node-5', phase: 'Failed' }),
        pod('cilium-unscheduled', { node: '' }),
      ],
      { port: 9962, urlTemplate: 'http://{podIP}:{port}/metrics#{pod}' }
    );
    expect(targets.map((t) => [t.node, t.url, t.component, t.source])).toEqual([
      ['node-1', 'http://172.16.0.11:9962/metrics#cilium-new', 'agent', 'kubernetes'],
      ['node-2', 'http://172.16.0.12:9962/metrics#cilium-b', 'agent', 'kubernetes'],
    ]);
  });

  test('operators: Running with an IP, live before terminating, on their node', () => {
    const targets = operatorTargets(
      [
        pod('op-b', { node: 'n2', podIP: '10.1.0.2', terminating: true }),
        pod('op-a', { node: 'n1', podIP: '10.1.0.1' }),
      ],
      { port: 9963, urlTemplate: 'http://{podIP}:{port}/metrics' }
    );
    expect(targets.map((t) => [t.node, t.url])).toEqual([
      ['n1', 'http://10.1.0.1:9963/metrics'],
      ['n2', 'http://10.1.0.2:9963/metrics'],
    ]);
  });

  test('the source follows pods after invalidate() and caches in between', () => {
    let agents = [pod('cilium-a')];
    let reads = 0;
    const source = new DiscoveredTargetSource(
      () => {
        reads++;
        return agents;
      },
      agent,
      () => [],
      { port: 9963, urlTemplate: 'http://{podIP}:{port}/metrics' }
    );
    expect(source.targets().map((t) => t.node)).toEqual(['node-1']);
    source.targets();
    expect(reads).toBe(1);
    agents = [pod('cilium-a'), pod('cilium-b', { node: 'node-2' })];
    expect(source.targets()).toHaveLength(1);
    source.invalidate();
    expect(source.targets().map((t) => t.node)).toEqual(['node-1', 'node-2']);
  });
});
