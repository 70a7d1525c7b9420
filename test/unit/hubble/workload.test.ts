import { workloadOfOwner, workloadOfPod, workloadOfPodName } from '../../../exporter/hubble/workload';

describe('workload of a pod', () => {
  test.each([
    ['web-7d9f8b6c5d-x2k4q', 'web'],
    ['payments-api-lsdclk8thz-lctcv', 'payments-api'],
    ['report-29430720-7bq9x', 'report'],
    ['fluent-bit-q8z2m', 'fluent-bit'],
    ['kafka-2', 'kafka'],
    ['web-canary', 'web-canary'],
    ['etcd', 'etcd'],
    ['api-server', 'api-server'],
  ])('%s → %s by name', (pod, workload) => {
    expect(workloadOfPodName(pod)).toBe(workload);
  });

  test('a vowel or a 0/1/3 is never part of a generated suffix', () => {
    expect(workloadOfPodName('shop-canary')).toBe('shop-canary');
    expect(workloadOfPodName('app-10203')).toBe('app');
    expect(workloadOfPodName('app-b0c1d')).toBe('app-b0c1d');
  });

  test('owners name the workload when the join knows the pod', () => {
    expect(workloadOfOwner('ReplicaSet/web-7d9f8b6c5d')).toBe('web');
    expect(workloadOfOwner('ReplicaSet/bare')).toBe('bare');
    expect(workloadOfOwner('Job/report-29430720')).toBe('report');
    expect(workloadOfOwner('StatefulSet/kafka')).toBe('kafka');
    expect(workloadOfOwner(null)).toBeNull();
    const owners: Record<string, string | null> = {
      'a/x-1': 'DaemonSet/agent',
      'a/etcd-node-1': 'Node/node-1',
      'a/loose': null,
    };
    const lookup = { ownerOf: (ns: string, pod: string) => owners[`${ns}/${pod}`], hasNamespace: () => true };
    expect(workloadOfPod('a', 'x-1', lookup)).toBe('agent');
    expect(workloadOfPod('a', 'etcd-node-1', lookup)).toBe('etcd');
    expect(workloadOfPod('a', 'loose', lookup)).toBe('loose');
    expect(workloadOfPod('a', 'web-7d9f8b6c5d-x2k4q', lookup)).toBe('web');
  });
});
