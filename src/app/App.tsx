import React, { Suspense, lazy, useMemo } from 'react';
import { Navigate, Route, Routes } from 'react-router-dom';
import { type AppRootProps } from '@grafana/data';
import { LoadingPlaceholder } from '@grafana/ui';

import { type Me, fetchMe } from 'services/backendApi';
import { ROUTES } from 'services/plugin';
import { narrowAppJsonData } from 'services/settings';

import { NotConfigured } from 'components/shared/NotConfigured';
import { QueryErrorAlert } from 'components/shared/QueryErrorAlert';
import { useLoader } from 'components/shared/useLoader';
import { AppProvider } from './AppContext';

const OverviewPage = lazy(() => import('../pages/OverviewPage'));
const EventsPage = lazy(() => import('../pages/EventsPage'));
const ExportsPage = lazy(() => import('../pages/ExportsPage'));
const AlertsPage = lazy(() => import('../pages/AlertsPage'));
const IntegrityPage = lazy(() => import('../pages/IntegrityPage'));
const RetentionPage = lazy(() => import('../pages/RetentionPage'));
const ReportsPage = lazy(() => import('../pages/ReportsPage'));

function App(props: AppRootProps) {
  const settings = useMemo(() => narrowAppJsonData(props.meta.jsonData), [props.meta.jsonData]);
  // The backend decides who reads the trail; asking it first shows why a page is closed.
  const me = useLoader<Me>(fetchMe, 'me');
  if (me.error) {
    return <QueryErrorAlert errors={[me.error]} />;
  }
  if (!me.data) {
    return <LoadingPlaceholder text="" />;
  }
  if (!me.data.canRead) {
    return <NotConfigured me={me.data} />;
  }
  return (
    <AppProvider settings={settings}>
      <Suspense fallback={<LoadingPlaceholder text="" />}>
        <Routes>
          <Route path={ROUTES.Overview} element={<OverviewPage />} />
          <Route path={ROUTES.Events} element={<EventsPage />} />
          <Route path={ROUTES.Exports} element={<ExportsPage />} />
          <Route path={ROUTES.Alerts} element={<AlertsPage />} />
          <Route path={ROUTES.Integrity} element={<IntegrityPage />} />
          <Route path={ROUTES.Retention} element={<RetentionPage />} />
          <Route path={ROUTES.Reports} element={<ReportsPage />} />
          <Route path="*" element={<Navigate to={ROUTES.Overview} replace />} />
        </Routes>
      </Suspense>
    </AppProvider>
  );
}

export default App;
