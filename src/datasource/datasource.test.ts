import { type DataSourceInstanceSettings } from '@grafana/data';

import { CountsDatasource } from './datasource';

jest.mock('@grafana/runtime', () => require('test/runtimeMock'));
const runtime = jest.requireMock('@grafana/runtime');

const ds = () => new CountsDatasource({ uid: 'attest-audit-counts' } as DataSourceInstanceSettings);

describe('CountsDatasource', () => {
  beforeEach(() => {
    runtime.resourceGet.mockReset();
    for (const k of Object.keys(runtime.templateVars)) {
      delete runtime.templateVars[k];
    }
  });

  it('fills in template variables; All means no filter', () => {
    Object.assign(runtime.templateVars, { service: 'billing-api', category: ['AUTH', 'SECURITY'] });
    const q = ds().applyTemplateVariables(
      { refId: 'A', service: '$service', categories: ['$category' as never], eventTypes: ['x'] },
      {}
    );
    expect(q).toMatchObject({ service: 'billing-api', categories: ['AUTH', 'SECURITY'], eventTypes: ['x'] });
    Object.assign(runtime.templateVars, { service: '$__all', category: ['$__all'] });
    const all = ds().applyTemplateVariables(
      { refId: 'A', service: '$service', categories: ['$category' as never] },
      {}
    );
    expect(all.service).toBeUndefined();
    expect(all.categories).toEqual([]);
  });

  it('answers variable queries with the values present, and refuses an unknown field', async () => {
    runtime.resourceGet.mockResolvedValue({
      values: [
        { value: 'billing-api', count: 12 },
        { value: 'auth', count: 3 },
      ],
    });
    expect(await ds().metricFindQuery('service')).toEqual([
      { text: 'billing-api', value: 'billing-api' },
      { text: 'auth', value: 'auth' },
    ]);
    expect(runtime.resourceGet).toHaveBeenCalledWith('values', { field: 'service' });
    await expect(ds().metricFindQuery('user_email')).rejects.toThrow(/one field/);
  });
});
