import React from 'react';
import { t } from '@grafana/i18n';
import { PluginPage } from '@grafana/runtime';

import { RetentionView } from 'components/Retention/RetentionView';

function RetentionPage() {
  return (
    <PluginPage subTitle={t('retention.subtitle', 'How long the audit trail is kept, and where it goes after.')}>
      <RetentionView />
    </PluginPage>
  );
}

export default RetentionPage;
