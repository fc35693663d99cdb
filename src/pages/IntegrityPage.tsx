import React from 'react';
import { t } from '@grafana/i18n';
import { PluginPage } from '@grafana/runtime';

import { IntegrityView } from 'components/Integrity/IntegrityView';

function IntegrityPage() {
  return (
    <PluginPage subTitle={t('integrity.subtitle', 'Prove the audit trail is complete and unaltered.')}>
      <IntegrityView />
    </PluginPage>
  );
}

export default IntegrityPage;
