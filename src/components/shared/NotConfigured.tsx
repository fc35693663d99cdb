import React from 'react';
import { t } from '@grafana/i18n';
import { EmptyState, LinkButton } from '@grafana/ui';

import { CONFIG_URL } from 'services/plugin';
import { testIds } from 'services/testIds';

export function NotConfigured() {
  return (
    <div data-testid={testIds.notConfigured}>
      <EmptyState
        variant="call-to-action"
        message={t('shared.not-configured.message', 'No Loki datasource is configured for the audit log')}
        button={
          <LinkButton href={CONFIG_URL} icon="cog">
            {t('shared.not-configured.action', 'Open the app configuration')}
          </LinkButton>
        }
      >
        {t(
          'shared.not-configured.help',
          'Choose the Loki datasource that holds the audit events. Its X-Scope-OrgID header selects the tenant of this organization.'
        )}
      </EmptyState>
    </div>
  );
}
