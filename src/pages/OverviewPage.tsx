import React from 'react';
import { t } from '@grafana/i18n';
import { PluginPage } from '@grafana/runtime';

import { Overview } from 'components/Overview/Overview';

function OverviewPage() {
  return (
    <PluginPage
      subTitle={t(
        'overview.subtitle',
        'Audit activity at a glance: volumes, categories, busiest operations and recent high-severity events.'
      )}
    >
      <Overview />
    </PluginPage>
  );
}

export default OverviewPage;
