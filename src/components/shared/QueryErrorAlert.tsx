import React from 'react';
import { t } from '@grafana/i18n';
import { Alert } from '@grafana/ui';

interface Props {
  errors: Array<unknown | undefined>;
  testId?: string;
  title?: string;
}

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Query errors, duplicates removed, with what to check. */
export function QueryErrorAlert({ errors, testId, title }: Props) {
  const messages = [...new Set(errors.filter((e) => e !== undefined && e !== null).map(messageOf))];
  if (messages.length === 0) {
    return null;
  }
  return (
    <Alert
      severity="error"
      title={title ?? t('shared.query-error.title', 'Could not load audit events')}
      data-testid={testId}
    >
      {messages.map((m) => (
        <div key={m}>{m}</div>
      ))}
      <div>
        {t(
          'shared.query-error.help',
          'Check the app’s health (Administration → Plugins → Attest audit log): it shows whether Loki and the Collector are reachable and which tenant this organization reads.'
        )}
      </div>
    </Alert>
  );
}
