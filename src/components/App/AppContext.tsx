import React, { createContext, useContext, useMemo } from 'react';

import { createGrafanaTransport } from 'services/grafanaTransport';
import { type LokiTransport } from 'services/lokiTransport';
import { type AppJsonData } from 'services/settings';

interface AppContextValue {
  settings: AppJsonData;
  /** Undefined until a Loki datasource is configured. */
  transport?: LokiTransport;
}

const AppContext = createContext<AppContextValue>({ settings: {} });

interface Props {
  settings: AppJsonData;
  /** Tests inject a fake; Grafana uses the configured datasource. */
  transport?: LokiTransport;
  children: React.ReactNode;
}

export function AppProvider({ settings, transport, children }: Props) {
  const value = useMemo<AppContextValue>(
    () => ({
      settings,
      transport:
        transport ?? (settings.lokiDatasourceUid ? createGrafanaTransport(settings.lokiDatasourceUid) : undefined),
    }),
    [settings, transport]
  );
  return <AppContext.Provider value={value}>{children}</AppContext.Provider>;
}

export const useAppContext = () => useContext(AppContext);
