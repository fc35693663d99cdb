import React from 'react';
import { t } from '@grafana/i18n';
import { PluginPage } from '@grafana/runtime';

import { ExportHistory } from 'components/Exports/ExportHistory';

function ExportsPage() {
  return (
    <PluginPage
      subTitle={t(
        'exports.subtitle',
        'Exports made on the server: every file with its row count and SHA-256. Downloads are recorded in the audit trail.'
      )}
    >
      <ExportHistory />
    </PluginPage>
  );
}

export default ExportsPage;
