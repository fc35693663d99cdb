import { DataSourcePlugin } from '@grafana/data';

import { ConfigEditor } from './components/ConfigEditor';
import { QueryEditor } from './components/QueryEditor';
import { CountsDatasource } from './datasource';
import { type CountsQuery } from './types';

export const plugin = new DataSourcePlugin<CountsDatasource, CountsQuery>(CountsDatasource)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor);
