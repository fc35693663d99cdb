import { type DataSourceInstanceSettings, type MetricFindValue, type ScopedVars, type TimeRange } from '@grafana/data';
import { DataSourceWithBackend, getTemplateSrv } from '@grafana/runtime';

import { type CountsQuery, DEFAULT_QUERY, type PresentValue, type ValueField } from './types';

const VALUE_FIELDS: readonly ValueField[] = ['category', 'severity', 'event', 'service', 'outcome', 'actor'];

export class CountsDatasource extends DataSourceWithBackend<CountsQuery> {
  constructor(settings: DataSourceInstanceSettings) {
    super(settings);
  }

  getDefaultQuery(): Partial<CountsQuery> {
    return DEFAULT_QUERY;
  }

  /** Values of one field present in the range, most frequent first (the backend's `values` resource). */
  async getValues(field: ValueField, range?: TimeRange): Promise<PresentValue[]> {
    const params: Record<string, string> = { field };
    if (range) {
      params.from = String(range.from.valueOf());
      params.to = String(range.to.valueOf());
    }
    const res = await this.getResource<{ values: PresentValue[] }>('values', params);
    return res.values;
  }

  /** Template variables: the query is a field name (service, category, event, severity, outcome). */
  async metricFindQuery(
    query: string | { field?: string },
    options?: { range?: TimeRange }
  ): Promise<MetricFindValue[]> {
    const field = (typeof query === 'string' ? query : (query.field ?? '')).trim() as ValueField;
    if (!VALUE_FIELDS.includes(field)) {
      throw new Error(`a variable query names one field: ${VALUE_FIELDS.join(', ')}`);
    }
    const values = await this.getValues(field, options?.range);
    return values.map((v) => ({ text: v.value, value: v.value }));
  }

  applyTemplateVariables(query: CountsQuery, scopedVars: ScopedVars): CountsQuery {
    const srv = getTemplateSrv();
    const one = (v?: string) => {
      const out = v ? srv.replace(v, scopedVars) : v;
      return out === '' || out === '$__all' ? undefined : out;
    };
    const many = <T extends string>(vs?: T[]) =>
      vs
        ?.flatMap((v) => srv.replace(v, scopedVars, 'csv').split(','))
        .map((v) => v.trim())
        .filter((v) => v !== '' && v !== '$__all') as T[] | undefined;
    return {
      ...query,
      service: one(query.service),
      actor: one(query.actor),
      categories: many(query.categories),
      eventTypes: many(query.eventTypes),
    };
  }
}
