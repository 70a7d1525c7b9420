/** The simulated Kubernetes API and its ground truth. */
export { KubeApi } from './api';
export type { KubeApiOptions, KubeFaultState, KubeStats } from './api';
export { KUBE_FAULT_KINDS, normaliseKubeFault } from './faults';
export type { KubeFault, KubeFaultKind, KubeFaultSpec } from './faults';
export { kubeconfigYaml, writeKubeconfig, KUBECONFIG_NAME } from './kubeconfig';
export { DEFAULT_EVENT_LOG_SIZE } from './store';
export { unmanagedTruth, classifyPod } from './truth';
export type { UnmanagedTruth, KubeCaseTruth } from './truth';
