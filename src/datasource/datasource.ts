import { type DataSourceInstanceSettings, type ScopedVars } from '@grafana/data';
import { DataSourceWithBackend, getTemplateSrv } from '@grafana/runtime';

import { type CountsQuery, DEFAULT_QUERY } from './types';

export class CountsDatasource extends DataSourceWithBackend<CountsQuery> {
  constructor(settings: DataSourceInstanceSettings) {
    super(settings);
  }

  getDefaultQuery(): Partial<CountsQuery> {
    return DEFAULT_QUERY;
  }

  applyTemplateVariables(query: CountsQuery, scopedVars: ScopedVars): CountsQuery {
    const srv = getTemplateSrv();
    const one = (v?: string) => (v ? srv.replace(v, scopedVars) : v);
    const many = <T extends string>(vs?: T[]) =>
      vs?.flatMap((v) => srv.replace(v, scopedVars, 'csv').split(',')).filter((v) => v !== '' && v !== 'All') as
        T[] | undefined;
    return {
      ...query,
      service: one(query.service),
      actor: one(query.actor),
      categories: many(query.categories),
      eventTypes: many(query.eventTypes),
    };
  }
}
