/** The simulated Cilium cluster: programmatic API used by the demo, the tests and the benchmarks. */
export { startSimulator, DEFAULT_MAX_CONNECTIONS } from './server';
export type { SimulatorOptions, RunningSimulator } from './server';
export {
  SimulatedCluster,
  ClusterOptionsError,
  DEFAULT_SEED,
  DEFAULT_TICK_SECONDS,
  DEFAULT_PODS_PER_NODE,
} from './cluster';
export type { ClusterOptions, SimNode, SpikeSpec, ActiveSpike, CiliumEndpointView } from './cluster';
export { FAULT_KINDS, normaliseFault, FaultError } from './faults';
export type { Fault, FaultKind, FaultSpec } from './faults';
export type { SimulatorTruth, NodeTruth, NodePodsTruth, UnmanagedPodTruth, OperatorTruth, ClusterTruth } from './truth';
export { truthJsonReplacer } from './truth';
export { AgentPageRenderer, DEFAULT_PAGE_KB } from './render/agent-page';
export { renderOperatorPage } from './render/operator-page';
export { PageStore } from './page-store';
export { SCENARIOS, createScenario } from './scenarios';
export type { Scenario, ScenarioParameters } from './scenarios';
export { parseCiliumVersion, agentNaming, SUPPORTED_MINORS, DEFAULT_CILIUM_VERSION } from './versions';
export type { CiliumVersion, AgentNaming } from './versions';
export { KNOWN_DROP_REASONS } from './drop-reasons';
export type { SimPod, SimEndpoint, PodPhase, EndpointState } from './model';
export { writeKubeconfig, kubeconfigYaml, KUBE_FAULT_KINDS, normaliseKubeFault, DEFAULT_EVENT_LOG_SIZE } from './kube';
export type { KubeApiOptions, KubeFault, KubeFaultKind, KubeFaultSpec, KubeFaultState, KubeStats } from './kube';
export type { UnmanagedTruth, KubeCaseTruth } from './kube';
export { isKubeCaseScenario } from './scenarios';
export type { KubeCase, KubeCaseClass, KubeCaseScenario } from './scenarios';
export { SIM_CONTEXT_FORMS, HUBBLE_PAGE_MODES } from './hubble/state';
export type { SimContextForm, HubblePageMode } from './hubble/state';
export { RELAY_FAULTS } from './hubble/relay';
export type { RelayFault, RelayTruth, RelayFlowTruth } from './hubble/relay';
export type { HubbleNodeTruth, HubbleFlowTruth } from './hubble/truth';
