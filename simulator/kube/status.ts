/** `Status` objects: how the Kubernetes API server reports failures, in answers and in watch ERROR events. */

export type StatusReason =
  'BadRequest' | 'Unauthorized' | 'NotFound' | 'MethodNotAllowed' | 'Expired' | 'ServiceUnavailable' | 'InternalError';

export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: StatusReason;
  details?: { name?: string; kind?: string };
  code: number;
}

const CODES: Record<StatusReason, number> = {
  BadRequest: 400,
  Unauthorized: 401,
  NotFound: 404,
  MethodNotAllowed: 405,
  Expired: 410,
  ServiceUnavailable: 503,
  InternalError: 500,
};

export function kubeStatus(reason: StatusReason, message: string, details?: KubeStatus['details']): KubeStatus {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code: CODES[reason],
  };
}

/** A failure the request handlers throw; the API answers it as a Status. */
export class KubeError extends Error {
  constructor(readonly status: KubeStatus) {
    super(status.message);
  }
}

export function kubeError(reason: StatusReason, message: string, details?: KubeStatus['details']): KubeError {
  return new KubeError(kubeStatus(reason, message, details));
}

/** 410 Expired: a resourceVersion or continue token older than what the server still keeps. */
export function expired(message: string): KubeStatus {
  return kubeStatus('Expired', message);
}
