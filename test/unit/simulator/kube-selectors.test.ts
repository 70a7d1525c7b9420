import {
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
  SelectorError,
} from '../../../simulator/kube/selectors';

const labels = { app: 'web', tier: 'frontend', 'k8s-app': 'cilium', 'io.cilium/app': 'operator' };

describe('label selectors', () => {
  test.each([
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app = web', true],
    ['app!=web', false],
    ['app=db', false],
    ['missing!=x', true],
    ['app in (db, web)', true],
    ['app in (db,cache)', false],
    ['app notin (db,cache)', true],
    ['missing notin (x)', true],
    ['app', true],
    ['!app', false],
    ['!missing', true],
    ['app=web,tier=frontend', true],
    ['app in (web),tier notin (frontend)', false],
    ['io.cilium/app=operator,k8s-app=cilium', true],
    ['app=web,,', true],
  ])('%p matches: %p', (selector, expected) => {
    expect(matchesLabels(parseLabelSelector(selector), labels)).toBe(expected);
  });

  test.each(['app in (web', 'app in web)', 'app=we b', '-app=web', 'app=' + 'x'.repeat(64), 'a=b'.padEnd(5000, ',')])(
    '%p is refused',
    (selector) => {
      expect(() => parseLabelSelector(selector)).toThrow(SelectorError);
    }
  );

  test('requirements keep their operator and values', () => {
    expect(parseLabelSelector('k8s-app=cilium, app notin (a,b), !x')).toEqual([
      { key: 'k8s-app', op: 'in', values: ['cilium'] },
      { key: 'app', op: 'notin', values: ['a', 'b'] },
      { key: 'x', op: 'notexists', values: [] },
    ]);
  });
});

describe('field selectors', () => {
  const supported = ['metadata.name', 'metadata.namespace', 'spec.nodeName', 'status.phase'];
  const fields: Record<string, string> = {
    'metadata.name': 'a,b=c',
    'metadata.namespace': 'default',
    'spec.nodeName': 'node-001',
    'status.phase': 'Running',
  };
  const get = (path: string): string => fields[path] ?? '';

  test.each([
    ['spec.nodeName=node-001', true],
    ['spec.nodeName==node-001', true],
    ['spec.nodeName=node-002', false],
    ['status.phase!=Succeeded,status.phase!=Failed', true],
    ['status.phase!=Running', false],
    ['metadata.namespace=default,spec.nodeName=node-001', true],
    ['spec.nodeName=', false],
    ['metadata.name=a\\,b\\=c', true],
  ])('%p matches: %p', (selector, expected) => {
    expect(matchesFields(parseFieldSelector(selector, supported), get)).toBe(expected);
  });

  test('unsupported fields and syntax errors are refused as the API server words them', () => {
    expect(() => parseFieldSelector('spec.priority=1', supported)).toThrow('field label not supported: spec.priority');
    expect(() => parseFieldSelector('spec.nodeName', supported)).toThrow(/invalid selector/);
  });
});
