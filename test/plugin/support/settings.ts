import type { DataSourceInstanceSettings } from '@grafana/data';

import type { ScopeJsonData } from '../../../src/types';
import { instanceSettings as proxiedSettings, proxyUrl } from '../../../tools/browser-host/datasourceSettings';

export const DATASOURCE = { pluginId: 'ciliumscope-cilium-datasource', uid: 'cilium-scope-uid', name: 'Cilium Scope' };
export const PROXY_URL = proxyUrl(DATASOURCE.uid);

export function instanceSettings(jsonData: Partial<ScopeJsonData> = {}): DataSourceInstanceSettings<ScopeJsonData> {
  return proxiedSettings<ScopeJsonData>(DATASOURCE, { url: 'http://exporter:9967', ...jsonData });
}
