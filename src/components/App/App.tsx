import React, { Suspense, lazy, useMemo } from 'react';
import { Navigate, Route, Routes } from 'react-router-dom';
import { type AppRootProps } from '@grafana/data';
import { LoadingPlaceholder } from '@grafana/ui';

import { ROUTES } from 'services/plugin';
import { narrowAppJsonData } from 'services/settings';

import { AppProvider } from './AppContext';

const OverviewPage = lazy(() => import('../../pages/OverviewPage'));
const EventsPage = lazy(() => import('../../pages/EventsPage'));

function App(props: AppRootProps) {
  const settings = useMemo(() => narrowAppJsonData(props.meta.jsonData), [props.meta.jsonData]);
  return (
    <AppProvider settings={settings}>
      <Suspense fallback={<LoadingPlaceholder text="" />}>
        <Routes>
          <Route path={ROUTES.Overview} element={<OverviewPage />} />
          <Route path={ROUTES.Events} element={<EventsPage />} />
          <Route path="*" element={<Navigate to={ROUTES.Overview} replace />} />
        </Routes>
      </Suspense>
    </AppProvider>
  );
}

export default App;
