import React from 'react';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent, { PointerEventsCheckLevel } from '@testing-library/user-event';
import { setBackendSrv, setTemplateSrv } from '@grafana/runtime';

import './support/dom';

import { QueryEditor } from '../../src/components/QueryEditor';
import { DataSource } from '../../src/datasource';
import { QUERY_TYPES } from '../../src/queryCatalog';
import type { ScopeDataQuery } from '../../src/types';
import { FakeBackendSrv, routes } from './support/fakeBackendSrv';
import { FakeTemplateSrv } from './support/fakeTemplateSrv';
import { instanceSettings } from './support/settings';

const exporter = routes({
  'GET /api/v1/nodes': {
    status: 200,
    data: { nodes: [{ name: 'worker-1', up: true, stale: false, ciliumVersion: '1.16.4' }] },
  },
  'GET /api/v1/drop-reasons': {
    status: 200,
    data: {
      reasons: [
        {
          reason: 'Policy denied',
          code: 133,
          hubbleName: 'POLICY_DENIED',
          meaning: 'A policy denied the packet',
          commonCauses: '',
          seen: true,
        },
      ],
    },
  },
  'GET /api/v1/namespaces': { status: 200, data: { namespaces: ['default', 'shop'] } },
  'GET /api/v1/workloads': {
    status: 200,
    data: {
      workloads: [
        { namespace: 'shop', workload: 'cart' },
        { namespace: '', workload: 'reserved:world' },
      ],
    },
  },
  'GET /api/v1/workloads?namespace=shop': {
    status: 200,
    data: { workloads: [{ namespace: 'shop', workload: 'cart' }] },
  },
});

function setup(query: ScopeDataQuery) {
  const ds = new DataSource(instanceSettings());
  const onChange = jest.fn();
  const onRunQuery = jest.fn();
  const view = render(<QueryEditor datasource={ds} query={query} onChange={onChange} onRunQuery={onRunQuery} />);
  const rerender = (next: ScopeDataQuery) =>
    view.rerender(<QueryEditor datasource={ds} query={next} onChange={onChange} onRunQuery={onRunQuery} />);
  return { onChange, onRunQuery, rerender };
}

describe('QueryEditor', () => {
  beforeEach(() => {
    setBackendSrv(new FakeBackendSrv(exporter));
    setTemplateSrv(new FakeTemplateSrv([{ name: 'node', current: 'worker-1', options: ['worker-1'] }]));
  });

  it('shows the default query type with its help and filters', async () => {
    setup({ refId: 'A' });
    expect(screen.getByRole('combobox', { name: /Query type/ })).toHaveValue('Endpoint states');
    expect(screen.getByTestId('query-type-description')).toHaveTextContent(/Cilium endpoints per state/);
    expect(screen.getByText('Node')).toBeInTheDocument();
    expect(screen.getByText('State')).toBeInTheDocument();
    expect(screen.queryByText('Reason')).not.toBeInTheDocument();
    await waitFor(() => expect(screen.getByText('Series')).toBeInTheDocument());
  });

  it('switches the query type, keeping only the filters the new type reads', async () => {
    const user = userEvent.setup({ delay: null, pointerEventsCheck: PointerEventsCheckLevel.Never });
    const { onChange, onRunQuery } = setup({
      refId: 'A',
      queryType: 'endpoints',
      node: ['worker-1'],
      state: ['ready'],
      groupBy: 'node',
      hide: false,
    });
    await user.click(screen.getByRole('combobox', { name: /Query type/ }));
    await user.click(await screen.findByRole('option', { name: /Drops by reason/ }));
    expect(onChange).toHaveBeenLastCalledWith({
      refId: 'A',
      hide: false,
      queryType: 'drops',
      node: ['worker-1'],
      groupBy: 'node',
    });
    expect(onRunQuery).toHaveBeenCalled();
  });

  it('shows the views, unit and filters of drops and emits the chosen ones', async () => {
    const user = userEvent.setup({ delay: null, pointerEventsCheck: PointerEventsCheckLevel.Never });
    const { onChange } = setup({ refId: 'A', queryType: 'drops' });
    expect(screen.getByText('Direction')).toBeInTheDocument();
    expect(screen.getByText('Reason')).toBeInTheDocument();
    expect(screen.queryByText('Limit')).not.toBeInTheDocument();

    await user.click(screen.getByRole('radio', { name: 'Bytes/s' }));
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'drops', unit: 'bytes' });

    await user.click(screen.getByRole('radio', { name: 'Top nodes' }));
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'drops', view: 'topNodes' });
  });

  it("sets a filter from the exporter's values, a variable or a typed value", async () => {
    const user = userEvent.setup({ delay: null, pointerEventsCheck: PointerEventsCheckLevel.Never });
    const { onChange } = setup({ refId: 'A', queryType: 'drops' });
    const reason = screen.getByTestId('filter-reason');
    await user.click(reason);
    await user.click(await screen.findByRole('option', { name: /Policy denied/ }));
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'drops', reason: ['Policy denied'] });

    const node = screen.getByTestId('filter-node');
    await user.click(node);
    await user.click(await screen.findByRole('option', { name: /\$node/ }));
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'drops', node: ['$node'] });
  });

  it('keeps saved values the exporter no longer reports, and empties a filter back to "all"', async () => {
    const user = userEvent.setup({ delay: null, pointerEventsCheck: PointerEventsCheckLevel.Never });
    const { onChange } = setup({ refId: 'A', queryType: 'packetFlow', node: 'gone-node', direction: ['EGRESS'] });
    expect(await screen.findByText('gone-node')).toBeInTheDocument();
    expect(screen.getByText('EGRESS')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: /Remove EGRESS/ }));
    expect(onChange).toHaveBeenLastCalledWith({
      refId: 'A',
      queryType: 'packetFlow',
      node: 'gone-node',
      direction: undefined,
    });
  });

  it('edits quantiles of the latency view and refuses values outside (0, 1)', async () => {
    const user = userEvent.setup({ delay: null, pointerEventsCheck: PointerEventsCheckLevel.Never });
    const { onChange } = setup({ refId: 'A', queryType: 'regeneration' });
    const input = screen.getByTestId('query-quantiles');
    expect(input).toHaveValue('0.5, 0.9, 0.99');
    await user.clear(input);
    await user.type(input, '0.5, 1.5');
    await user.tab();
    expect(screen.getByText('Values between 0 and 1, comma-separated')).toBeInTheDocument();
    expect(onChange).not.toHaveBeenCalled();
    await user.clear(input);
    await user.type(input, '0.75 0.95');
    await user.tab();
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'regeneration', quantiles: [0.75, 0.95] });
  });

  it('edits the row limit of table views', async () => {
    const user = userEvent.setup({ delay: null, pointerEventsCheck: PointerEventsCheckLevel.Never });
    const { onChange } = setup({ refId: 'A', queryType: 'anomaly', view: 'scores' });
    const input = screen.getByTestId('query-limit');
    await user.clear(input);
    await user.type(input, '25');
    await user.tab();
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'anomaly', view: 'scores', limit: 25 });
  });

  it("shows the view's default row limit from the query catalogue", () => {
    setup({ refId: 'A', queryType: 'drops', view: 'topNodes' });
    expect(screen.getByTestId('query-limit')).toHaveValue(QUERY_TYPES.drops.views.topNodes.options.limit);
  });

  it('leaves the limit of agent status empty (every row) until one is set, and clears it back', async () => {
    const user = userEvent.setup({ delay: null, pointerEventsCheck: PointerEventsCheckLevel.Never });
    const { onChange } = setup({ refId: 'A', queryType: 'agentHealth', limit: 5 });
    const input = screen.getByTestId('query-limit');
    expect(input).toHaveValue(5);
    await user.clear(input);
    await user.tab();
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'agentHealth', limit: undefined });
    expect(screen.queryByText(/A whole number from 1 to 1000/)).not.toBeInTheDocument();
  });

  it('starts one series per node with the top 10 nodes and the rest as one series', async () => {
    const user = userEvent.setup({ delay: null, pointerEventsCheck: PointerEventsCheckLevel.Never });
    const { onChange } = setup({ refId: 'A', queryType: 'policy', view: 'importErrors' });
    expect(screen.queryByTestId('query-top-n')).not.toBeInTheDocument();
    await user.click(screen.getByRole('radio', { name: 'Per node' }));
    expect(onChange).toHaveBeenLastCalledWith({
      refId: 'A',
      queryType: 'policy',
      view: 'importErrors',
      groupBy: 'node',
      topN: 10,
      others: true,
    });
  });

  it('edits Top N (a number, a variable, or empty for every node) and switches other nodes off', async () => {
    const user = userEvent.setup({ delay: null, pointerEventsCheck: PointerEventsCheckLevel.Never });
    const query = { refId: 'A', queryType: 'endpoints' as const, groupBy: 'node' as const, topN: 10, others: true };
    const { onChange } = setup(query);
    const input = screen.getByTestId('query-top-n');
    expect(input).toHaveValue('10');
    await user.clear(input);
    await user.type(input, '0');
    await user.tab();
    expect(screen.getByText('A whole number from 1 to 1000, a variable, or empty for every node')).toBeInTheDocument();
    expect(onChange).not.toHaveBeenCalled();
    await user.clear(input);
    await user.type(input, '$topn');
    await user.tab();
    expect(onChange).toHaveBeenLastCalledWith({ ...query, topN: '$topn' });
    await user.clear(input);
    await user.tab();
    expect(onChange).toHaveBeenLastCalledWith({ ...query, topN: undefined });
    await user.click(screen.getByTestId('query-others'));
    expect(onChange).toHaveBeenLastCalledWith({ ...query, others: false });
  });

  it('keeps Top N when the query type changes to one that ranks nodes too', async () => {
    const user = userEvent.setup({ delay: null, pointerEventsCheck: PointerEventsCheckLevel.Never });
    const { onChange } = setup({ refId: 'A', queryType: 'endpoints', groupBy: 'node', topN: '$topn', others: true });
    await user.click(screen.getByRole('combobox', { name: /Query type/ }));
    await user.click(await screen.findByRole('option', { name: /Unmanaged pods/ }));
    // The table view (the default) ranks nothing.
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'unmanagedPods' });
    await user.click(screen.getByRole('combobox', { name: /Query type/ }));
    await user.click(await screen.findByRole('option', { name: /Endpoint regeneration/ }));
    expect(onChange).toHaveBeenLastCalledWith({
      refId: 'A',
      queryType: 'regeneration',
      groupBy: 'node',
      topN: '$topn',
      others: true,
    });
  });

  it('offers every query type of the contract', async () => {
    const user = userEvent.setup({ delay: null, pointerEventsCheck: PointerEventsCheckLevel.Never });
    setup({ refId: 'A' });
    await user.click(screen.getByRole('combobox', { name: /Query type/ }));
    const options = await screen.findAllByRole('option');
    expect(options.map((o) => o.textContent)).toEqual([
      expect.stringContaining('Endpoint states'),
      expect.stringContaining('Pod / endpoint delta'),
      expect.stringContaining('Unmanaged pods'),
      expect.stringContaining('Endpoint regeneration'),
      expect.stringContaining('Packet flow'),
      expect.stringContaining('Drops by reason'),
      expect.stringContaining('Policy'),
      expect.stringContaining('Agent health'),
      expect.stringContaining('Drop anomalies'),
      expect.stringContaining('Drops by workload'),
    ]);
  });

  it('drops by workload: namespace and workload filters, pairs with Top N and Others, the table with a limit', async () => {
    const user = userEvent.setup({ delay: null, pointerEventsCheck: PointerEventsCheckLevel.Never });
    const { onChange, rerender } = setup({ refId: 'A', queryType: 'workloadDrops' });
    expect(screen.getByTestId('query-type-description')).toHaveTextContent(/Drops by source → destination workload/);
    for (const label of ['Node', 'Namespace', 'Workload', 'Direction', 'Reason']) {
      expect(screen.getByText(label)).toBeInTheDocument();
    }
    expect(screen.queryByText('Series')).not.toBeInTheDocument();
    expect(screen.queryByText('Unit')).not.toBeInTheDocument();
    // Pairs (the default view): Top N (empty means 10) and Others, without grouping by node first.
    expect(screen.getByTestId('query-top-n')).toHaveValue('');
    await user.click(screen.getByTestId('query-others'));
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'workloadDrops', others: true });

    // The workloads offered are those of the exporter's pairs, with their namespace.
    await user.click(screen.getByTestId('filter-workload'));
    expect(await screen.findByRole('option', { name: /reserved:world/ })).toBeInTheDocument();
    await user.click(await screen.findByRole('option', { name: /cart/ }));
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'workloadDrops', workload: ['cart'] });

    // With a namespace, only its workloads are listed.
    await user.keyboard('{Escape}');
    rerender({ refId: 'A', queryType: 'workloadDrops', namespace: ['shop'] });
    await user.click(screen.getByTestId('filter-workload'));
    await waitFor(() => expect(screen.queryByRole('option', { name: /reserved:world/ })).not.toBeInTheDocument());
    expect(await screen.findByRole('option', { name: /cart/ })).toBeInTheDocument();

    await user.click(screen.getByRole('radio', { name: 'Table' }));
    expect(onChange).toHaveBeenLastCalledWith({
      refId: 'A',
      queryType: 'workloadDrops',
      namespace: ['shop'],
      view: 'table',
    });
    rerender({ refId: 'A', queryType: 'workloadDrops', view: 'table' });
    expect(screen.getByTestId('query-limit')).toBeInTheDocument();
    expect(screen.queryByTestId('query-top-n')).not.toBeInTheDocument();
  });

  it('keeps the filters drops by workload reads when switching to it', async () => {
    const user = userEvent.setup({ delay: null, pointerEventsCheck: PointerEventsCheckLevel.Never });
    const { onChange } = setup({
      refId: 'A',
      queryType: 'drops',
      node: ['$node'],
      reason: ['Policy denied'],
      direction: ['INGRESS'],
      unit: 'bytes',
      groupBy: 'node',
    });
    await user.click(screen.getByRole('combobox', { name: /Query type/ }));
    await user.click(await screen.findByRole('option', { name: /Drops by workload/ }));
    expect(onChange).toHaveBeenLastCalledWith({
      refId: 'A',
      queryType: 'workloadDrops',
      node: ['$node'],
      reason: ['Policy denied'],
      direction: ['INGRESS'],
    });
  });
});
