import React from 'react';
import { t } from '@grafana/i18n';
import { Alert } from '@grafana/ui';

import { type TestResult } from 'services/alertsApi';
import { testIds } from 'services/testIds';

interface Props {
  name: string;
  delivered: boolean;
  results: TestResult[];
  onDismiss: () => void;
}

/** What each contact point integration answered to a test notification. */
export function TestResults({ name, delivered, results, onDismiss }: Props) {
  return (
    <Alert
      severity={delivered ? 'success' : 'error'}
      title={
        delivered
          ? t('alerts.test-ok', 'Test notification for “{{name}}” delivered', { name })
          : t('alerts.test-failed', 'Test notification for “{{name}}” not delivered everywhere', { name })
      }
      onRemove={onDismiss}
      data-testid={testIds.alerts.testResult}
    >
      <ul>
        {results.map((r) => (
          <li key={`${r.contactPoint}/${r.integration}`}>
            {r.contactPoint} ({r.type || r.integration}): {r.status}
            {r.error ? ` — ${r.error}` : ''}
          </li>
        ))}
      </ul>
    </Alert>
  );
}
