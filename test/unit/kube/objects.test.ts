/** Slim records from typed-list objects (Date fields) and from watch events (ISO strings), and bad input. */
import { V1Pod } from '@kubernetes/client-node';
import { objectKey, slimCiliumEndpoint, slimPod } from '../../../exporter/kube/objects';

const rawPod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'web-5d4f-abcde',
    namespace: 'shop',
    resourceVersion: '42',
    creationTimestamp: '2024-05-01T10:00:00Z',
    labels: { app: 'web' },
    ownerReferences: [
      { apiVersion: 'v1', kind: 'Node', name: 'x', uid: '1' },
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d4f', uid: '2', controller: true },
    ],
    managedFields: [{ manager: 'kubelet' }],
  },
  spec: { nodeName: 'node-1', hostNetwork: false, containers: [{ name: 'c', image: 'nginx' }] },
  status: { phase: 'Running', podIP: '10.0.1.5', startTime: '2024-05-01T10:00:03Z', conditions: [] },
};

describe('slimPod', () => {
  test('keeps what the join and discovery need, nothing else', () => {
    expect(slimPod(rawPod)).toEqual({
      metadata: { name: 'web-5d4f-abcde', namespace: 'shop', resourceVersion: '42' },
      node: 'node-1',
      phase: 'Running',
      hostNetwork: false,
      terminating: false,
      podIP: '10.0.1.5',
      owner: 'ReplicaSet/web-5d4f',
      startedAt: '2024-05-01T10:00:03.000Z',
    });
  });

  test("accepts the typed client's objects, whose times are Dates", () => {
    const typed = Object.assign(new V1Pod(), {
      metadata: {
        ...rawPod.metadata,
        creationTimestamp: new Date('2024-05-01T10:00:00Z'),
        deletionTimestamp: new Date('2024-05-02T00:00:00Z'),
      },
      spec: { nodeName: 'node-1', hostNetwork: true, containers: [] },
      status: { phase: 'Pending' },
    });
    expect(slimPod(typed)).toMatchObject({
      terminating: true,
      hostNetwork: true,
      phase: 'Pending',
      podIP: null,
      startedAt: '2024-05-01T10:00:00.000Z',
    });
  });

  test('unscheduled pods, pods without owner or times, and unusable input', () => {
    expect(slimPod({ metadata: { name: 'p', namespace: 'ns' } })).toEqual({
      metadata: { name: 'p', namespace: 'ns' },
      node: '',
      phase: '',
      hostNetwork: false,
      terminating: false,
      podIP: null,
      owner: null,
      startedAt: null,
    });
    for (const bad of [
      null,
      undefined,
      42,
      'pod',
      [],
      {},
      { metadata: {} },
      { metadata: { name: '' } },
      { metadata: { name: 7 } },
    ]) {
      expect(slimPod(bad)).toBeNull();
    }
  });
});

describe('slimCiliumEndpoint', () => {
  test('keeps namespace, name and resourceVersion only', () => {
    const cep = slimCiliumEndpoint({
      metadata: { name: 'web.1', namespace: 'shop', resourceVersion: '9', uid: 'u' },
      status: { id: 1 },
    });
    expect(cep).toEqual({ metadata: { name: 'web.1', namespace: 'shop', resourceVersion: '9' } });
    expect(objectKey(cep!.metadata)).toBe('shop/web.1');
    expect(slimCiliumEndpoint({ status: {} })).toBeNull();
  });
});
