import React from 'react';
import { t } from '@grafana/i18n';
import { PluginPage } from '@grafana/runtime';

import { AlertRules } from 'components/Alerts/AlertRules';

function AlertsPage() {
  return (
    <PluginPage
      subTitle={t(
        'alerts.subtitle',
        'Rules that notify administrators when audit events match: Grafana alert rules, delivered through Grafana contact points. Every change is recorded in the audit trail.'
      )}
    >
      <AlertRules />
    </PluginPage>
  );
}

export default AlertsPage;
