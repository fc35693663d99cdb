// A stand-in for @grafana/runtime in jest (the real module pulls ESM-only dependencies the scaffold's jest
// config doesn't transform). Use: jest.mock('@grafana/runtime', () => require('<path>/runtimeMock')).
import React from 'react';

export const backendFetch = jest.fn();
export const getBackendSrv = () => ({ fetch: backendFetch });
export const isFetchError = (e: unknown) => typeof e === 'object' && e !== null && 'status' in e && 'data' in e;
export const PluginPage = ({ children }: { children: React.ReactNode }) => <div>{children}</div>;
export const PanelRenderer = ({
  data,
  pluginId,
  onChangeTimeRange,
}: {
  data: { series: Array<{ name?: string }> };
  pluginId: string;
  onChangeTimeRange?: (r: { from: number; to: number }) => void;
}) => (
  <div data-testid="panel-renderer" data-plugin={pluginId}>
    {data.series.map((s) => s.name).join(',')}
    {/* A drag across the chart, as the time series panel reports it. */}
    <button type="button" onClick={() => onChangeTimeRange?.({ from: 1_700_000_000_000, to: 1_700_086_400_000 })}>
      select span
    </button>
  </div>
);
export const DataSourcePicker = ({
  current,
  onChange,
  type,
}: {
  current: string | null;
  onChange: (ds: { uid: string }) => void;
  type: string | string[];
}) => (
  <button type="button" onClick={() => onChange({ uid: `picked-${String(type)}` })}>
    picker {String(type)} {current ?? 'none'}
  </button>
);

/** Template variables for datasource tests: `vars` maps a name to its value(s). */
export const templateVars: Record<string, string | string[]> = {};
export const getTemplateSrv = () => ({
  replace: (text: string, _scoped?: unknown, format?: string) =>
    text.replace(/\$(\w+)|\$\{(\w+)\}/g, (m, a, b) => {
      const v = templateVars[a ?? b];
      if (v === undefined) {
        return m;
      }
      return Array.isArray(v) ? (format === 'csv' ? v.join(',') : `{${v.join(',')}}`) : v;
    }),
});
export const resourceGet = jest.fn();
export class DataSourceWithBackend {
  constructor(readonly instanceSettings: unknown) {}
  getResource(path: string, params: unknown) {
    return resourceGet(path, params);
  }
}
export const config = { bootData: { user: { orgRole: 'Viewer' } } };
