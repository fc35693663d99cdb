import React, { createContext, useContext, useMemo } from 'react';

import { type AuditApi } from 'services/auditApi';
import { createBackendApi } from 'services/backendApi';
import { type AppJsonData } from 'services/settings';

interface AppContextValue {
  settings: AppJsonData;
  api: AuditApi;
}

const AppContext = createContext<AppContextValue | undefined>(undefined);

interface Props {
  settings: AppJsonData;
  /** Page tests inject one over a fake Loki; in Grafana it is the plugin backend. */
  api?: AuditApi;
  children: React.ReactNode;
}

export function AppProvider({ settings, api, children }: Props) {
  const value = useMemo<AppContextValue>(() => ({ settings, api: api ?? createBackendApi() }), [settings, api]);
  return <AppContext.Provider value={value}>{children}</AppContext.Provider>;
}

export function useAppContext(): AppContextValue {
  const ctx = useContext(AppContext);
  if (!ctx) {
    throw new Error('useAppContext outside AppProvider');
  }
  return ctx;
}
