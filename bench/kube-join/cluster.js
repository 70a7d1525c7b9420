/**
 * The synthetic cluster of bench/kube-join.js: pods and CiliumEndpoints as the API server returns them (full
 * objects, through JSON), from one seeded random stream that the benchmark's watch events draw from too, so every run
 * measures the same cluster and the same events.
 */
'use strict';

/** A deterministic PRNG, so every run measures the same cluster. */
function prng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = prng(42);

const NAMESPACES = ['default', 'shop', 'payments', 'search', 'batch', 'monitoring', 'kube-system', 'data'];
const nodeName = (i) => `node-${String(i).padStart(4, '0')}`;

/** A pod as the API server returns it (about 4 KB of JSON, like a typical Deployment pod). */
function fullPod(ns, name, node, phase, opts) {
  const rs = `${name.split('-').slice(0, 2).join('-')}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: ns,
      uid: `6f1c${Math.floor(rand() * 1e12).toString(16)}-aaaa-4bbb-8ccc-${Math.floor(rand() * 1e12).toString(16)}`,
      resourceVersion: String(1000 + Math.floor(rand() * 1e7)),
      creationTimestamp: '2024-05-01T10:00:00Z',
      ...(opts.terminating ? { deletionTimestamp: '2024-05-02T10:00:00Z', deletionGracePeriodSeconds: 30 } : {}),
      labels: { app: rs, 'pod-template-hash': '5d4f8c7b9', 'app.kubernetes.io/part-of': ns, tier: 'backend' },
      annotations: {
        'kubectl.kubernetes.io/restartedAt': '2024-05-01T09:59:00Z',
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': '8080',
      },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: rs,
          uid: 'a1b2c3d4-0000-4000-8000-000000000001',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
      managedFields: [
        {
          manager: 'kube-controller-manager',
          operation: 'Update',
          apiVersion: 'v1',
          time: '2024-05-01T10:00:00Z',
          fieldsType: 'FieldsV1',
          fieldsV1: {
            'f:metadata': { 'f:labels': { '.': {}, 'f:app': {}, 'f:pod-template-hash': {} }, 'f:ownerReferences': {} },
            'f:spec': { 'f:containers': {} },
          },
        },
        {
          manager: 'kubelet',
          operation: 'Update',
          apiVersion: 'v1',
          time: '2024-05-01T10:00:05Z',
          fieldsType: 'FieldsV1',
          subresource: 'status',
          fieldsV1: {
            'f:status': {
              'f:conditions': {},
              'f:containerStatuses': {},
              'f:hostIP': {},
              'f:phase': {},
              'f:podIP': {},
              'f:podIPs': {},
              'f:startTime': {},
            },
          },
        },
      ],
    },
    spec: {
      nodeName: node,
      hostNetwork: opts.hostNetwork || undefined,
      serviceAccountName: 'default',
      restartPolicy: 'Always',
      schedulerName: 'default-scheduler',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      containers: [
        {
          name: rs,
          image: `registry.example.com/${ns}/${rs}:1.4.2`,
          ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
          env: [
            { name: 'LOG_LEVEL', value: 'info' },
            { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
          ],
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
          volumeMounts: [
            {
              name: 'kube-api-access-x7k2p',
              mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
              readOnly: true,
            },
          ],
          readinessProbe: {
            httpGet: { path: '/ready', port: 8080, scheme: 'HTTP' },
            periodSeconds: 10,
            timeoutSeconds: 1,
            successThreshold: 1,
            failureThreshold: 3,
          },
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          imagePullPolicy: 'IfNotPresent',
        },
      ],
      volumes: [
        {
          name: 'kube-api-access-x7k2p',
          projected: {
            defaultMode: 420,
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
              { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
              {
                downwardAPI: {
                  items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
                },
              },
            ],
          },
        },
      ],
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
    },
    status: {
      phase,
      hostIP: '172.16.0.10',
      podIP:
        phase === 'Running'
          ? `10.${Math.floor(rand() * 255)}.${Math.floor(rand() * 255)}.${Math.floor(rand() * 255)}`
          : undefined,
      startTime: '2024-05-01T10:00:02Z',
      qosClass: 'Burstable',
      conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({
        type,
        status: 'True',
        lastProbeTime: null,
        lastTransitionTime: '2024-05-01T10:00:05Z',
      })),
      containerStatuses: [
        {
          name: rs,
          ready: true,
          restartCount: 0,
          started: true,
          image: `registry.example.com/${ns}/${rs}:1.4.2`,
          imageID: `registry.example.com/${ns}/${rs}@sha256:0f3a${'9'.repeat(60)}`,
          containerID: `containerd://${'ab12'.repeat(16)}`,
          state: { running: { startedAt: '2024-05-01T10:00:04Z' } },
          lastState: {},
        },
      ],
    },
  };
}

/** `podsPerNode` pods on each of `nodes` nodes, a few hostNetwork, Succeeded, Pending or terminating. */
function makePods(nodes, podsPerNode) {
  const pods = [];
  for (let n = 0; n < nodes; n++) {
    const node = nodeName(n);
    for (let i = 0; i < podsPerNode; i++) {
      const ns = NAMESPACES[Math.floor(rand() * NAMESPACES.length)];
      const name = `app${Math.floor(rand() * 400)}-5d4f8c7b9-${n.toString(36)}x${i.toString(36)}`;
      const r = rand();
      const phase = r < 0.03 ? 'Succeeded' : r < 0.04 ? 'Pending' : 'Running';
      // Through JSON, as the client receives them: every string its own, as in a parsed response.
      pods.push(
        JSON.parse(
          JSON.stringify(fullPod(ns, name, node, phase, { hostNetwork: i === 0, terminating: rand() < 0.005 }))
        )
      );
    }
  }
  return pods;
}

/** A CiliumEndpoint for 98% of the pods that should have one. */
function makeCiliumEndpoints(pods) {
  const ceps = [];
  for (const pod of pods) {
    if (!pod.spec.hostNetwork && pod.status.phase !== 'Succeeded' && rand() > 0.02) {
      const { name, namespace } = pod.metadata;
      const cep = {
        apiVersion: 'cilium.io/v2',
        kind: 'CiliumEndpoint',
        metadata: {
          name,
          namespace,
          uid: `c3f1${Math.floor(rand() * 1e12).toString(16)}`,
          resourceVersion: String(Math.floor(rand() * 1e7)),
          generation: 1,
          creationTimestamp: '2024-05-01T10:00:03Z',
        },
        status: {
          id: 1000 + Math.floor(rand() * 3000),
          state: 'ready',
          identity: {
            id: 20000 + Math.floor(rand() * 500),
            labels: [`k8s:app=${name.split('-')[0]}`, `k8s:io.kubernetes.pod.namespace=${namespace}`],
          },
          networking: { node: '172.16.0.10', addressing: [{ ipv4: pod.status.podIP ?? '10.0.0.1' }] },
          'external-identifiers': {
            'k8s-namespace': namespace,
            'k8s-pod-name': name,
            'container-id': 'ab12'.repeat(16),
          },
          policy: {
            ingress: { enforcing: false, state: 'non-enforcing' },
            egress: { enforcing: false, state: 'non-enforcing' },
          },
          encryption: {},
        },
      };
      ceps.push(JSON.parse(JSON.stringify(cep)));
    }
  }
  return ceps;
}

module.exports = { rand, NAMESPACES, nodeName, fullPod, makePods, makeCiliumEndpoints };
