import type { AnnotationKind } from './contract';

export const ANNOTATION_KINDS: Record<AnnotationKind, { label: string; description: string }> = {
  policyImportErrors: {
    label: 'Policy import errors',
    description: 'When an agent failed to import a network policy (the policy is not enforced on that node).',
  },
  dropAnomalies: {
    label: 'Drop anomalies',
    description: 'When a node × direction × reason drop rate left its baseline band, as a region until it returned.',
  },
  agentRestarts: {
    label: 'Agent restarts',
    description: 'When a Cilium agent process restarted (its start time changed).',
  },
};

export const DEFAULT_ANNOTATION_KIND: AnnotationKind = 'dropAnomalies';
