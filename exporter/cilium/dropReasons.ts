/**
 * The drop reasons Cilium agents count in cilium_drop_count_total{reason}, with what each means and where to look.
 * Keyed by the reason string exactly as the agent writes it; older spellings of a code are entries of their own,
 * since an old agent still writes them. Codes are Cilium's datapath drop codes; hubble names are the DropReason
 * enum of Hubble's flow API.
 */
import type { DropReasonInfo } from '../../src/contract';

export type DropReasonEntry = Omit<DropReasonInfo, 'seen'>;

function reason(
  code: number | null,
  label: string,
  hubbleName: string | null,
  meaning: string,
  commonCauses: string
): DropReasonEntry {
  return { reason: label, code, hubbleName, meaning, commonCauses };
}

const MONITOR = '`cilium monitor --type drop` (or `hubble observe --verdict DROPPED`) on the node';
const TRANSIENT =
  'A few at agent start, upgrade or endpoint regeneration are expected; a steady rate points at a datapath problem worth an agent log check and a Cilium issue search.';

export const DROP_REASONS: readonly DropReasonEntry[] = [
  // Policy
  reason(
    133,
    'Policy denied',
    'POLICY_DENIED',
    'No network policy rule allows this traffic. Once any policy selects an endpoint in a direction, everything not explicitly allowed in that direction is dropped.',
    `A missing allow rule (port, protocol, peer labels or namespace), a new or edited CiliumNetworkPolicy / NetworkPolicy that now selects the endpoint, changed pod labels, or toFQDNs rules whose DNS answers were not yet seen. Find the source and destination identities and port with ${MONITOR}, then compare with \`cilium policy get\` and recent policy changes.`
  ),
  reason(
    181,
    'Policy denied by denylist',
    'POLICY_DENY',
    'The traffic matched an explicit deny rule (ingressDeny / egressDeny). Deny rules win over any allow rule.',
    `An ingressDeny/egressDeny section of a CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy, often a broad clusterwide one. Identify the peers with ${MONITOR} and review deny rules that select them.`
  ),
  reason(
    189,
    'Authentication required',
    'AUTH_REQUIRED',
    'A policy requires mutual authentication between the two identities and no authenticated session exists yet, so the packet is held back.',
    'The first packets of a new connection before the handshake completes (a few are normal), or a broken authentication setup: SPIRE server or agent unhealthy, identities not registered, the auth manager failing. Check cilium-agent logs for auth errors and the SPIRE components.'
  ),
  reason(
    165,
    'No configuration available to perform policy decision',
    'NO_CONFIGURATION_AVAILABLE_TO_PERFORM_POLICY_DECISION',
    'The endpoint had no policy configuration yet when the packet arrived (a code current datapaths no longer use).',
    `Endpoints still being created or regenerated. ${TRANSIENT}`
  ),

  // Addresses and identities
  reason(
    132,
    'Invalid source ip',
    'INVALID_SOURCE_IP',
    "A packet leaving a pod carried a source IP that is not the pod's own address, so the anti-spoofing check dropped it.",
    'Workloads that send from other addresses: their own NAT, VPN or bridge inside the pod, secondary IPs not allocated through Cilium, or a stale endpoint after IP reuse. Find the pod and the offending source IP with ' +
      MONITOR +
      ' and compare with `cilium endpoint list`.'
  ),
  reason(
    130,
    'Invalid source mac',
    'INVALID_SOURCE_MAC',
    "The frame's source MAC address did not match the endpoint's interface (a check current datapaths no longer make).",
    'Old agents only: interfaces recreated with a new MAC, or a workload changing its MAC address.'
  ),
  reason(
    131,
    'Invalid destination mac',
    'INVALID_DESTINATION_MAC',
    "The frame's destination MAC address was not the expected one (a check current datapaths no longer make).",
    'Old agents only: stale neighbour (ARP) entries in the pod after its interface was recreated.'
  ),
  reason(
    171,
    'Invalid identity',
    'INVALID_IDENTITY',
    'The packet carried no valid security identity where the datapath needs one to apply policy.',
    'The ipcache not yet knowing a new pod, node or external peer (identity allocation or propagation lag, kvstore or CRD sync problems), or identity clashes in a ClusterMesh. Check `cilium identity list`, `cilium bpf ipcache list` and agent logs for sync errors.'
  ),
  reason(
    172,
    'Unknown sender',
    'UNKNOWN_SENDER',
    'The packet came from a source the datapath cannot attribute to a known endpoint or node.',
    'Traffic from a node that has not yet joined the node list, from outside the cluster onto an internal path, or tunnel/encryption traffic from unknown peers. Check `cilium node list` on the receiving node.'
  ),
  reason(
    151,
    'Stale or unroutable IP',
    'STALE_OR_UNROUTABLE_IP',
    'The destination is an address this node should own (its pod range) but no local endpoint has it, or an address the node cannot route.',
    'Traffic to pods that were just deleted or rescheduled (clients or caches holding old IPs, slow endpoint propagation), IPs not yet assigned, or leaked IPAM allocations. Look up the destination IP from ' +
      MONITOR +
      ' against `cilium endpoint list`.'
  ),
  reason(
    151,
    'Not a local target address',
    'STALE_OR_UNROUTABLE_IP',
    "Older agents' name for 'Stale or unroutable IP': the destination is in this node's pod range but no local endpoint has it.",
    'Traffic to pods that were just deleted or rescheduled, or IPs not yet assigned. Look up the destination IP against `cilium endpoint list`.'
  ),
  reason(
    150,
    'Unknown L3 target address',
    'UNKNOWN_L3_TARGET_ADDRESS',
    'The datapath could not resolve the destination address to an endpoint, host or route it knows.',
    'Traffic to addresses outside every known range (misrouted packets, stale routes pointing at this node), or ipcache entries missing for a new node. Check the destination with ' +
      MONITOR +
      '.'
  ),
  reason(
    152,
    'No matching local container found',
    'NO_MATCHING_LOCAL_CONTAINER_FOUND',
    'The destination looked local but no container on this node matched it (a code current datapaths no longer use).',
    'Old agents only: traffic to pods that were just deleted.'
  ),

  // Protocols and malformed packets
  reason(
    134,
    'Invalid packet',
    'INVALID_PACKET_DROPPED',
    'The packet was malformed or too short for the headers the datapath must read. Drop code 2 is reported under the same name.',
    'Truncated or corrupted packets, unusual encapsulations, NIC offload or driver problems, or scanning traffic. Inspect the headers with `cilium monitor --type drop -v`.'
  ),
  reason(
    139,
    'Unsupported L3 protocol',
    'UNSUPPORTED_L3_PROTOCOL',
    'The packet is neither IPv4 nor IPv6 (or is of an IP family the agent has disabled), so the datapath does not handle it.',
    'Usually harmless background noise: IPv6 neighbour and router solicitations on clusters with IPv6 disabled, or non-IP protocols from workloads and host interfaces. Worth a look only if it rises sharply; ' +
      MONITOR +
      ' shows the EtherType.'
  ),
  reason(
    166,
    'Unsupported L2 protocol',
    'UNSUPPORTED_L2_PROTOCOL',
    'The frame is not an Ethernet frame type the datapath handles.',
    'Mostly harmless: LLDP, STP or other link-layer chatter reaching a Cilium-managed interface. Worth a look only if it grows.'
  ),
  reason(
    142,
    'Unknown L4 protocol',
    'UNKNOWN_L4_PROTOCOL',
    'The datapath cannot apply policy, NAT or load-balancing to this transport protocol (only TCP, UDP, ICMP and, when enabled, SCTP are handled).',
    'Workloads using GRE, ESP, IP-in-IP or SCTP without SCTP support enabled. ' +
      MONITOR +
      ' shows the protocol number.'
  ),
  reason(
    137,
    'CT: Unknown L4 protocol',
    'CT_UNKNOWN_L4_PROTOCOL',
    "Connection tracking does not support the packet's transport protocol.",
    'Protocols other than TCP, UDP, ICMP and (when enabled) SCTP sent by workloads. Enable SCTP support if that is the protocol in use.'
  ),
  reason(
    135,
    'CT: Truncated or invalid header',
    'CT_TRUNCATED_OR_INVALID_HEADER',
    'Connection tracking could not read the transport header (ports, flags): the packet is too short or malformed.',
    'IP fragments without a transport header when fragment tracking is off, MTU problems that produce fragments, or malformed and scanning traffic.'
  ),
  reason(
    138,
    "CT: Can't create entry from packet",
    'CT_CANNOT_CREATE_ENTRY_FROM_PACKET',
    'Connection tracking refused to open an entry for this packet (a code current datapaths no longer use).',
    'Old agents only: packets that cannot start a connection, such as a TCP segment without SYN for an unknown flow.'
  ),
  reason(
    136,
    'Fragmentation needed',
    'CT_MISSING_TCP_ACK_FLAG',
    "The packet is larger than the MTU of the path it must take and may not be fragmented (DF set); where it can, the datapath answers with ICMP 'fragmentation needed' so that the sender sends smaller packets.",
    'An MTU mismatch: pod MTU above what the underlay carries once tunnel (VXLAN/Geneve) or encryption (WireGuard/IPsec) overhead is added, jumbo frames on some nodes only, or path-MTU discovery blocked by a firewall. Compare the MTU in `cilium status` with the node interfaces.'
  ),
  reason(
    136,
    'CT: Missing TCP ACK flag',
    'CT_MISSING_TCP_ACK_FLAG',
    "Older agents' use of code 136: a TCP packet without the ACK flag that connection tracking could not match to a connection it tracks.",
    'Asymmetric routing, connection-tracking entries lost (agent restart, map garbage collection) while connections stayed open, or connections older than Cilium on the node.'
  ),
  reason(
    156,
    'Invalid IPv6 extension header',
    'INVALID_IPV6_EXTENSION_HEADER',
    'The datapath could not walk the chain of IPv6 extension headers to find the transport header.',
    'Unusual or overly long extension-header chains, or malformed IPv6 traffic.'
  ),
  reason(
    157,
    'IP fragmentation not supported',
    'IP_FRAGMENTATION_NOT_SUPPORTED',
    'A fragmented IP packet arrived on a path that cannot handle fragments.',
    'Large UDP datagrams (DNS over EDNS, NFS, some VPNs) or MTU mismatches producing fragments. Enable IPv4 fragment tracking, or fix the MTU so that fragments are not needed.'
  ),
  reason(
    175,
    'First logical datagram fragment not found',
    'FIRST_LOGICAL_DATAGRAM_FRAGMENT_NOT_FOUND',
    'A later fragment of a datagram arrived but the first fragment (which carries the ports) was never seen, so it cannot be matched to a flow.',
    'Fragment reordering or loss on the network, or the fragment-tracking map being full. Reduce fragmentation by fixing MTUs.'
  ),
  reason(
    143,
    'Unknown ICMPv4 code',
    'UNKNOWN_ICMPV4_CODE',
    'An ICMPv4 message had a code the datapath does not handle.',
    'Unusual ICMP traffic; harmless in small numbers.'
  ),
  reason(
    144,
    'Unknown ICMPv4 type',
    'UNKNOWN_ICMPV4_TYPE',
    'An ICMPv4 message had a type the datapath does not handle (for example when translating ICMP errors for NAT or services).',
    'Unusual ICMP traffic; harmless in small numbers.'
  ),
  reason(
    145,
    'Unknown ICMPv6 code',
    'UNKNOWN_ICMPV6_CODE',
    'An ICMPv6 message had a code the datapath does not handle.',
    'Unusual ICMPv6 traffic; harmless in small numbers.'
  ),
  reason(
    146,
    'Unknown ICMPv6 type',
    'UNKNOWN_ICMPV6_TYPE',
    'An ICMPv6 message had a type the datapath does not handle.',
    'Unusual ICMPv6 traffic; harmless in small numbers.'
  ),
  reason(
    176,
    'Forbidden ICMPv6 message',
    'FORBIDDEN_ICMPV6_MESSAGE',
    'An ICMPv6 message of a type Cilium does not let through on this path was dropped.',
    'Workloads or hosts sending ICMPv6 types outside the allowed set (for example redirects).'
  ),
  reason(
    196,
    'TTL exceeded',
    'TTL_EXCEEDED',
    "The packet's TTL / hop limit ran out while the datapath was forwarding it.",
    'traceroute probes (harmless), or a routing loop between nodes or with the underlay when the rate is steady.'
  ),

  // Datapath internals
  reason(
    140,
    'Missed tail call',
    'MISSED_TAIL_CALL',
    'A BPF program jumped to another program that was not loaded, so the packet could not be processed.',
    `Programs being replaced during agent start, upgrade or endpoint regeneration. ${TRANSIENT} Check for endpoints stuck not-ready and BPF load errors in the agent log.`
  ),
  reason(
    202,
    'Host datapath not ready',
    'DROP_HOST_NOT_READY',
    "A packet needed the host's BPF programs before they were loaded.",
    `Agent start or upgrade on the node. ${TRANSIENT}`
  ),
  reason(
    203,
    'Endpoint policy program not available',
    'DROP_EP_NOT_READY',
    "A packet needed an endpoint's policy program before it was loaded.",
    `New pods whose endpoint is still being built, or agent restarts. ${TRANSIENT} Persistent counts go with failed regenerations (cilium_endpoint_regenerations_total{outcome="failure"}).`
  ),
  reason(
    141,
    'Error writing to packet',
    'ERROR_WRITING_TO_PACKET',
    'Rewriting the packet (addresses, ports, headers for NAT or load-balancing) failed inside the kernel.',
    'Packets the kernel cannot modify in place, or kernel and driver bugs. Note the kernel version and the packet shape from ' +
      MONITOR +
      '.'
  ),
  reason(
    153,
    'Error while correcting L3 checksum',
    'ERROR_WHILE_CORRECTING_L3_CHECKSUM',
    'Updating the IP header checksum after a rewrite failed.',
    'Rare: kernel or driver problems, checksum offload quirks.'
  ),
  reason(
    154,
    'Error while correcting L4 checksum',
    'ERROR_WHILE_CORRECTING_L4_CHECKSUM',
    'Updating the TCP/UDP checksum after a rewrite failed.',
    'Rare: kernel or driver problems, checksum offload quirks.'
  ),
  reason(
    163,
    'Unknown connection tracking state',
    'UNKNOWN_CONNECTION_TRACKING_STATE',
    'Connection tracking returned a state the datapath did not expect at that point.',
    'A datapath inconsistency, often around upgrades that change map formats. Check the agent log and known issues for the running version.'
  ),
  reason(
    184,
    'Failed to update or lookup TC buffer',
    'INVALID_TC_BUFFER',
    'An internal scratch buffer used while processing the packet could not be read or written.',
    'Rare datapath errors; check the agent log and the kernel version.'
  ),
  reason(
    206,
    '206',
    'DROP_NO_DEVICE',
    'The datapath found no network device to send the packet out of. Agents without a name for this code write the number ("206", or "206, 0").',
    'Devices missing from the agent configuration (--devices) or interfaces renamed or removed after the agent started.'
  ),

  // Connection tracking and NAT capacity
  reason(
    155,
    'CT: Map insertion failed',
    'CT_MAP_INSERTION_FAILED',
    'A new connection could not be added to the connection-tracking map, usually because it is full.',
    'More concurrent connections than the CT map holds, or garbage collection falling behind. Check cilium_bpf_map_pressure for the cilium_ct* maps and raise bpf-ct-global-tcp-max / bpf-ct-global-any-max or bpf-map-dynamic-size-ratio.'
  ),
  reason(
    167,
    'No mapping for NAT masquerade',
    'NO_MAPPING_FOR_NAT_MASQUERADE',
    'A packet needed an existing masquerade (SNAT) mapping to be translated back, and none was found.',
    'The NAT map full or entries expired for long-idle connections, replies arriving through another node (asymmetric routing), or port exhaustion. Check cilium_bpf_map_pressure for cilium_snat_* maps and bpf-nat-global-max.'
  ),
  reason(
    168,
    'Unsupported protocol for NAT masquerade',
    'UNSUPPORTED_PROTOCOL_FOR_NAT_MASQUERADE',
    'BPF masquerading cannot translate this transport protocol.',
    'Pods sending protocols other than TCP, UDP, ICMP (and SCTP where supported) to destinations that get masqueraded.'
  ),
  reason(
    173,
    'NAT not needed',
    'NAT_NOT_NEEDED',
    'The NAT code decided the packet needs no translation; the code is counted as a drop although it signals a decision rather than a failure.',
    'Usually harmless; look further only if it correlates with connection failures.'
  ),
  reason(
    161,
    'NAT 46/64 not enabled',
    'FAILED_TO_INSERT_INTO_PROXYMAP',
    'The packet needed IPv4/IPv6 translation (NAT46/64) but that feature is not enabled.',
    'IPv4-mapped IPv6 traffic to services or pods on a cluster without NAT46/64 support enabled.'
  ),
  reason(
    161,
    'Failed to insert into proxymap',
    'FAILED_TO_INSERT_INTO_PROXYMAP',
    "Older agents' use of code 161 (up to 1.11): the connection could not be recorded for redirection to the L7 proxy.",
    'Many concurrent proxied connections filling the proxy map, on agents that still used it.'
  ),
  reason(
    187,
    'L3 translation from IPv4 to IPv6 failed (NAT46)',
    'NAT46',
    'Translating an IPv4 packet to IPv6 failed.',
    'NAT46/64 configuration (prefixes, services) not matching the traffic.'
  ),
  reason(
    188,
    'L3 translation from IPv6 to IPv4 failed (NAT64)',
    'NAT64',
    'Translating an IPv6 packet to IPv4 failed.',
    'NAT46/64 configuration (prefixes, services) not matching the traffic.'
  ),
  reason(
    190,
    'No conntrack map found',
    'CT_NO_MAP_FOUND',
    'The per-cluster connection-tracking map the packet needed does not exist.',
    'ClusterMesh with per-cluster maps: a remote cluster not yet (or no longer) set up on this node. Check `cilium clustermesh status`.'
  ),
  reason(
    191,
    'No nat map found',
    'SNAT_NO_MAP_FOUND',
    'The per-cluster NAT map the packet needed does not exist.',
    'ClusterMesh with per-cluster maps: a remote cluster not yet (or no longer) set up on this node.'
  ),

  // Services and load-balancing
  reason(
    158,
    'Service backend not found',
    'SERVICE_BACKEND_NOT_FOUND',
    'Traffic reached a Service address (ClusterIP, NodePort, LoadBalancer) that has no backend in the datapath.',
    "A Service with no ready endpoints (pods not ready, selector matching nothing, scaled to zero, mid-rollout), or the agent's service maps out of sync. Compare `kubectl get endpointslices` with `cilium service list`."
  ),
  reason(
    159,
    '159',
    null,
    'Traffic to a Service used a protocol the Service does not serve. Agents have no name for this code and write the number ("159", or "159, 0").',
    'Clients sending, for example, ICMP or a different transport protocol to a Service port.'
  ),
  reason(
    174,
    'Is a ClusterIP',
    'IS_A_CLUSTERIP',
    'A packet addressed to a ClusterIP reached a path where ClusterIPs are not served (they are reachable only from inside the cluster).',
    'Clients outside the cluster (or host processes bypassing socket load-balancing) sending to ClusterIPs through routes pointing at nodes. Use a NodePort or LoadBalancer service for outside clients.'
  ),
  reason(
    177,
    'Denied by LB src range check',
    'DENIED_BY_LB_SRC_RANGE_CHECK',
    "The client address is outside the Service's loadBalancerSourceRanges.",
    'Expected for clients that are not allowed; otherwise widen loadBalancerSourceRanges on the Service.'
  ),
  reason(
    193,
    'Unsupported packet protocol for DSR encapsulation',
    'UNSUPPORTED_PROTOCOL_FOR_DSR_ENCAP',
    'Direct server return with encapsulation cannot carry this protocol.',
    'Non-TCP/UDP traffic to services in DSR mode with Geneve or IPIP encapsulation.'
  ),

  // Tunnels, routing and encryption
  reason(
    160,
    'No tunnel/encapsulation endpoint (datapath BUG!)',
    'NO_TUNNEL_OR_ENCAPSULATION_ENDPOINT',
    "In tunnel mode, the node owning the destination's pod range is not known, so the packet cannot be encapsulated.",
    "Despite the label, usually a sync gap rather than a bug: nodes joining or leaving, a node's pod CIDR not yet propagated, kvstore or CRD sync problems. Check `cilium node list` and `cilium bpf tunnel list` on the sending node."
  ),
  reason(
    147,
    'Error retrieving tunnel key',
    'ERROR_RETRIEVING_TUNNEL_KEY',
    'A packet from the tunnel device carried no readable tunnel metadata.',
    'Other software sending to the overlay UDP port (8472 VXLAN, 6081 Geneve), or kernel problems with the tunnel device.'
  ),
  reason(
    148,
    'Error retrieving tunnel options',
    'ERROR_RETRIEVING_TUNNEL_OPTIONS',
    'Reading Geneve tunnel options failed (a code current datapaths no longer use).',
    'Old agents only: Geneve traffic with unexpected options.'
  ),
  reason(
    149,
    'Invalid Geneve option',
    'INVALID_GENEVE_OPTION',
    'A Geneve option was not in the expected format (a code current datapaths no longer use).',
    'Old agents only: Geneve traffic from other software on the same port.'
  ),
  reason(
    170,
    'Encapsulation traffic is prohibited',
    'ENCAPSULATION_TRAFFIC_IS_PROHIBITED',
    'Encapsulated (VXLAN/Geneve) traffic arrived where Cilium does not accept it.',
    'Another overlay on the network using the same UDP port, or nodes configured with different routing modes (tunnel vs native).'
  ),
  reason(
    183,
    'Incorrect VNI from VTEP',
    'INVALID_VNI',
    'VXLAN traffic from an external VTEP carried an unexpected VNI.',
    'VTEP integration configured with a VNI that does not match the external device.'
  ),
  reason(
    169,
    'FIB lookup failed',
    'FIB_LOOKUP_FAILED',
    'The kernel routing lookup from BPF found no route or neighbour for the destination.',
    'Missing routes on the node (native routing without routes to other pod CIDRs), unresolved ARP/ND entries, or the wrong devices given to the agent. Check `ip route get <destination>` and the neighbour table on the node.'
  ),
  reason(
    164,
    'Local host is unreachable',
    'LOCAL_HOST_IS_UNREACHABLE',
    'A packet for the node itself could not be delivered to the host.',
    'The host datapath not fully set up (agent start), or host firewall configuration. Check `cilium status` on the node.'
  ),
  reason(
    182,
    'VLAN traffic disallowed by VLAN filter',
    'VLAN_FILTERED',
    'A VLAN-tagged frame with a VLAN ID that is not allowed reached a Cilium-managed device.',
    "VLAN IDs missing from the agent's allowed list (vlan-bpf-bypass)."
  ),
  reason(
    195,
    'Traffic is unencrypted',
    null,
    'Strict encryption mode dropped pod traffic that would have left the node unencrypted.',
    'A peer node without encryption keys yet (joining, restarting), or a node outside the WireGuard/IPsec mesh. Check `cilium encrypt status` on both nodes.'
  ),
  reason(
    197,
    'No node ID found',
    'NO_NODE_ID',
    'The datapath needed an ID for the destination node (IPsec and some other features) and none is allocated yet.',
    'Nodes joining the cluster. A steady rate suggests node IDs not being allocated; check the agent log.'
  ),
  reason(
    185,
    'No SID was found for the IP address',
    'NO_SID',
    'SRv6: no segment ID is known for the destination.',
    'SRv6 / VRF policies not covering the destination.'
  ),
  reason(
    186,
    'SRv6 state was removed during tail call',
    'MISSING_SRV6_STATE',
    'SRv6 processing lost its state between two BPF programs.',
    'Rare datapath issue on SRv6 setups.'
  ),
  reason(
    192,
    'Invalid ClusterID',
    'INVALID_CLUSTER_ID',
    'The packet referenced a ClusterMesh cluster ID that is not valid here.',
    'ClusterMesh clusters with conflicting or out-of-range cluster IDs, or max-connected-clusters mismatches.'
  ),
  reason(
    194,
    'No egress gateway found',
    'NO_EGRESS_GATEWAY',
    'An egress gateway policy matched the traffic but no gateway node is available for it.',
    'The CiliumEgressGatewayPolicy node selector matching no ready node, or gateway nodes down. Check the policy and the gateway nodes.'
  ),
  reason(
    204,
    'No Egress IP configured',
    'DROP_NO_EGRESS_IP',
    'The egress gateway node has no egress IP to send this traffic from.',
    'The egressIP or interface in the CiliumEgressGatewayPolicy not present on the gateway node.'
  ),

  // L7 proxy
  reason(
    178,
    'Socket lookup failed',
    'SOCKET_LOOKUP_FAILED',
    'Traffic redirected to the L7 or DNS proxy found no proxy socket to deliver to.',
    'Envoy or the DNS proxy not running or restarting, or a proxy port mismatch after an upgrade. Check the proxy and agent logs.'
  ),
  reason(
    179,
    'Socket assign failed',
    'SOCKET_ASSIGN_FAILED',
    'Handing the packet to the L7 or DNS proxy socket failed.',
    'Proxy restarts, or kernel support for socket assignment missing. Check the proxy and agent logs.'
  ),
  reason(
    180,
    'Proxy redirection not supported for protocol',
    'PROXY_REDIRECTION_NOT_SUPPORTED_FOR_PROTOCOL',
    'A policy asked for L7 inspection of a protocol the proxy cannot take.',
    'L7 rules on ports carrying a protocol other than TCP/UDP. Review L7 rules in the policy.'
  ),
  reason(
    205,
    'Punt to proxy',
    'DROP_PUNT_PROXY',
    'The packet was handed to the proxy path instead of being forwarded; counted as a drop although nothing is lost.',
    'Normal with L7 policies; harmless.'
  ),

  // Rate limiting and multicast
  reason(
    162,
    'Reached EDT rate-limiting drop horizon',
    'REACHED_EDT_RATE_LIMITING_DROP_HORIZON',
    "The bandwidth manager dropped a pod's packet because the pod sends faster than its egress-bandwidth limit allows.",
    'Pods exceeding their kubernetes.io/egress-bandwidth annotation; expected under such limits. Raise the limit or find what the pod is sending.'
  ),
  reason(
    198,
    'Rate limited',
    'DROP_RATE_LIMITED',
    'A datapath rate limiter dropped the packet.',
    'Traffic above a configured BPF rate limit; see cilium_bpf_ratelimit_dropped_total for which limiter.'
  ),
  reason(
    199,
    'IGMP handled',
    null,
    'Multicast support consumed an IGMP message; counted as a drop although it was handled.',
    'Normal with multicast enabled; harmless.'
  ),
  reason(
    200,
    'IGMP subscribed',
    null,
    'An IGMP membership report was processed by multicast support; counted as a drop although it was handled.',
    'Normal with multicast enabled; harmless.'
  ),
  reason(
    201,
    'Multicast handled',
    null,
    'A multicast packet was delivered by multicast support; counted as a drop although it was handled.',
    'Normal with multicast enabled; harmless.'
  ),

  // Names used by 2018-era agents
  reason(
    133,
    'Policy denied (L3)',
    'POLICY_DENIED',
    "Very old agents' name for 'Policy denied' at the address level: no policy allows traffic between these identities.",
    'A missing allow rule. Upgrade; current agents report this as "Policy denied".'
  ),
  reason(
    159,
    'Policy denied (L4)',
    null,
    "Very old agents' name for a policy drop at the port level: no rule allows this port or protocol.",
    'A missing port in an allow rule. Upgrade; current agents report this as "Policy denied".'
  ),
  reason(
    162,
    'Policy denied (CIDR)',
    null,
    "Very old agents' name for a policy drop on a CIDR rule: the outside address is not allowed.",
    'A missing toCIDR / fromCIDR rule. Upgrade; current agents report this as "Policy denied".'
  ),
];

const BY_REASON = new Map<string, DropReasonEntry>(DROP_REASONS.map((entry) => [entry.reason, entry]));

/**
 * The current name of each code, for agents that write a bare code ("206", or "206, 0" with an extended code).
 * Codes whose current name is not known map to their numeric entry.
 */
const BY_CODE = new Map<number, DropReasonEntry>();
for (const entry of DROP_REASONS) {
  if (entry.code !== null && !BY_CODE.has(entry.code)) {
    BY_CODE.set(entry.code, entry);
  }
}

const NUMERIC_REASON = /^(\d{1,3})(?:, *\d+)?$/;

/** What a reason label means; a bare numeric label ("206", "206, 0") resolves through its code. */
export function lookupDropReason(label: string): DropReasonEntry | undefined {
  const direct = BY_REASON.get(label);
  if (direct !== undefined) {
    return direct;
  }
  const numeric = NUMERIC_REASON.exec(label);
  return numeric === null ? undefined : BY_CODE.get(Number(numeric[1]));
}
