import React from 'react';
import { t } from '@grafana/i18n';
import { PluginPage } from '@grafana/runtime';

import { EventViewer } from '../components/EventViewer/EventViewer';

function EventsPage() {
  return (
    <PluginPage
      subTitle={t(
        'viewer.subtitle',
        'Every audit event, newest first. Filters are kept in the URL: bookmark or share a view.'
      )}
    >
      <EventViewer />
    </PluginPage>
  );
}

export default EventsPage;
