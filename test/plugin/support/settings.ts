import { PluginType, type DataSourceInstanceSettings } from '@grafana/data';

import type { ScopeJsonData } from '../../../src/types';

export const PROXY_URL = '/api/datasources/proxy/uid/cilium-scope-uid';

export function instanceSettings(jsonData: Partial<ScopeJsonData> = {}): DataSourceInstanceSettings<ScopeJsonData> {
  return {
    id: 7,
    uid: 'cilium-scope-uid',
    type: 'ciliumscope-cilium-datasource',
    name: 'Cilium Scope',
    access: 'proxy',
    url: PROXY_URL,
    readOnly: false,
    jsonData: { url: 'http://exporter:9967', ...jsonData },
    meta: {
      id: 'ciliumscope-cilium-datasource',
      name: 'Cilium Scope',
      type: PluginType.datasource,
      module: 'public/plugins/ciliumscope-cilium-datasource/module.js',
      baseUrl: 'public/plugins/ciliumscope-cilium-datasource',
      info: {
        author: { name: 'Cilium Scope' },
        description: '',
        links: [],
        logos: { small: '', large: '' },
        screenshots: [],
        updated: '',
        version: '0.1.0',
      },
    },
  };
}
