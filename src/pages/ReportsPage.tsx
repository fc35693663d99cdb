import React from 'react';
import { t } from '@grafana/i18n';
import { PluginPage } from '@grafana/runtime';

import { ReportsView } from 'components/Reports/ReportsView';

function ReportsPage() {
  return (
    <PluginPage
      subTitle={t(
        'reports.subtitle',
        'Compliance reports for regulatory frameworks: evidence packs generated on the server, with the integrity of the period verified.'
      )}
    >
      <ReportsView />
    </PluginPage>
  );
}

export default ReportsPage;
