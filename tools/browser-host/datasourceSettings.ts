/**
 * The settings Grafana hands a datasource plugin for a datasource reached through the data proxy: the instance
 * settings its DataSourceApi is built with, and the settings its config editor edits. Used by the host pages and by
 * the plugin's jsdom tests.
 */
import {
  PluginType,
  type DataSourceInstanceSettings,
  type DataSourceJsonData,
  type DataSourceSettings,
} from '@grafana/data';

export interface DatasourceIdentity {
  pluginId: string;
  uid: string;
  name: string;
}

/** Grafana's data proxy path of a datasource: the plugin's routes hang below it. */
export function proxyUrl(uid: string): string {
  return `/api/datasources/proxy/uid/${uid}`;
}

export function instanceSettings<T extends DataSourceJsonData>(
  { pluginId, uid, name }: DatasourceIdentity,
  jsonData: T
): DataSourceInstanceSettings<T> {
  return {
    id: 1,
    uid,
    type: pluginId,
    name,
    access: 'proxy',
    url: proxyUrl(uid),
    readOnly: false,
    jsonData,
    meta: {
      id: pluginId,
      name,
      type: PluginType.datasource,
      module: `public/plugins/${pluginId}/module.js`,
      baseUrl: `public/plugins/${pluginId}`,
      info: {
        author: { name: 'Cilium Scope' },
        description: '',
        links: [],
        logos: { small: '', large: '' },
        screenshots: [],
        updated: '',
        version: '',
      },
    },
  };
}

/** A saved datasource as the config editor receives it; `overrides` sets what a test needs. */
export function editorSettings<T extends DataSourceJsonData, S = unknown>(
  { pluginId, uid, name }: DatasourceIdentity,
  overrides: Partial<DataSourceSettings<T, S>> = {}
): DataSourceSettings<T, S> {
  return {
    id: 1,
    uid,
    orgId: 1,
    name,
    typeLogoUrl: '',
    type: pluginId,
    typeName: 'Cilium Scope',
    access: 'proxy',
    url: '',
    user: '',
    database: '',
    basicAuth: false,
    basicAuthUser: '',
    isDefault: false,
    jsonData: {} as T,
    secureJsonFields: {},
    readOnly: false,
    withCredentials: false,
    ...overrides,
  };
}
