import React, { useState } from 'react';
import { render, screen } from '@testing-library/react';
import userEvent, { PointerEventsCheckLevel } from '@testing-library/user-event';
import type { DataSourceSettings } from '@grafana/data';

import { ConfigEditor, timeoutProblem, urlProblem } from '../../src/components/ConfigEditor';
import type { ScopeJsonData, ScopeSecureJsonData } from '../../src/types';
import { editorSettings } from '../../tools/browser-host/datasourceSettings';
import { DATASOURCE } from './support/settings';

type Settings = DataSourceSettings<ScopeJsonData, ScopeSecureJsonData>;

function settings(overrides: Partial<Settings> = {}): Settings {
  return editorSettings<ScopeJsonData, ScopeSecureJsonData>(DATASOURCE, overrides);
}

/** Holds the options like Grafana's settings page does, and records every change. */
function Harness({ initial, changes }: { initial: Settings; changes: Settings[] }) {
  const [options, setOptions] = useState(initial);
  return (
    <ConfigEditor
      options={options}
      onOptionsChange={(next) => {
        changes.push(next);
        setOptions(next);
      }}
    />
  );
}

describe('ConfigEditor', () => {
  it('starts a new datasource with the exporter default and the data proxy', () => {
    const changes: Settings[] = [];
    render(<Harness initial={settings({ access: 'direct' })} changes={changes} />);
    expect(changes[0].access).toBe('proxy');
    expect(changes[0].jsonData.url).toBe('http://localhost:9967');
    expect(screen.getByLabelText(/Exporter URL/)).toHaveValue('http://localhost:9967');
  });

  it('edits the URL and shows what is wrong with it', async () => {
    const user = userEvent.setup({ delay: null, pointerEventsCheck: PointerEventsCheckLevel.Never });
    const changes: Settings[] = [];
    render(<Harness initial={settings({ jsonData: { url: 'http://localhost:9967' } })} changes={changes} />);
    const url = screen.getByLabelText(/Exporter URL/);
    await user.clear(url);
    await user.type(url, 'exporter:9967/api/v1');
    await user.tab();
    expect(changes[changes.length - 1].jsonData.url).toBe('exporter:9967/api/v1');
    expect(screen.getByText(/Not a URL|Use http/)).toBeInTheDocument();

    await user.clear(url);
    await user.type(url, 'http://ciliumscope-exporter.kube-system:9967');
    expect(changes[changes.length - 1].jsonData).toEqual({ url: 'http://ciliumscope-exporter.kube-system:9967' });
    expect(screen.queryByText(/Not a URL|Use http/)).not.toBeInTheDocument();
  });

  it('keeps a new token in secureJsonData and never shows a saved one', async () => {
    const user = userEvent.setup({ delay: null, pointerEventsCheck: PointerEventsCheckLevel.Never });
    const changes: Settings[] = [];
    render(<Harness initial={settings({ jsonData: { url: 'http://x:9967' } })} changes={changes} />);
    await user.type(screen.getByPlaceholderText('Token the exporter was started with'), 's3cret');
    expect(changes[changes.length - 1].secureJsonData).toEqual({ token: 's3cret' });
    expect(changes[changes.length - 1].jsonData).toEqual({ url: 'http://x:9967' });
  });

  it('shows a saved token as configured and resets it', async () => {
    const user = userEvent.setup({ delay: null, pointerEventsCheck: PointerEventsCheckLevel.Never });
    const changes: Settings[] = [];
    render(
      <Harness
        initial={settings({ jsonData: { url: 'http://x:9967' }, secureJsonFields: { token: true } })}
        changes={changes}
      />
    );
    expect(screen.getByDisplayValue('configured')).toBeDisabled();
    await user.click(screen.getByRole('button', { name: 'Reset' }));
    const last = changes[changes.length - 1];
    expect(last.secureJsonFields).toEqual({ token: false });
    expect(last.secureJsonData).toEqual({ token: '' });
    expect(screen.getByPlaceholderText('Token the exporter was started with')).toBeEnabled();
  });

  it("writes the timeout for the plugin and for Grafana's data proxy, and refuses bad values", async () => {
    const user = userEvent.setup({ delay: null, pointerEventsCheck: PointerEventsCheckLevel.Never });
    const changes: Settings[] = [];
    render(<Harness initial={settings({ jsonData: { url: 'http://x:9967' } })} changes={changes} />);
    const timeout = screen.getByLabelText(/Timeout/);
    await user.type(timeout, '45');
    expect(changes[changes.length - 1].jsonData).toEqual({ url: 'http://x:9967', timeoutSeconds: 45, timeout: 45 });
    await user.clear(timeout);
    await user.type(timeout, '900');
    expect(screen.getByText('A whole number of seconds from 1 to 300')).toBeInTheDocument();
    expect(changes[changes.length - 1].jsonData.timeoutSeconds).toBeUndefined();
  });

  it.each([
    [undefined, /Required/],
    ['localhost:9967', /Not a URL|Use http/],
    ['ftp://exporter', /Use http/],
    ['http://exporter:9967/api/v1/', /without \/api\/v1/],
    ['https://exporter.example.com', undefined],
  ])('judges the URL %j', (url, problem) => {
    if (problem) {
      expect(urlProblem(url)).toMatch(problem);
    } else {
      expect(urlProblem(url)).toBeUndefined();
    }
  });

  it.each([
    ['', undefined],
    ['30', undefined],
    ['0', /1 to 300/],
    ['2.5', /1 to 300/],
    ['abc', /1 to 300/],
  ])('judges the timeout %j', (text, problem) => {
    if (problem) {
      expect(timeoutProblem(text)).toMatch(problem);
    } else {
      expect(timeoutProblem(text)).toBeUndefined();
    }
  });
});
