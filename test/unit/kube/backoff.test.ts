/** Backoff bounds and Kubernetes error descriptions. */
import { ApiException } from '@kubernetes/client-node';
import { Backoff } from '../../../exporter/kube/backoff';
import { describeKubeError, httpStatusOf } from '../../../exporter/kube/errors';

describe('Backoff', () => {
  test('doubles within [ceiling/2, ceiling], capped, and resets', () => {
    const low = new Backoff({ initialMs: 100, maxMs: 1000, random: () => 0 });
    const high = new Backoff({ initialMs: 100, maxMs: 1000, random: () => 1 });
    expect(Array.from({ length: 6 }, () => low.next())).toEqual([50, 100, 200, 400, 500, 500]);
    expect(Array.from({ length: 6 }, () => high.next())).toEqual([100, 200, 400, 800, 1000, 1000]);
    high.reset();
    expect(high.next()).toBe(100);
    const many = new Backoff({ initialMs: 100, maxMs: 5000 });
    for (let i = 0; i < 200; i++) {
      const d = many.next();
      expect(d).toBeGreaterThanOrEqual(50);
      expect(d).toBeLessThanOrEqual(5000);
    }
  });
});

describe('describeKubeError', () => {
  test('HTTP statuses get a hint and the Status message, without headers', () => {
    const forbidden = new ApiException(
      403,
      'Unsuccessful HTTP Request',
      JSON.stringify({ kind: 'Status', message: 'pods is forbidden: User "x" cannot list' }),
      {
        'x-secret': 'no',
      }
    );
    expect(httpStatusOf(forbidden)).toBe(403);
    expect(describeKubeError(forbidden)).toBe(
      'HTTP 403 (the exporter may not get/list/watch this resource; see deploy/base/rbac.yaml): pods is forbidden: User "x" cannot list'
    );
    expect(describeKubeError(Object.assign(new Error('Gone'), { statusCode: 410 }))).toBe(
      'HTTP 410 (the resource version is too old)'
    );
    expect(describeKubeError(new ApiException(503, 'x', 'upstream down', {}))).toBe(
      'HTTP 503 (the API server failed): upstream down'
    );
  });

  test('network errors keep their first line', () => {
    expect(
      describeKubeError(new Error('request to http://127.0.0.1:1/api failed, reason: connect ECONNREFUSED\n  at x'))
    ).toBe('request to http://127.0.0.1:1/api failed, reason: connect ECONNREFUSED');
    expect(describeKubeError('plain')).toBe('plain');
  });
});
