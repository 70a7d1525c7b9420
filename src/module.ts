import { DataSourcePlugin } from '@grafana/data';

import { ConfigEditor } from './components/ConfigEditor';
import { QueryEditor } from './components/QueryEditor';
import { DataSource } from './datasource';
import type { ScopeDataQuery, ScopeJsonData, ScopeSecureJsonData } from './types';

export const plugin = new DataSourcePlugin<DataSource, ScopeDataQuery, ScopeJsonData, ScopeSecureJsonData>(DataSource)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor);
