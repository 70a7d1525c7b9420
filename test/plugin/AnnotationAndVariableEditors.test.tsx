import './support/dom';

import React from 'react';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent, { PointerEventsCheckLevel } from '@testing-library/user-event';
import { setBackendSrv, setTemplateSrv } from '@grafana/runtime';

import { AnnotationQueryEditor } from '../../src/components/AnnotationQueryEditor';
import { VariableQueryEditor } from '../../src/components/VariableQueryEditor';
import { DataSource } from '../../src/datasource';
import { FakeBackendSrv, routes } from './support/fakeBackendSrv';
import { FakeTemplateSrv } from './support/fakeTemplateSrv';
import { instanceSettings } from './support/settings';

beforeEach(() => {
  setBackendSrv(
    new FakeBackendSrv(
      routes({
        'GET /api/v1/nodes': {
          status: 200,
          data: { nodes: [{ name: 'worker-1', up: true, stale: false, ciliumVersion: null }] },
        },
      })
    )
  );
  setTemplateSrv(new FakeTemplateSrv());
});

describe('AnnotationQueryEditor', () => {
  it('picks the kind of events and the nodes', async () => {
    const user = userEvent.setup({ delay: null, pointerEventsCheck: PointerEventsCheckLevel.Never });
    const onChange = jest.fn();
    const ds = new DataSource(instanceSettings());
    render(
      <AnnotationQueryEditor datasource={ds} query={{ refId: 'Anno' }} onChange={onChange} onRunQuery={jest.fn()} />
    );

    expect(screen.getByRole('combobox', { name: /Events/ })).toHaveValue('Drop anomalies');
    expect(screen.getByText(/left its baseline band/)).toBeInTheDocument();

    await user.click(screen.getByRole('combobox', { name: /Events/ }));
    await user.click(await screen.findByRole('option', { name: /Agent restarts/ }));
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'Anno', annotationKind: 'agentRestarts' });

    await user.click(screen.getByTestId('filter-node'));
    await user.click(await screen.findByRole('option', { name: /worker-1/ }));
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'Anno', annotationKind: 'dropAnomalies', node: ['worker-1'] });
  });
});

describe('VariableQueryEditor', () => {
  const ds = () => new DataSource(instanceSettings());

  it('gives a new variable the nodes() query', async () => {
    const onChange = jest.fn();
    render(<VariableQueryEditor datasource={ds()} query={{ refId: 'V' }} onChange={onChange} onRunQuery={jest.fn()} />);
    await waitFor(() => expect(onChange).toHaveBeenCalledWith({ refId: 'V', kind: 'nodes', query: 'nodes()' }));
  });

  it('reads a provisioned text query and stores both forms when changed', async () => {
    const user = userEvent.setup({ delay: null, pointerEventsCheck: PointerEventsCheckLevel.Never });
    const onChange = jest.fn();
    render(
      <VariableQueryEditor
        datasource={ds()}
        query={{ refId: 'V', query: 'drop_reasons(seen)' }}
        onChange={onChange}
        onRunQuery={jest.fn()}
      />
    );
    expect(onChange).toHaveBeenCalledWith({
      refId: 'V',
      kind: 'dropReasons',
      seenOnly: true,
      query: 'drop_reasons(seen)',
    });
    expect(screen.getByRole('combobox', { name: /List/ })).toHaveValue('Drop reasons');
    expect(screen.getByText(/Query: drop_reasons\(seen\)/)).toBeInTheDocument();

    await user.click(screen.getByRole('combobox', { name: /List/ }));
    await user.click(await screen.findByRole('option', { name: /Namespaces/ }));
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'V', kind: 'namespaces', query: 'namespaces()' });
  });

  it('lists workloads of a namespace (a variable too), and namespaces with drops only', async () => {
    const user = userEvent.setup({ delay: null, pointerEventsCheck: PointerEventsCheckLevel.Never });
    const onChange = jest.fn();
    const { rerender } = render(
      <VariableQueryEditor
        datasource={ds()}
        query={{ refId: 'V', query: 'workloads()' }}
        onChange={onChange}
        onRunQuery={jest.fn()}
      />
    );
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'V', kind: 'workloads', query: 'workloads()' });
    const input = screen.getByTestId('variable-namespace');
    await user.type(input, '$namespace');
    await user.tab();
    expect(onChange).toHaveBeenLastCalledWith({
      refId: 'V',
      kind: 'workloads',
      namespace: '$namespace',
      query: 'workloads($namespace)',
    });

    rerender(
      <VariableQueryEditor
        datasource={ds()}
        query={{ refId: 'V', kind: 'namespaces', query: 'namespaces()' }}
        onChange={onChange}
        onRunQuery={jest.fn()}
      />
    );
    await user.click(screen.getByTestId('variable-dropped-only'));
    expect(onChange).toHaveBeenLastCalledWith({
      refId: 'V',
      kind: 'namespaces',
      droppedOnly: true,
      query: 'namespaces(dropped)',
    });
    expect(screen.queryByTestId('variable-namespace')).not.toBeInTheDocument();
  });

  it('shows what is wrong with a text query it cannot read', () => {
    render(
      <VariableQueryEditor
        datasource={ds()}
        query={{ refId: 'V', query: 'pods()' }}
        onChange={jest.fn()}
        onRunQuery={jest.fn()}
      />
    );
    expect(screen.getByText(/Unknown variable query "pods\(\)"/)).toBeInTheDocument();
  });
});
