/**
 * The part of Hubble's gRPC API the exporter uses, written for it: `observer.Observer/GetFlows` and the messages it
 * reads, with Cilium's package names and field numbers (api/v1/observer/observer.proto, api/v1/flow/flow.proto,
 * api/v1/relay/relay.proto) so it speaks to a real Hubble Relay. Fields the exporter does not read are left out;
 * protobuf skips them on the wire. The numbers were checked against a recent Cilium's flow.proto: Flow.egress_denied_by
 * 21004 and ingress_denied_by 21005 (beside the *_allowed_by 21001 and 21002), Policy { name 1, namespace 2, labels 3,
 * revision 4, kind 5 } (log 6 is not read). Older releases' flow.proto has no policy fields: their drops name none. The DropReason enum is built from the drop-reason catalogue (Hubble's enum names
 * and Cilium's datapath codes), so the two never disagree.
 *
 * Kept as text and parsed with protobufjs at start, so the build needs no .proto files beside the JavaScript.
 */
import * as grpc from '@grpc/grpc-js';
import { fromJSON, type Options } from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import { DROP_REASONS } from '../../cilium/dropReasons';

const TIMESTAMP = `
syntax = "proto3";
package google.protobuf;
message Timestamp {
  int64 seconds = 1;
  int32 nanos = 2;
}
`;

function dropReasonEnum(): string {
  const codes = new Map<string, number>();
  for (const entry of DROP_REASONS) {
    if (entry.hubbleName !== null && entry.code !== null && !codes.has(entry.hubbleName)) {
      codes.set(entry.hubbleName, entry.code);
    }
  }
  const values = [...codes].map(([name, code]) => `  ${name} = ${code};`).join('\n');
  return `enum DropReason {\n  DROP_REASON_UNKNOWN = 0;\n${values}\n}`;
}

const FLOW = `
syntax = "proto3";
package flow;

message Flow {
  google.protobuf.Timestamp time = 1;
  Verdict verdict = 2;
  // Deprecated in Cilium in favour of drop_reason_desc; still read from agents that set only this.
  uint32 drop_reason = 3;
  IP IP = 5;
  Layer4 l4 = 6;
  Endpoint source = 8;
  Endpoint destination = 9;
  string node_name = 11;
  TrafficDirection traffic_direction = 22;
  DropReason drop_reason_desc = 25;
  repeated Policy egress_denied_by = 21004;
  repeated Policy ingress_denied_by = 21005;
}

message IP {
  string source = 1;
  string destination = 2;
}

message Layer4 {
  oneof protocol {
    TCP TCP = 1;
    UDP UDP = 2;
    ICMPv4 ICMPv4 = 3;
    ICMPv6 ICMPv6 = 4;
    SCTP SCTP = 5;
  }
}

message TCP {
  uint32 source_port = 1;
  uint32 destination_port = 2;
}

message UDP {
  uint32 source_port = 1;
  uint32 destination_port = 2;
}

message SCTP {
  uint32 source_port = 1;
  uint32 destination_port = 2;
}

message ICMPv4 {
  uint32 type = 1;
  uint32 code = 2;
}

message ICMPv6 {
  uint32 type = 1;
  uint32 code = 2;
}

message Endpoint {
  uint32 ID = 1;
  uint32 identity = 2;
  string namespace = 3;
  repeated string labels = 4;
  string pod_name = 5;
  repeated Workload workloads = 6;
}

message Workload {
  string name = 1;
  string kind = 2;
}

message Policy {
  string name = 1;
  string namespace = 2;
  repeated string labels = 3;
  uint64 revision = 4;
  string kind = 5;
}

enum Verdict {
  VERDICT_UNKNOWN = 0;
  FORWARDED = 1;
  DROPPED = 2;
  ERROR = 3;
  AUDIT = 4;
  REDIRECTED = 5;
  TRACED = 6;
  TRANSLATED = 7;
}

enum TrafficDirection {
  TRAFFIC_DIRECTION_UNKNOWN = 0;
  INGRESS = 1;
  EGRESS = 2;
}

${dropReasonEnum()}

enum LostEventSource {
  UNKNOWN_LOST_EVENT_SOURCE = 0;
  PERF_EVENT_RING_BUFFER = 1;
  OBSERVER_EVENTS_QUEUE = 2;
  HUBBLE_RING_BUFFER = 3;
}

message LostEvent {
  LostEventSource source = 1;
  uint64 num_events_lost = 2;
}

message FlowFilter {
  repeated Verdict verdict = 5;
}
`;

const RELAY = `
syntax = "proto3";
package relay;

enum NodeState {
  UNKNOWN_NODE_STATE = 0;
  NODE_CONNECTED = 1;
  NODE_UNAVAILABLE = 2;
  NODE_GONE = 3;
  NODE_ERROR = 4;
}

message NodeStatusEvent {
  NodeState state_change = 1;
  repeated string node_names = 2;
  string message = 3;
}
`;

const OBSERVER = `
syntax = "proto3";
package observer;

service Observer {
  rpc GetFlows(GetFlowsRequest) returns (stream GetFlowsResponse) {}
}

message GetFlowsRequest {
  uint64 number = 1;
  bool follow = 3;
  repeated flow.FlowFilter blacklist = 5;
  repeated flow.FlowFilter whitelist = 6;
  google.protobuf.Timestamp since = 7;
  bool first = 9;
}

message GetFlowsResponse {
  oneof response_types {
    flow.Flow flow = 1;
    relay.NodeStatusEvent node_status = 2;
    flow.LostEvent lost_events = 3;
  }
  string node_name = 1000;
  google.protobuf.Timestamp time = 1001;
}
`;

/** snake_case fields as in the .proto, enums by name, 64-bit integers as numbers, oneof names set. */
export const LOADER_OPTIONS: Options = { keepCase: true, longs: Number, enums: String, defaults: false, oneofs: true };

let cached: { root: protobuf.Root; service: grpc.ServiceDefinition } | null = null;

function load(): { root: protobuf.Root; service: grpc.ServiceDefinition } {
  if (!cached) {
    const root = new protobuf.Root();
    for (const source of [TIMESTAMP, FLOW, RELAY, OBSERVER]) {
      protobuf.parse(source, root, { keepCase: true });
    }
    root.resolveAll();
    const definition = grpc.loadPackageDefinition(fromJSON(root.toJSON(), LOADER_OPTIONS));
    const observer = definition.observer as grpc.GrpcObject;
    const client = observer.Observer as grpc.ServiceClientConstructor;
    cached = { root, service: client.service };
  }
  return cached;
}

/** The Observer service as grpc-js describes it (method paths, (de)serialisers). */
export function observerService(): grpc.ServiceDefinition {
  return load().service;
}

/** A client constructor for observer.Observer. */
export function observerClient(): grpc.ServiceClientConstructor {
  return grpc.makeGenericClientConstructor(observerService(), 'Observer');
}

/** protobufjs types, for encoding by hand (the simulator's relay, tests, benchmarks). */
export function messageType(
  name: 'observer.GetFlowsResponse' | 'observer.GetFlowsRequest' | 'flow.Flow'
): protobuf.Type {
  return load().root.lookupType(name);
}

export const GET_FLOWS_PATH = '/observer.Observer/GetFlows';
