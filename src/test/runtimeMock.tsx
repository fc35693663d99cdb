// A stand-in for @grafana/runtime in jest (the real module pulls ESM-only dependencies the scaffold's jest
// config doesn't transform). Use: jest.mock('@grafana/runtime', () => require('<path>/runtimeMock')).
import React from 'react';

export const backendFetch = jest.fn();
export const getBackendSrv = () => ({ fetch: backendFetch });
export const isFetchError = (e: unknown) => typeof e === 'object' && e !== null && 'status' in e && 'data' in e;
export const PluginPage = ({ children }: { children: React.ReactNode }) => <div>{children}</div>;
export const PanelRenderer = ({ data, pluginId }: { data: { series: Array<{ name?: string }> }; pluginId: string }) => (
  <div data-testid="panel-renderer" data-plugin={pluginId}>
    {data.series.map((s) => s.name).join(',')}
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
