/**
 * The bulk of a real agent page: families the exporter does not read (Kubernetes client latency per path, agent API
 * process time, BPF map operations, controllers, conntrack GC, Kubernetes events...). They are rendered once per
 * page variant and padded until the page reaches the requested size, the way large clusters' pages grow: more API
 * paths, more BPF maps, more event scopes.
 */
import type { Prng } from '../prng';
import type { AgentNaming } from '../versions';
import { compareLabels, familyHeader, type Labels, type MetricType, sampleLine } from './format';
import { type HistogramShape, product, syntheticCounter, syntheticHistogram } from './synthetic';

export interface FillerContext {
  minor: number;
  naming: AgentNaming;
  versionFull: string;
  nodes: number;
  nowSeconds: number;
}

type SeriesValue =
  | { kind: 'counter'; median: number }
  /** Rounded to integers unless `decimals` is given. */
  | { kind: 'gauge'; median: number; sigma?: number; decimals?: number }
  | { kind: 'constant'; value: number }
  | { kind: 'timestamp'; maxAgeSeconds: number }
  | { kind: 'histogram'; shape: HistogramShape; buckets?: readonly number[] };

export interface FillerFamily {
  name: string;
  help: string;
  type: MetricType;
  minMinor?: number;
  maxMinor?: number;
  /** Rendered in full on every page, whatever the size budget. */
  essential?: boolean;
  /** Label sets in the order they are added; a function makes the family unbounded (series i, 0-based). */
  series: Labels[] | ((i: number) => Labels);
  value: SeriesValue;
}

const HTTP_METHODS_READ = ['GET'];
const K8S_HOST = '10.96.0.1:443';

const K8S_PATHS_GET = [
  '/api/v1/namespaces',
  '/api/v1/namespaces/{name}',
  '/api/v1/nodes',
  '/api/v1/nodes/{name}',
  '/api/v1/pods',
  '/api/v1/namespaces/{namespace}/pods/{name}',
  '/api/v1/services',
  '/api/v1/endpoints',
  '/api/v1/secrets',
  '/api/v1/configmaps',
  '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
  '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{name}',
  '/apis/cilium.io/v2/ciliumclusterwidenetworkpolicies',
  '/apis/cilium.io/v2/ciliumendpoints',
  '/apis/cilium.io/v2/ciliumidentities',
  '/apis/cilium.io/v2/ciliumidentities/{name}',
  '/apis/cilium.io/v2/ciliumnetworkpolicies',
  '/apis/cilium.io/v2/ciliumnodes',
  '/apis/cilium.io/v2/ciliumnodes/{name}',
  '/apis/cilium.io/v2/ciliumlocalredirectpolicies',
  '/apis/cilium.io/v2/ciliumegressgatewaypolicies',
  '/apis/cilium.io/v2alpha1/ciliumendpointslices',
  '/apis/cilium.io/v2alpha1/ciliumcidrgroups',
  '/apis/cilium.io/v2alpha1/ciliumloadbalancerippools',
  '/apis/cilium.io/v2alpha1/ciliumnodeconfigs',
  '/apis/cilium.io/v2alpha1/ciliumbgppeeringpolicies',
  '/apis/discovery.k8s.io/v1/endpointslices',
  '/apis/networking.k8s.io/v1/networkpolicies',
  '/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases/{name}',
  '/healthz',
  '/version',
];
const K8S_PATHS_WRITE: Array<[string, string]> = [
  ['PATCH', '/api/v1/nodes/{name}'],
  ['PATCH', '/api/v1/nodes/{name}/status'],
  ['POST', '/apis/cilium.io/v2/ciliumnodes'],
  ['PUT', '/apis/cilium.io/v2/ciliumnodes/{name}'],
  ['PUT', '/apis/cilium.io/v2/ciliumnodes/{name}/status'],
  ['POST', '/apis/cilium.io/v2/namespaces/{namespace}/ciliumendpoints'],
  ['PATCH', '/apis/cilium.io/v2/namespaces/{namespace}/ciliumendpoints/{name}'],
  ['PATCH', '/apis/cilium.io/v2/namespaces/{namespace}/ciliumendpoints/{name}/status'],
  ['DELETE', '/apis/cilium.io/v2/namespaces/{namespace}/ciliumendpoints/{name}'],
  ['POST', '/apis/cilium.io/v2/ciliumidentities'],
  ['PATCH', '/apis/cilium.io/v2/ciliumidentities/{name}'],
  ['PUT', '/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases/{name}'],
];

const AGENT_API_CALLS: Array<[string, string, string]> = [
  ['GET', '/v1/config', '200'],
  ['PATCH', '/v1/config', '200'],
  ['GET', '/v1/healthz', '200'],
  ['GET', '/v1/cluster', '200'],
  ['GET', '/v1/endpoint', '200'],
  ['GET', '/v1/endpoint/{id}', '200'],
  ['GET', '/v1/endpoint/{id}', '404'],
  ['PUT', '/v1/endpoint/{id}', '201'],
  ['PUT', '/v1/endpoint/{id}', '500'],
  ['PATCH', '/v1/endpoint/{id}', '200'],
  ['DELETE', '/v1/endpoint/{id}', '200'],
  ['DELETE', '/v1/endpoint/{id}', '404'],
  ['GET', '/v1/endpoint/{id}/config', '200'],
  ['GET', '/v1/endpoint/{id}/healthz', '200'],
  ['GET', '/v1/endpoint/{id}/labels', '200'],
  ['GET', '/v1/endpoint/{id}/log', '200'],
  ['POST', '/v1/ipam', '201'],
  ['POST', '/v1/ipam', '502'],
  ['DELETE', '/v1/ipam/{ip}', '200'],
  ['GET', '/v1/identity', '200'],
  ['GET', '/v1/identity/{id}', '200'],
  ['GET', '/v1/identity/endpoints', '200'],
  ['GET', '/v1/policy', '200'],
  ['GET', '/v1/policy/selectors', '200'],
  ['GET', '/v1/service', '200'],
  ['GET', '/v1/map', '200'],
  ['GET', '/v1/map/{name}', '200'],
  ['GET', '/v1/debuginfo', '200'],
  ['GET', '/v1/fqdn/cache', '200'],
  ['GET', '/v1/ip', '200'],
  ['GET', '/v1/node/ids', '200'],
  ['GET', '/v1/lrp', '200'],
  ['GET', '/v1/bgp/peers', '200'],
  ['GET', '/v1/statedb/dump', '200'],
];

const BOOTSTRAP_SCOPES = [
  'bpfBase',
  'cleanup',
  'clusterMeshInit',
  'daemonInit',
  'earlyInit',
  'enableConntrack',
  'fqdn',
  'healthCheck',
  'initAPI',
  'ipam',
  'k8sInit',
  'mapsInit',
  'overall',
  'proxyStart',
  'restore',
];

const BPF_MAPS = [
  'ct4_global',
  'ct_any4_global',
  'ep_config',
  'ipcache',
  'ipv4_frag_datagrams',
  'lb4_affinity',
  'lb4_backends_v2',
  'lb4_backends_v3',
  'lb4_reverse_nat',
  'lb4_reverse_sk',
  'lb4_services_v2',
  'lb4_source_range',
  'lb_affinity_match',
  'lxc',
  'metrics',
  'node_map',
  'nodeport_neigh4',
  'policy',
  'runtime_config',
  'signals',
  'snat_v4_external',
  'tunnel_map',
  'egress_gw_policy_v4',
  'srv6_policy_v4',
  'bandwidth_manager',
  'throttle',
  'events',
  'calls',
];

const K8S_RESOURCES = [
  'CiliumClusterwideNetworkPolicy',
  'CiliumEndpoint',
  'CiliumEndpointSlice',
  'CiliumIdentity',
  'CiliumLocalRedirectPolicy',
  'CiliumNetworkPolicy',
  'CiliumNode',
  'Endpoint',
  'EndpointSlice',
  'Namespace',
  'NetworkPolicy',
  'Node',
  'Pod',
  'Secret',
  'Service',
];

const CONTROLLER_GROUPS = [
  'bpf-map-sync-cilium_lxc',
  'dns-garbage-collector-job',
  'endpoint-gc',
  'ipcache-inject-labels',
  'k8s-heartbeat',
  'link-cache',
  'metricsmap-bpf-prom-sync',
  'neighbor-table-refresh',
  'resolve-identity',
  'sync-host-ips',
  'sync-lb-maps-with-k8s-services',
  'sync-policymap',
  'sync-to-k8s-ciliumendpoint',
  'template-dir-watcher',
  'write-cni-file',
];

const WORKQUEUES = [
  'ciliumendpoints',
  'ciliumnodes',
  'cilium-l2-announcer',
  'endpointslices',
  'identity-allocator',
  'ipcache',
  'node-neighbor',
  'service-manager',
];

const HIVE_JOBS = [
  'bpf-map-pressure',
  'cilium-health-launcher',
  'ct-gc',
  'dns-gc',
  'endpoint-restore',
  'identity-gc',
  'ipcache-sync',
  'l2-responder',
  'node-config',
  'nodeport-neigh',
  'policy-recompute',
  'reconcile-devices',
  'service-sync',
  'stale-cep-gc',
  'statedb-reconciler',
  'sysctl-reconciler',
];

const FEATURES = [
  'cilium_feature_adv_connect_and_lb_bandwidth_manager_enabled',
  'cilium_feature_adv_connect_and_lb_bgp_enabled',
  'cilium_feature_adv_connect_and_lb_egress_gateway_enabled',
  'cilium_feature_adv_connect_and_lb_envoy_proxy_enabled',
  'cilium_feature_adv_connect_and_lb_kube_proxy_replacement_enabled',
  'cilium_feature_adv_connect_and_lb_l2_lb_enabled',
  'cilium_feature_adv_connect_and_lb_node_port_configuration',
  'cilium_feature_controlplane_cilium_endpoint_slices_enabled',
  'cilium_feature_controlplane_identity_allocation',
  'cilium_feature_datapath_chaining_enabled',
  'cilium_feature_datapath_config',
  'cilium_feature_datapath_internet_protocol',
  'cilium_feature_datapath_network',
  'cilium_feature_network_policies_host_firewall_enabled',
  'cilium_feature_network_policies_internal_traffic_policy_services',
  'cilium_feature_network_policies_local_redirect_policy_enabled',
];

const l = (pairs: Record<string, string>): Labels => Object.entries(pairs);

/** The filler families of one Cilium version. */
export function agentFillerFamilies(ctx: FillerContext): FillerFamily[] {
  const m = ctx.minor;
  const mapLabel = ctx.naming.bpfMapLabel;
  const families: FillerFamily[] = [
    {
      name: 'cilium_agent_api_process_time_seconds',
      help: 'Duration of processed API calls labeled by path, method and return code.',
      type: 'histogram',
      series: AGENT_API_CALLS.map(([method, path, code]) => l({ method, path, return_code: code })),
      value: { kind: 'histogram', shape: { median: 0.004, sigma: 1.2, countMedian: 40 } },
    },
    {
      name: 'cilium_agent_bootstrap_seconds',
      help: 'Duration of bootstrap sequence',
      type: 'histogram',
      essential: true,
      series: BOOTSTRAP_SCOPES.map((scope) => l({ outcome: 'success', scope })),
      value: { kind: 'histogram', shape: { median: 0.05, sigma: 2.5, countMedian: 1 } },
    },
    {
      name: 'cilium_api_limiter_processed_requests_total',
      help: 'Total number of API requests processed',
      type: 'counter',
      minMinor: 10,
      series: product([
        ['api_call', ['endpoint-create', 'endpoint-delete', 'endpoint-get', 'endpoint-list', 'endpoint-patch']],
        ['outcome', ['fail', 'success']],
        ['return_code', ['200', '201', '429', '500']],
      ]),
      value: { kind: 'counter', median: 60 },
    },
    {
      name: 'cilium_api_limiter_wait_duration_seconds',
      help: 'Current wait time for api calls',
      type: 'gauge',
      minMinor: 10,
      series: product([
        ['api_call', ['endpoint-create', 'endpoint-delete', 'endpoint-get', 'endpoint-list', 'endpoint-patch']],
        ['value', ['max', 'mean', 'min']],
      ]),
      value: { kind: 'gauge', median: 0.0001, decimals: 7 },
    },
    {
      name: 'cilium_api_limiter_rate_limit',
      help: 'Current rate limiting configuration',
      type: 'gauge',
      minMinor: 10,
      series: product([
        ['api_call', ['endpoint-create', 'endpoint-delete', 'endpoint-get', 'endpoint-list', 'endpoint-patch']],
        ['value', ['burst', 'limit']],
      ]),
      value: { kind: 'gauge', median: 10, sigma: 0.5 },
    },
    {
      name: 'cilium_bpf_map_ops_total',
      help: 'Total operations on map, tagged by map name',
      type: 'counter',
      // Unbounded: one policy map per endpoint, as on nodes with many pods.
      series: (i) => {
        const base = BPF_MAPS.length * 3;
        if (i < base) {
          const map = BPF_MAPS[Math.floor(i / 3)];
          const [operation, outcome] = [
            ['update', 'success'],
            ['delete', 'success'],
            ['update', 'fail'],
          ][i % 3];
          return l({ [mapLabel]: map, operation, outcome });
        }
        const j = i - base;
        const operation = ['update', 'delete', 'lookup'][j % 3];
        const map = `policy_${String(100 + Math.floor(j / 3)).padStart(5, '0')}`;
        return l({ [mapLabel]: map, operation, outcome: 'success' });
      },
      value: { kind: 'counter', median: 400 },
    },
    {
      name: 'cilium_bpf_maps_virtual_memory_max_bytes',
      help: 'BPF maps kernel max memory usage size in bytes.',
      type: 'gauge',
      minMinor: 10,
      essential: true,
      series: [[]],
      value: { kind: 'gauge', median: 2.9e8, sigma: 0.2 },
    },
    {
      name: 'cilium_bpf_progs_virtual_memory_max_bytes',
      help: 'BPF programs kernel max memory usage size in bytes.',
      type: 'gauge',
      minMinor: 10,
      essential: true,
      series: [[]],
      value: { kind: 'gauge', median: 3.1e6, sigma: 0.2 },
    },
    {
      name: 'cilium_bpf_map_capacity',
      help: 'Capacity of map, tagged by map group. All maps with a capacity of 65536 are grouped under "default"',
      type: 'gauge',
      minMinor: 15,
      essential: true,
      series: ['default', 'ct4_global', 'ipcache', 'lb4_services_v2', 'nat', 'policy'].map((g) => l({ map_group: g })),
      value: { kind: 'constant', value: 65536 },
    },
    {
      name: 'cilium_bpf_ratelimit_dropped_total',
      help: 'Total drops resulting from BPF ratelimiter, tagged by source of drop',
      type: 'counter',
      minMinor: 16,
      series: [l({ usage: 'icmpv6' }), l({ usage: 'events' })],
      value: { kind: 'constant', value: 0 },
    },
    {
      name: 'cilium_cidrgroups_referenced',
      help: 'Number of CNPs and CCNPs referencing at least one CiliumCIDRGroup. CNPs with empty or non-existing CIDRGroupRefs are not considered',
      type: 'gauge',
      minMinor: 15,
      essential: true,
      series: [[]],
      value: { kind: 'constant', value: 0 },
    },
    {
      name: 'cilium_controllers_group_runs_total',
      help: 'Number of times that a controller process was run, labeled by controller group name',
      type: 'counter',
      minMinor: 14,
      series: product([
        ['group_name', CONTROLLER_GROUPS],
        ['status', ['failure', 'success']],
      ]),
      value: { kind: 'counter', median: 300 },
    },
    {
      name: 'cilium_controllers_runs_duration_seconds',
      help: 'Duration in seconds of the controller process labeled by completion status',
      type: 'histogram',
      essential: true,
      series: [l({ status: 'failure' }), l({ status: 'success' })],
      value: { kind: 'histogram', shape: { median: 0.002, sigma: 1.5, countMedian: 5000 } },
    },
    {
      name: 'cilium_controllers_runs_total',
      help: 'Number of times that a controller process was run labeled by completion status',
      type: 'counter',
      essential: true,
      series: [l({ status: 'failure' }), l({ status: 'success' })],
      value: { kind: 'counter', median: 5000 },
    },
    {
      name: m >= 10 ? 'cilium_datapath_conntrack_dump_resets_total' : 'cilium_datapath_errors_total',
      help:
        m >= 10
          ? 'Number of conntrack dump resets. Happens when a BPF entry gets removed while dumping the map is in progress'
          : 'Number of errors that occurred in the datapath or datapath management',
      type: 'counter',
      essential: true,
      series: [l({ area: 'conntrack', family: 'ipv4', name: 'dump_interrupts' })],
      value: { kind: 'constant', value: 0 },
    },
    {
      name: 'cilium_datapath_conntrack_gc_duration_seconds',
      help: 'Duration in seconds of the garbage collector process labeled by datapath family and completion status',
      type: 'histogram',
      essential: true,
      series: product([
        ['family', ['ipv4', 'ipv6']],
        ['protocol', ['TCP', 'non-TCP']],
        ['status', ['completed']],
      ]),
      value: { kind: 'histogram', shape: { median: 0.02, sigma: 1, countMedian: 300 } },
    },
    {
      name: 'cilium_datapath_conntrack_gc_entries',
      help: 'The number of alive and deleted conntrack entries at the end of a garbage collector run labeled by datapath family.',
      type: 'gauge',
      essential: true,
      series: product([
        ['family', ['ipv4', 'ipv6']],
        ['protocol', ['TCP', 'non-TCP']],
        ['status', ['alive', 'deleted']],
      ]),
      value: { kind: 'gauge', median: 2000, sigma: 1.2 },
    },
    {
      name: 'cilium_datapath_conntrack_gc_key_fallbacks_total',
      help: 'Number of times a key fallback was needed when iterating over the BPF map',
      type: 'counter',
      essential: true,
      series: product([
        ['family', ['ipv4', 'ipv6']],
        ['protocol', ['TCP', 'non-TCP']],
      ]),
      value: { kind: 'constant', value: 0 },
    },
    {
      name: 'cilium_datapath_conntrack_gc_runs_total',
      help: 'Number of times that the conntrack garbage collector process was run labeled by completion status',
      type: 'counter',
      essential: true,
      series: product([
        ['family', ['ipv4', 'ipv6']],
        ['protocol', ['TCP', 'non-TCP']],
        ['status', ['completed']],
      ]),
      value: { kind: 'counter', median: 300 },
    },
    {
      name: 'cilium_datapath_signals_handled_total',
      help: 'Number of times that the datapath signal handler process was run labeled by signal type, data and completion status',
      type: 'counter',
      minMinor: 10,
      series: product([
        ['data', ['tcp', 'udp']],
        ['signal', ['nat_fill_up', 'ct_fill_up']],
        ['status', ['received']],
      ]),
      value: { kind: 'counter', median: 3 },
    },
    {
      name: 'cilium_endpoint_propagation_delay_seconds',
      help: 'CiliumEndpoint roundtrip propagation delay in seconds',
      type: 'histogram',
      minMinor: 12,
      series: [[]],
      value: {
        kind: 'histogram',
        shape: { median: 0.4, sigma: 1, countMedian: 0.5 },
        buckets: [0.05, 0.1, 1, 5, 30, 60, 120, 240, 300, 600],
      },
    },
    {
      name: 'cilium_errors_warnings_total',
      help: 'Number of total errors in cilium-agent instances',
      type: 'counter',
      series: product([
        ['level', ['error', 'warning']],
        [
          'subsystem',
          ['daemon', 'datapath-loader', 'endpoint', 'fqdn', 'hubble', 'ipcache', 'k8s-watcher', 'policy', 'sysctl'],
        ],
      ]),
      value: { kind: 'counter', median: 4 },
    },
    m >= 14
      ? {
          name: 'cilium_event_ts',
          help: 'Last timestamp when Cilium received an event from a control plane source, per resource and per action',
          type: 'gauge',
          series: product([
            ['action', ['create', 'delete', 'update']],
            ['scope', K8S_RESOURCES],
            ['source', ['k8s']],
          ]),
          value: { kind: 'timestamp', maxAgeSeconds: 3600 },
        }
      : {
          name: 'cilium_event_ts',
          help: 'Last timestamp when we received an event',
          type: 'gauge',
          essential: true,
          series: [l({ source: 'api' }), l({ source: 'docker' }), l({ source: 'k8s' })],
          value: { kind: 'timestamp', maxAgeSeconds: 600 },
        },
    {
      name: 'cilium_fqdn_gc_deletions_total',
      help: 'Number of FQDNs that have been cleaned on FQDN Garbage collector job',
      type: 'counter',
      essential: true,
      series: [[]],
      value: { kind: 'counter', median: 20 },
    },
    {
      name: 'cilium_fqdn_selectors',
      help: 'Number of registered ToFQDN selectors',
      type: 'gauge',
      minMinor: 16,
      essential: true,
      series: [[]],
      value: { kind: 'constant', value: 3 },
    },
    {
      name: 'cilium_identity_label_sources',
      help: 'Number of identities which contain at least one label of the given label source',
      type: 'gauge',
      minMinor: 16,
      essential: true,
      series: ['cidr', 'fqdn', 'k8s', 'reserved'].map((source) => l({ source })),
      value: { kind: 'gauge', median: 20 },
    },
    {
      name: 'cilium_identity_cache_timer_duration',
      help: 'Seconds required to execute periodic policy processes. name="id-alloc-update-policy-maps" is the time taken to apply incremental updates to the BPF policy maps.',
      type: 'histogram',
      minMinor: 17,
      series: [l({ name: 'id-alloc-update-policy-maps' })],
      value: { kind: 'histogram', shape: { median: 0.003, sigma: 1, countMedian: 200 } },
    },
    {
      name: 'cilium_identity_cache_timer_trigger_latency',
      help: 'Seconds waited before a triggered periodic policy process was started',
      type: 'histogram',
      minMinor: 17,
      series: [l({ name: 'id-alloc-update-policy-maps' })],
      value: { kind: 'histogram', shape: { median: 0.5, sigma: 1, countMedian: 200 } },
    },
    {
      name: 'cilium_ipam_capacity',
      help: 'Total number of IPs in the IPAM pool labeled by family',
      type: 'gauge',
      minMinor: 15,
      essential: true,
      series: [l({ family: 'ipv4' })],
      value: { kind: 'constant', value: 1022 },
    },
    {
      name: 'cilium_ipam_events_total',
      help: 'Number of IPAM events received labeled by action and datapath family type',
      type: 'counter',
      essential: true,
      series: product([
        ['action', ['allocate', 'release']],
        ['family', ['ipv4']],
      ]),
      value: { kind: 'counter', median: 300 },
    },
    {
      name: 'cilium_ipcache_errors_total',
      help: 'Number of errors interacting with the IP to Identity cache',
      type: 'counter',
      minMinor: 12,
      series: product([
        ['error', ['cannot_overwrite_by_source', 'cannot_upsert_unmanaged']],
        ['type', ['upsert']],
      ]),
      value: { kind: 'counter', median: 2 },
    },
    {
      name: m >= 10 ? 'cilium_k8s_client_api_calls_total' : 'cilium_k8s_client_api_calls_counter',
      help: 'Number of API calls made to kube-apiserver labeled by host, method and return code.',
      type: 'counter',
      essential: true,
      series: [
        ...['200', '404', '409', '500'].map((code) => l({ host: K8S_HOST, method: 'GET', return_code: code })),
        l({ host: K8S_HOST, method: 'PATCH', return_code: '200' }),
        l({ host: K8S_HOST, method: 'POST', return_code: '201' }),
        l({ host: K8S_HOST, method: 'PUT', return_code: '200' }),
        l({ host: K8S_HOST, method: 'DELETE', return_code: '200' }),
      ],
      value: { kind: 'counter', median: 2000 },
    },
    {
      name: 'cilium_k8s_client_api_latency_time_seconds',
      help: 'Duration of processed API calls labeled by path and method.',
      type: 'histogram',
      series: [
        ...product([
          ['method', HTTP_METHODS_READ],
          ['path', K8S_PATHS_GET],
        ]),
        ...K8S_PATHS_WRITE.map(([method, path]) => l({ method, path })),
      ],
      value: { kind: 'histogram', shape: { median: 0.012, sigma: 1, countMedian: 30 } },
    },
    {
      name: 'cilium_k8s_client_rate_limiter_duration_seconds',
      help: 'Kubernetes client rate limiter latency in seconds. Broken down by path and method.',
      type: 'histogram',
      minMinor: 14,
      series: [
        ...product([
          ['method', HTTP_METHODS_READ],
          ['path', K8S_PATHS_GET],
        ]),
        ...K8S_PATHS_WRITE.map(([method, path]) => l({ method, path })),
      ],
      value: { kind: 'histogram', shape: { median: 0.00002, sigma: 1.5, countMedian: 30 } },
    },
    {
      name: 'cilium_k8s_event_lag_seconds',
      help: 'Lag for Kubernetes events - computed value between receiving a CNI ADD event from kubelet and a Pod event received from kube-api-server',
      type: 'gauge',
      minMinor: 11,
      maxMinor: 13,
      essential: true,
      series: [l({ source: 'k8s' })],
      value: { kind: 'constant', value: 0 },
    },
    {
      name: 'cilium_k8s_terminating_endpoints_events_total',
      help: 'Number of terminating endpoint events received from Kubernetes',
      type: 'counter',
      minMinor: 12,
      essential: true,
      series: [[]],
      value: { kind: 'counter', median: 40 },
    },
    ...workqueueFamilies(m),
    {
      name: 'cilium_kubernetes_events_received_total',
      help:
        m >= 10
          ? 'Number of Kubernetes events received labeled by scope, action, valid data and equalness'
          : 'Number of Kubernetes events processed labeled by scope, action and execution result',
      type: 'counter',
      series: product([
        ['action', ['create', 'delete', 'update']],
        ['equal', ['false', 'true']],
        ['scope', K8S_RESOURCES],
        ['valid', ['true']],
      ]),
      value: { kind: 'counter', median: 120 },
    },
    {
      name: 'cilium_kubernetes_events_total',
      help: 'Number of Kubernetes events processed labeled by scope, action and execution result',
      type: 'counter',
      series: product([
        ['action', ['create', 'delete', 'update']],
        ['scope', K8S_RESOURCES],
        ['status', ['failed', 'success']],
      ]),
      value: { kind: 'counter', median: 100 },
    },
    {
      name: 'cilium_nat_endpoint_max_connection',
      help: 'Saturation of the most saturated distinct NAT mapped connection, in terms of egress-IP and remote endpoint address.',
      type: 'gauge',
      minMinor: 13,
      essential: true,
      series: [l({ family: 'ipv4' })],
      value: { kind: 'gauge', median: 12, sigma: 1 },
    },
    {
      name: 'cilium_nodes_all_datapath_validations_total',
      help:
        m >= 10
          ? 'Number of validation calls to implement the datapath implementation of a node'
          : 'Number of validation calls to implement the datapath implemention of a node',
      type: 'counter',
      essential: true,
      series: [[]],
      value: { kind: 'counter', median: 5000 },
    },
    {
      name: 'cilium_nodes_all_events_received_total',
      help: 'Number of node events received',
      type: 'counter',
      essential: true,
      series: product([
        [m >= 10 ? 'event_type' : 'eventType', ['add', 'delete', 'update']],
        ['source', ['custom-resource', 'local']],
      ]),
      value: { kind: 'counter', median: Math.max(2, ctx.nodes) },
    },
    {
      name: 'cilium_nodes_all_num',
      help: 'Number of nodes managed',
      type: 'gauge',
      essential: true,
      series: [[]],
      value: { kind: 'constant', value: ctx.nodes },
    },
    {
      name: 'cilium_policy_implementation_delay',
      help: 'Time between a policy change and it being fully deployed into the datapath',
      type: 'histogram',
      minMinor: 12,
      series: ['api', 'custom-resource', 'k8s'].map((source) => l({ source })),
      value: { kind: 'histogram', shape: { median: 0.3, sigma: 1, countMedian: 15 } },
    },
    {
      name: 'cilium_policy_incremental_update_duration',
      help: 'Time taken for newly learned identities to be added to the policy system.',
      type: 'histogram',
      minMinor: 17,
      series: ['global', 'policy_map_updates', 'proxy_updates'].map((scope) => l({ scope })),
      value: { kind: 'histogram', shape: { median: 0.002, sigma: 1, countMedian: 120 } },
    },
    ...l7Families(m),
    {
      name: 'cilium_policy_selector_match_count_max',
      help: 'The maximum number of identities selected by a network policy peer selector',
      type: 'gauge',
      minMinor: 17,
      essential: true,
      series: ['cluster', 'fqdn', 'other', 'world'].map((c) => l({ class: c })),
      value: { kind: 'gauge', median: 8 },
    },
    {
      name: 'cilium_policy_regeneration_time_stats_seconds',
      help: 'Policy regeneration time stats labeled by the scope',
      type: 'histogram',
      maxMinor: 16,
      essential: true,
      series: ['policyCalculation', ctx.naming.regenerationTotalScope, 'waitingForPolicyRepository'].map((scope) =>
        l({ scope, status: 'success' })
      ),
      value: { kind: 'histogram', shape: { median: 0.0002, sigma: 1, countMedian: 200 } },
    },
    {
      name: 'cilium_policy_regeneration_total',
      help: 'Total number of successful policy regenerations',
      type: 'counter',
      maxMinor: 16,
      essential: true,
      series: [[]],
      value: { kind: 'counter', median: 200 },
    },
    {
      name: 'cilium_proxy_redirects',
      help: 'Number of redirects installed for endpoints, labeled by protocol',
      type: 'gauge',
      minMinor: 10,
      series: ['dns', 'http', 'kafka'].map((p) => l({ protocol_l7: p })),
      value: { kind: 'gauge', median: 3 },
    },
    {
      name: 'cilium_proxy_upstream_reply_seconds',
      help: 'Seconds waited to get a reply from a upstream server',
      type: 'histogram',
      minMinor: 10,
      series: product([
        ['error', ['', 'timeout']],
        ['protocol_l7', ['dns', 'http']],
        ['scope', ['policyGenerationTime', 'processingTime', 'semaphoreTime', 'totalTime', 'upstreamTime']],
      ]),
      value: { kind: 'histogram', shape: { median: 0.003, sigma: 1.3, countMedian: 800 } },
    },
    {
      name: 'cilium_services_events_total',
      help: 'Number of services events labeled by action type',
      type: 'counter',
      minMinor: 10,
      essential: true,
      series: ['add', 'delete', 'update'].map((action) => l({ action })),
      value: { kind: 'counter', median: 60 },
    },
    {
      name: 'cilium_subprocess_start_total',
      help: 'Number of times that Cilium has started a subprocess, labeled by subsystem',
      type: 'counter',
      essential: true,
      series: [l({ subsystem: 'cilium-health' })],
      value: { kind: 'constant', value: 1 },
    },
    ...triggerFamilies(m),
    ...jobFamilies(m),
    ...featureFamilies(m),
    {
      name: 'cilium_version',
      help: 'Cilium version',
      type: 'gauge',
      essential: true,
      series: ctx.naming.versionLabelsFull
        ? [
            l({
              arch: 'amd64',
              revision: `${ctx.versionFull} ${revisionHash(ctx.versionFull)}`,
              version: ctx.versionFull,
            }),
          ]
        : [l({ version: ctx.versionFull })],
      value: { kind: 'constant', value: ctx.naming.versionLabelsFull ? 1 : 0 },
    },
  ];
  return families.filter((f) => (f.minMinor ?? 0) <= m && m <= (f.maxMinor ?? 99));
}

function workqueueFamilies(m: number): FillerFamily[] {
  if (m < 15) {
    return [];
  }
  const series = WORKQUEUES.map((name) => l({ name }));
  const base = { minMinor: 15 };
  return [
    {
      ...base,
      name: 'cilium_k8s_workqueue_adds_total',
      help: 'Total number of adds handled by workqueue',
      type: 'counter',
      series,
      value: { kind: 'counter', median: 500 },
    },
    {
      ...base,
      name: 'cilium_k8s_workqueue_depth',
      help: 'Current depth of workqueue',
      type: 'gauge',
      series,
      value: { kind: 'constant', value: 0 },
    },
    {
      ...base,
      name: 'cilium_k8s_workqueue_longest_running_processor_seconds',
      help: 'How many seconds has the longest running processor for workqueue been running.',
      type: 'gauge',
      series,
      value: { kind: 'constant', value: 0 },
    },
    {
      ...base,
      name: 'cilium_k8s_workqueue_queue_duration_seconds',
      help: 'How long in seconds an item stays in workqueue before being requested.',
      type: 'histogram',
      series,
      value: { kind: 'histogram', shape: { median: 0.0005, sigma: 1.5, countMedian: 500 } },
    },
    {
      ...base,
      name: 'cilium_k8s_workqueue_retries_total',
      help: 'Total number of retries handled by workqueue',
      type: 'counter',
      series,
      value: { kind: 'counter', median: 3 },
    },
    {
      ...base,
      name: 'cilium_k8s_workqueue_unfinished_work_seconds',
      help: "How many seconds of work has been done that is in progress and hasn't been observed by work_duration. Large values indicate stuck threads. One can deduce the number of stuck threads by observing the rate at which this increases.",
      type: 'gauge',
      series,
      value: { kind: 'constant', value: 0 },
    },
    {
      ...base,
      name: 'cilium_k8s_workqueue_work_duration_seconds',
      help: 'How long in seconds processing an item from workqueue takes.',
      type: 'histogram',
      series,
      value: { kind: 'histogram', shape: { median: 0.001, sigma: 1.5, countMedian: 500 } },
    },
  ];
}

function l7Families(m: number): FillerFamily[] {
  if (m >= 15) {
    return [
      {
        name: 'cilium_policy_l7_total',
        help: 'Number of total proxy requests handled',
        type: 'counter',
        essential: true,
        series: product([
          ['proxy_type', ['envoy', 'fqdn']],
          ['rule', ['denied', 'forwarded', 'parse_errors', 'received']],
        ]),
        value: { kind: 'counter', median: 500 },
      },
    ];
  }
  const old: Array<[string, string]> = [
    ['cilium_policy_l7_denied_total', 'Number of total L7 denied requests/responses due to policy'],
    ['cilium_policy_l7_forwarded_total', 'Number of total L7 forwarded requests/responses'],
    ['cilium_policy_l7_parse_errors_total', 'Number of total L7 parse errors'],
    ['cilium_policy_l7_received_total', 'Number of total L7 received requests/responses'],
  ];
  return old.map(([name, help]): FillerFamily => ({
    name,
    help,
    type: 'counter',
    essential: true,
    series: [[]],
    value: { kind: 'counter', median: 50 },
  }));
}

function triggerFamilies(m: number): FillerFamily[] {
  if (m >= 17) {
    return [];
  }
  return [
    {
      name: 'cilium_triggers_policy_update_call_duration_seconds',
      help: 'Duration of policy update trigger',
      type: 'histogram',
      essential: true,
      series: [l({ type: 'duration' }), l({ type: 'latency' })],
      value: { kind: 'histogram', shape: { median: 0.01, sigma: 1.5, countMedian: 60 } },
    },
    {
      name: 'cilium_triggers_policy_update_folds',
      help: 'Current number of folds',
      type: 'gauge',
      essential: true,
      series: [[]],
      value: { kind: 'constant', value: 0 },
    },
    {
      name: 'cilium_triggers_policy_update_total',
      help: 'Total number of policy update trigger invocations labeled by reason',
      type: 'counter',
      essential: true,
      series: [
        'kube-apiserver identity updated',
        'one or more identities created or deleted',
        'policy rules added',
        'policy rules deleted',
      ].map((reason) => l({ reason })),
      value: { kind: 'counter', median: 20 },
    },
  ];
}

function jobFamilies(m: number): FillerFamily[] {
  if (m < 15) {
    return [];
  }
  const prefix = m >= 17 ? 'cilium_hive_jobs' : 'cilium_jobs';
  const series = HIVE_JOBS.map((job) => l({ job }));
  return [
    {
      name: `${prefix}_errors_total`,
      help: 'Number of job runs that returned an error',
      type: 'counter',
      series,
      value: { kind: 'constant', value: 0 },
    },
    {
      name: `${prefix}_timer_run_seconds`,
      help: 'Duration of timer job runs',
      type: 'histogram',
      series,
      value: { kind: 'histogram', shape: { median: 0.003, sigma: 1.5, countMedian: 300 } },
    },
    {
      name: `${prefix}_one_shot_run_seconds`,
      help: 'Duration of one-shot job runs',
      type: 'histogram',
      series,
      value: { kind: 'histogram', shape: { median: 0.05, sigma: 2, countMedian: 1 } },
    },
  ];
}

function featureFamilies(m: number): FillerFamily[] {
  if (m < 18) {
    return [];
  }
  return FEATURES.map((name, i): FillerFamily => ({
    name,
    help: `Cilium feature flag ${name.replace('cilium_feature_', '').replace(/_/g, ' ')}`,
    type: 'gauge',
    essential: true,
    series: [[]],
    value: { kind: 'constant', value: i % 3 === 0 ? 1 : 0 },
  }));
}

/** A stable fake commit hash for cilium_version{revision}. */
function revisionHash(version: string): string {
  let h = 0x12345;
  for (let i = 0; i < version.length; i++) {
    h = Math.imul(h ^ version.charCodeAt(i), 0x01000193) >>> 0;
  }
  return (h.toString(16) + 'a1b2c3d4').slice(0, 10);
}

/** Renders one filler series (all its lines). */
export function renderFillerSeries(rng: Prng, family: FillerFamily, labels: Labels, nowSeconds: number): string {
  const value = family.value;
  // Failures and error codes are rarer than successes.
  const scale = isErrorSeries(labels) ? 0.02 : 1;
  switch (value.kind) {
    case 'counter':
      return syntheticCounter(rng, family.name, labels, value.median * scale);
    case 'gauge': {
      const factor = 10 ** (value.decimals ?? 0);
      return sampleLine(
        family.name,
        labels,
        Math.round(rng.logNormal(value.median, value.sigma ?? 1) * factor) / factor
      );
    }
    case 'constant':
      return sampleLine(family.name, labels, value.value);
    case 'timestamp':
      return sampleLine(family.name, labels, nowSeconds - Math.round(rng.range(0, value.maxAgeSeconds) * 1e6) / 1e6);
    case 'histogram':
      return syntheticHistogram(
        rng,
        family.name,
        labels,
        { ...value.shape, countMedian: value.shape.countMedian * scale },
        value.buckets
      );
  }
}

function isErrorSeries(labels: Labels): boolean {
  return labels.some(
    ([name, v]) =>
      ((name === 'outcome' || name === 'status') && (v === 'fail' || v === 'failure' || v === 'failed')) ||
      (name === 'return_code' && (v.startsWith('4') || v.startsWith('5'))) ||
      (name === 'level' && v === 'error') ||
      (name === 'error' && v !== '')
  );
}

/**
 * Renders the filler families to about `targetBytes` in total: essential families in full, one series of every other
 * family, then one more series of each in turn until the target is reached (at least that minimum page).
 */
export function renderFiller(
  rng: Prng,
  families: FillerFamily[],
  targetBytes: number,
  nowSeconds: number
): Map<string, string> {
  interface Work {
    family: FillerFamily;
    chosen: Array<{ labels: Labels; text: string }>;
    next: number;
    header: string;
  }
  const work: Work[] = families.map((family) => ({
    family,
    chosen: [],
    next: 0,
    header: familyHeader(family.name, family.help, family.type),
  }));
  let total = 0;
  const take = (w: Work): boolean => {
    const series = w.family.series;
    const labels = typeof series === 'function' ? series(w.next) : series[w.next];
    if (labels === undefined) {
      return false;
    }
    w.next++;
    const text = renderFillerSeries(rng, w.family, labels, nowSeconds);
    if (w.chosen.length === 0) {
      total += w.header.length;
    }
    w.chosen.push({ labels, text });
    total += text.length;
    return true;
  };
  for (const w of work) {
    if (w.family.essential) {
      while (take(w)) {
        // every series of an essential family
      }
    }
  }
  // Every family shows at least one series, as on a real agent; then one more series of each family in turn, the
  // unbounded families growing once the others are exhausted.
  const optional = work.filter((w) => !w.family.essential);
  for (const w of optional) {
    take(w);
  }
  let progressed = true;
  while (total < targetBytes && progressed) {
    progressed = false;
    for (const w of optional) {
      if (total >= targetBytes) {
        break;
      }
      progressed = take(w) || progressed;
    }
  }
  const out = new Map<string, string>();
  for (const w of work) {
    if (w.chosen.length === 0) {
      continue;
    }
    w.chosen.sort((a, b) => compareLabels(a.labels, b.labels));
    out.set(w.family.name, w.header + w.chosen.map((c) => c.text).join(''));
  }
  return out;
}
