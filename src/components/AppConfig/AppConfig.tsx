import React, { useState } from 'react';
import { lastValueFrom } from 'rxjs';
import { type AppPluginMeta, type PluginConfigPageProps, type PluginMeta } from '@grafana/data';
import { t } from '@grafana/i18n';
import { getBackendSrv } from '@grafana/runtime';
import { Alert, Button, Field, FieldSet } from '@grafana/ui';

import { type SigningKeyInfo, fetchSigningKey } from 'services/exportsApi';
import { logger } from 'services/logger';
import { type AppJsonData, narrowAppJsonData } from 'services/settings';
import { testIds } from 'services/testIds';

import { useLoader } from 'components/shared/useLoader';
import { AccessFields, AlertingFields, StoreFields } from './AppConfigFields';
import { alertIntervalOk, lokiUrlOk, useSecret } from './inputs';
import { BundledDashboards } from './BundledDashboards';

export interface AppConfigProps extends PluginConfigPageProps<AppPluginMeta<AppJsonData>> {}

const AppConfig = ({ plugin }: AppConfigProps) => {
  const { enabled, pinned, jsonData, secureJsonFields } = plugin.meta;
  const [form, setForm] = useState<AppJsonData>(() => narrowAppJsonData(jsonData));
  const password = useSecret(Boolean(secureJsonFields?.lokiPassword));
  const grafanaToken = useSecret(Boolean(secureJsonFields?.grafanaToken));
  const [error, setError] = useState<string>();
  const set = (patch: Partial<AppJsonData>) => setForm((f) => ({ ...f, ...patch }));
  const urlOk = lokiUrlOk(form);
  const intervalOk = alertIntervalOk(form);

  const onSubmit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!urlOk || !intervalOk) {
      return;
    }
    const secureJsonData = {
      ...(password.value !== '' ? { lokiPassword: password.value } : {}),
      ...(grafanaToken.value !== '' ? { grafanaToken: grafanaToken.value } : {}),
    };
    try {
      await updatePlugin(plugin.meta.id, {
        enabled,
        pinned,
        jsonData: form,
        // Only sent when typed: an unchanged secret stays as stored.
        ...(Object.keys(secureJsonData).length > 0 ? { secureJsonData } : {}),
      } as Partial<PluginMeta>);
      window.location.reload();
    } catch (err) {
      logger.error(err, { msg: 'saving the app settings failed' });
      setError(err instanceof Error ? err.message : t('config.save-failed', 'Saving failed'));
    }
  };

  return (
    <form onSubmit={onSubmit} data-testid={testIds.appConfig.container}>
      <FieldSet label={t('config.title', 'Audit log storage')}>
        <Alert severity="info" title={t('config.door.title', 'Only the app’s backend reads the trail')}>
          {t(
            'config.door.body',
            'The Grafana server queries Loki, through its gateway, on behalf of users who hold the read role, and records every read. The store and its credential are server settings (loki_url in [plugin.attest-auditlog-app], grafana.ini): organization admins cannot change them. Do not add a Loki datasource for the audit tenants.'
          )}
        </Alert>
        <StoreFields form={form} set={set} password={password} />
        <AccessFields form={form} set={set} />
        <AlertingFields form={form} set={set} grafanaToken={grafanaToken} />
        <SigningKey />
        <BundledDashboards />
        {error && (
          <Alert severity="error" title={t('config.save-failed', 'Saving failed')}>
            {error}
          </Alert>
        )}
        <Button type="submit" data-testid={testIds.appConfig.submit} disabled={!urlOk || !intervalOk}>
          {t('config.save', 'Save settings')}
        </Button>
      </FieldSet>
    </form>
  );
};

/** The public key export manifests are signed with, for auditors who check files offline. */
function SigningKey() {
  const key = useLoader<SigningKeyInfo>(fetchSigningKey, 'signing-key');
  if (!key.data) {
    return null;
  }
  return (
    <Field
      label={t('config.signing.label', 'Export signing key (Ed25519, public)')}
      description={t(
        'config.signing.description',
        'Every export comes with a manifest signed by this key. Check a file offline: go run github.com/attest/auditlog/pkg/cmd/attest-verify -file … -manifest … -signature … -public-key <this key>'
      )}
    >
      <code data-testid={testIds.appConfig.signingKey}>{key.data.publicKey}</code>
    </Field>
  );
}

export default AppConfig;

const updatePlugin = async (pluginId: string, data: Partial<PluginMeta>) => {
  const response = getBackendSrv().fetch({ url: `/api/plugins/${pluginId}/settings`, method: 'POST', data });
  return lastValueFrom(response);
};
