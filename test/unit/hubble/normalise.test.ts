import { HubbleNormaliser } from '../../../exporter/hubble/normalise';
import { parseText } from '../../../exporter/scrape/textparse';
import { keepHubbleFamily } from '../../../exporter/hubble/catalogue';

function normalise(page: string, reading: 'auto' | 'namespace' | 'workload-name' = 'auto', maxSeries = 100) {
  const n = new HubbleNormaliser({ reading, lookup: null }, maxSeries);
  parseText(page, n.accept, { keepFamily: keepHubbleFamily });
  return n.finish();
}

const HEAD = '# HELP hubble_drop_total Number of drops\n# TYPE hubble_drop_total counter\n';

describe('Hubble page normaliser', () => {
  test('pod context with a reserved-identity fallback', () => {
    const s = normalise(
      HEAD +
        'hubble_drop_total{destination="shop/cart-7d9f8b6c5d-x2k4q",protocol="TCP",reason="POLICY_DENIED",source="reserved:world"} 5\n' +
        'hubble_drop_total{destination="data/kafka-1",protocol="UDP",reason="STALE_OR_UNROUTABLE_IP",source="shop/frontend-9vxbwvr9n-lgg6d"} 2\n'
    );
    expect(s.form).toBe('pod');
    expect(s.drops.map((d) => [d.reason, d.direction, d.source, d.destination, d.value])).toEqual([
      [
        'Policy denied',
        'UNKNOWN',
        { namespace: '', workload: 'reserved:world' },
        { namespace: 'shop', workload: 'cart' },
        5,
      ],
      [
        'Stale or unroutable IP',
        'UNKNOWN',
        { namespace: 'shop', workload: 'frontend' },
        { namespace: 'data', workload: 'kafka' },
        2,
      ],
    ]);
  });

  test('labelsContext with traffic_direction', () => {
    const s = normalise(
      HEAD +
        'hubble_drop_total{destination_namespace="shop",destination_workload="cart",protocol="TCP",reason="POLICY_DENY",source_namespace="",source_workload="",traffic_direction="egress"} 3\n'
    );
    expect(s.form).toBe('labels');
    expect(s.drops[0]).toMatchObject({
      reason: 'Policy denied by denylist',
      direction: 'EGRESS',
      source: { namespace: '', workload: '' },
      destination: { namespace: 'shop', workload: 'cart' },
    });
  });

  test('bare values are namespaces by default and workload names when told', () => {
    const page =
      HEAD + 'hubble_drop_total{destination="cart",protocol="TCP",reason="POLICY_DENIED",source="frontend"} 1\n';
    expect(normalise(page).drops[0].destination).toEqual({ namespace: 'cart', workload: '' });
    expect(normalise(page).form).toBe('namespace');
    const w = normalise(page, 'workload-name');
    expect(w.drops[0].destination).toEqual({ namespace: '', workload: 'cart' });
    expect(w.form).toBe('workload-name');
  });

  test('identity context reads the namespace and app labels', () => {
    const s = normalise(
      HEAD +
        'hubble_drop_total{destination="k8s:app=cart,k8s:io.kubernetes.pod.namespace=shop",protocol="TCP",reason="POLICY_DENIED",source="reserved:host"} 1\n'
    );
    expect(s.form).toBe('identity');
    expect(s.drops[0].destination).toEqual({ namespace: 'shop', workload: 'cart' });
    expect(s.drops[0].source).toEqual({ namespace: '', workload: 'reserved:host' });
  });

  test('unknown labels are listed, their series still counted apart, nothing thrown', () => {
    const s = normalise(
      HEAD +
        'hubble_drop_total{cluster="a",protocol="TCP",reason="POLICY_DENIED"} 1\n' +
        'hubble_drop_total{cluster="b",protocol="TCP",reason="POLICY_DENIED"} 2\n'
    );
    expect(s.unknownLabels).toEqual(['cluster']);
    expect(s.form).toBe('none');
    expect(s.drops).toHaveLength(2);
    expect(new Set(s.drops.map((d) => d.id)).size).toBe(2);
  });

  test('at most maxSeries drop series are read; a repeated series counts once', () => {
    let page = HEAD;
    for (let i = 0; i < 10; i++) {
      page += `hubble_drop_total{destination="ns/p${i}",protocol="TCP",reason="POLICY_DENIED",source=""} ${i}\n`;
    }
    page += 'hubble_drop_total{destination="ns/p0",protocol="TCP",reason="POLICY_DENIED",source=""} 7\n';
    const s = normalise(page, 'auto', 4);
    expect(s.drops).toHaveLength(4);
    expect(s.overflowSeries).toBe(6);
    expect(s.drops[0].value).toBe(7);
  });

  test('flows, verdicts and lost events are summed over their context', () => {
    const s = normalise(
      '# TYPE hubble_flows_processed_total counter\n' +
        'hubble_flows_processed_total{source="a",subtype="",type="Drop",verdict="DROPPED"} 4\n' +
        'hubble_flows_processed_total{source="b",subtype="",type="Drop",verdict="DROPPED"} 6\n' +
        '# TYPE hubble_policy_verdicts_total counter\n' +
        'hubble_policy_verdicts_total{action="dropped",direction="ingress",match="none"} 3\n' +
        '# TYPE hubble_lost_events_total counter\n' +
        'hubble_lost_events_total{source="perf_event_ring_buffer"} 9\n'
    );
    expect(s.hasDrops).toBe(false);
    expect(s.flowsProcessed).toEqual({ DROPPED: 10 });
    expect(s.policyVerdicts).toEqual([{ direction: 'INGRESS', match: 'none', action: 'dropped', value: 3 }]);
    expect(s.lostEvents).toEqual({ perf_event_ring_buffer: 9 });
  });
});
