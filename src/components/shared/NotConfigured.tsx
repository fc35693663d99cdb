import React from 'react';
import { t } from '@grafana/i18n';
import { EmptyState, LinkButton } from '@grafana/ui';

import { type Me } from 'services/backendApi';
import { CONFIG_URL } from 'services/plugin';
import { testIds } from 'services/testIds';

/** Shown instead of a page when the backend says this user cannot read the trail, and why. */
export function NotConfigured({ me }: { me: Me }) {
  if (!me.tenantConfigured) {
    return (
      <div data-testid={testIds.notConfigured}>
        <EmptyState
          variant="call-to-action"
          message={t('shared.not-configured.message', 'This organization has no audit tenant')}
          button={
            <LinkButton href={CONFIG_URL} icon="cog">
              {t('shared.not-configured.action', 'Open the app configuration')}
            </LinkButton>
          }
        >
          {t(
            'shared.not-configured.help',
            'Set the Loki tenant of this organization in the app configuration, or ask the Grafana server administrator to map this organization in GF_PLUGIN_TENANTS.'
          )}
        </EmptyState>
      </div>
    );
  }
  return (
    <div data-testid={testIds.noAccess}>
      <EmptyState variant="not-found" message={t('shared.no-access.message', 'You cannot read the audit trail')}>
        {t(
          'shared.no-access.help',
          'Reading the audit trail needs the {{role}} role in this organization; you are {{yours}}. Every attempt is recorded.',
          { role: me.readRole, yours: me.role }
        )}
      </EmptyState>
    </div>
  );
}
