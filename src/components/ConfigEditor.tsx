import React, { useEffect, useState, type ChangeEvent } from 'react';
import type { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { Field, Input, SecretInput, Stack, Text } from '@grafana/ui';

import {
  DEFAULT_TIMEOUT_SECONDS,
  DEFAULT_URL,
  MAX_TIMEOUT_SECONDS,
  type ScopeJsonData,
  type ScopeSecureJsonData,
} from '../types';

type Props = DataSourcePluginOptionsEditorProps<ScopeJsonData, ScopeSecureJsonData>;

const FIELD_WIDTH = 60;

/** Why a URL cannot work, or undefined when it can. */
export function urlProblem(url: string | undefined): string | undefined {
  const value = (url ?? '').trim();
  if (value === '') {
    return 'Required: the exporter URL, e.g. http://ciliumscope-exporter.kube-system:9967';
  }
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    return 'Not a URL: write it with its scheme, e.g. http://exporter:9967';
  }
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return 'Not a URL: write it with its scheme, e.g. http://exporter:9967';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return 'Use http:// or https://';
  }
  if (/\/api\/v1\/?$/.test(parsed.pathname)) {
    return 'Give the base URL without /api/v1: the datasource adds the API paths itself';
  }
  return undefined;
}

/** Why a timeout cannot be used, or undefined when it can. */
export function timeoutProblem(value: string): string | undefined {
  if (value.trim() === '') {
    return undefined;
  }
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_TIMEOUT_SECONDS) {
    return `A whole number of seconds from 1 to ${MAX_TIMEOUT_SECONDS}`;
  }
  return undefined;
}

interface SectionProps {
  title: string;
  description: NonNullable<React.ReactNode>;
  children: React.ReactNode;
}

function Section({ title, description, children }: SectionProps) {
  return (
    <Stack direction="column" gap={1}>
      <Text element="h3">{title}</Text>
      <Text color="secondary" element="p">
        {description}
      </Text>
      <div>{children}</div>
    </Stack>
  );
}

export function ConfigEditor({ options, onOptionsChange }: Props) {
  const { jsonData, secureJsonFields } = options;
  const secureJsonData = (options.secureJsonData ?? {}) as ScopeSecureJsonData;
  const [urlTouched, setUrlTouched] = useState(false);
  const [timeoutText, setTimeoutText] = useState(
    jsonData.timeoutSeconds === undefined ? '' : String(jsonData.timeoutSeconds)
  );

  // A new datasource starts with the exporter's default address, and always goes through Grafana's data proxy
  // (the route in plugin.json adds the token there; secrets never reach the browser).
  useEffect(() => {
    if (options.access !== 'proxy' || jsonData.url === undefined) {
      onOptionsChange({
        ...options,
        access: 'proxy',
        jsonData: { ...jsonData, url: jsonData.url ?? DEFAULT_URL },
      });
    }
    // Only on first render: later changes come from the fields below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const setJsonData = (patch: Partial<ScopeJsonData>) =>
    onOptionsChange({ ...options, jsonData: { ...jsonData, ...patch } });

  const onUrlChange = (event: ChangeEvent<HTMLInputElement>) => setJsonData({ url: event.target.value.trim() });

  const onTimeoutChange = (event: ChangeEvent<HTMLInputElement>) => {
    const text = event.target.value;
    setTimeoutText(text);
    // An invalid value is not kept: saving then falls back to the default instead of an intermediate keystroke.
    const seconds = timeoutProblem(text) === undefined && text.trim() !== '' ? Number(text) : undefined;
    // `timeout` is what Grafana's data proxy reads for this datasource; `timeoutSeconds` what the plugin reads.
    setJsonData({ timeoutSeconds: seconds, timeout: seconds });
  };

  const onTokenChange = (event: ChangeEvent<HTMLInputElement>) =>
    onOptionsChange({ ...options, secureJsonData: { ...secureJsonData, token: event.target.value } });

  const onTokenReset = () =>
    onOptionsChange({
      ...options,
      secureJsonFields: { ...secureJsonFields, token: false },
      secureJsonData: { ...secureJsonData, token: '' },
    });

  const urlError = urlProblem(jsonData.url);
  const timeoutError = timeoutProblem(timeoutText);

  return (
    <Stack direction="column" gap={4}>
      <Text color="secondary" element="p">
        Cilium Scope reads Cilium endpoint, policy, drop and agent state from the Cilium Scope exporter. Grafana calls
        the exporter from its server through the data proxy, so the address below must be reachable from Grafana, not
        only from your browser.
      </Text>

      <Section
        title="Connection"
        description="The exporter's base URL. It listens on port 9967 by default; in Kubernetes use its Service name."
      >
        <Field
          label="Exporter URL"
          description="As Grafana's server reaches it. In docker compose, the service name (http://exporter:9967), not localhost."
          required
          invalid={urlTouched && urlError !== undefined}
          error={urlError}
        >
          <Input
            id="ciliumscope-url"
            width={FIELD_WIDTH}
            value={jsonData.url ?? ''}
            placeholder={DEFAULT_URL}
            onChange={onUrlChange}
            onBlur={() => setUrlTouched(true)}
          />
        </Field>
      </Section>

      <Section
        title="Authentication"
        description={
          <>
            Needed only when the exporter was started with a bearer token. Grafana stores it encrypted and adds{' '}
            <code>Authorization: Bearer &lt;token&gt;</code> to every request it forwards; the browser never sees it.
          </>
        }
      >
        <Field label="Bearer token" description="Leave empty when the exporter does not require one.">
          <SecretInput
            id="ciliumscope-token"
            width={FIELD_WIDTH}
            isConfigured={Boolean(secureJsonFields?.token)}
            value={secureJsonData.token ?? ''}
            placeholder="Token the exporter was started with"
            onChange={onTokenChange}
            onReset={onTokenReset}
          />
        </Field>
      </Section>

      <Section
        title="Requests"
        description="How long a query may take before it fails with a timeout message. Grafana's data proxy applies the same limit."
      >
        <Field
          label="Timeout"
          description={`Seconds, 1 to ${MAX_TIMEOUT_SECONDS}. Default ${DEFAULT_TIMEOUT_SECONDS}.`}
          invalid={timeoutError !== undefined}
          error={timeoutError}
        >
          <Input
            id="ciliumscope-timeout"
            width={20}
            type="number"
            min={1}
            max={MAX_TIMEOUT_SECONDS}
            value={timeoutText}
            placeholder={String(DEFAULT_TIMEOUT_SECONDS)}
            suffix="s"
            onChange={onTimeoutChange}
          />
        </Field>
      </Section>
    </Stack>
  );
}
