import React, { useState } from 'react';
import { lastValueFrom } from 'rxjs';
import { css } from '@emotion/css';
import { type AppPluginMeta, type GrafanaTheme2, type PluginConfigPageProps, type PluginMeta } from '@grafana/data';
import { t } from '@grafana/i18n';
import { DataSourcePicker, getBackendSrv } from '@grafana/runtime';
import {
  Alert,
  Button,
  Field,
  FieldSet,
  InlineSwitch,
  Input,
  RadioButtonGroup,
  SecretInput,
  useStyles2,
} from '@grafana/ui';

import { type SigningKeyInfo, fetchSigningKey } from 'services/exportsApi';
import { logger } from 'services/logger';
import { type AppJsonData, READ_ROLES, type ReadRole, narrowAppJsonData, validAlertInterval } from 'services/settings';
import { testIds } from 'services/testIds';

import { useLoader } from '../shared/useLoader';
import { BundledDashboards } from './BundledDashboards';

export interface AppConfigProps extends PluginConfigPageProps<AppPluginMeta<AppJsonData>> {}

const AppConfig = ({ plugin }: AppConfigProps) => {
  const styles = useStyles2(getStyles);
  const { enabled, pinned, jsonData, secureJsonFields } = plugin.meta;
  const [form, setForm] = useState<AppJsonData>(() => narrowAppJsonData(jsonData));
  const [password, setPassword] = useState('');
  const [passwordSet, setPasswordSet] = useState(Boolean(secureJsonFields?.lokiPassword));
  const [grafanaToken, setGrafanaToken] = useState('');
  const [grafanaTokenSet, setGrafanaTokenSet] = useState(Boolean(secureJsonFields?.grafanaToken));
  const [error, setError] = useState<string>();
  const set = (patch: Partial<AppJsonData>) => setForm((f) => ({ ...f, ...patch }));
  // The store is server level when grafana.ini names one; an org's URL counts only in a single-org install.
  const urlOk = !form.lokiUrl || /^https?:\/\/[^\s]+$/.test(form.lokiUrl);
  const intervalOk = form.alertInterval === undefined || validAlertInterval(form.alertInterval);
  const textInput = (key: 'lokiUrl' | 'tenant' | 'lokiUser', testId?: string) => (
    <Input
      data-testid={testId}
      value={form[key] ?? ''}
      onChange={(ev) => set({ [key]: ev.currentTarget.value })}
      className={styles.input}
    />
  );

  const onSubmit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!urlOk || !intervalOk) {
      return;
    }
    const secureJsonData = {
      ...(password !== '' ? { lokiPassword: password } : {}),
      ...(grafanaToken !== '' ? { grafanaToken } : {}),
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
        <Field
          label={t('config.loki.label', 'Loki URL (single-organization installs only)')}
          description={t(
            'config.loki.description',
            'Used only when the server settings name no store and no organization map: then org 1 may name it here, e.g. http://loki-gateway:3100. Otherwise it is ignored (the health check says so).'
          )}
          invalid={!urlOk}
          error={t('config.loki.invalid', 'An http(s) URL')}
        >
          {textInput('lokiUrl', testIds.appConfig.lokiUrl)}
        </Field>
        <Field
          label={t('config.tenant.label', 'Tenant of this organization')}
          description={t(
            'config.tenant.description',
            'Loki’s X-Scope-OrgID for this organization. When the server administrator maps organizations to tenants (GF_PLUGIN_TENANTS), that map wins.'
          )}
        >
          {textInput('tenant', testIds.appConfig.tenant)}
        </Field>
        <Field label={t('config.user.label', 'Loki user (optional)')}>{textInput('lokiUser')}</Field>
        <Field label={t('config.password.label', 'Loki password (optional)')}>
          <SecretInput
            isConfigured={passwordSet}
            value={password}
            onChange={(ev) => setPassword(ev.currentTarget.value)}
            onReset={() => {
              setPasswordSet(false);
              setPassword('');
            }}
            className={styles.input}
          />
        </Field>
        <Field
          label={t('config.role.label', 'Who may read the trail')}
          description={t(
            'config.role.description',
            'The lowest organization role that may read; refusals are recorded.'
          )}
        >
          <RadioButtonGroup<ReadRole>
            options={READ_ROLES.map((r) => ({ label: r, value: r }))}
            value={form.readRole ?? 'Admin'}
            onChange={(readRole) => set({ readRole })}
          />
        </Field>
        <Field
          label={t('config.failopen.label', 'When a read cannot be recorded')}
          description={t(
            'config.failopen.description',
            'Off (default): the read is refused with 503, so nothing is read unrecorded. On: it is served and the failure logged.'
          )}
        >
          <InlineSwitch
            label={t('config.failopen.switch', 'Serve anyway')}
            showLabel
            value={Boolean(form.selfAuditFailOpen)}
            onChange={(ev) => set({ selfAuditFailOpen: ev.currentTarget.checked || undefined })}
          />
        </Field>
        <Field
          label={t('config.traces.label', 'Tracing datasource (optional)')}
          description={t(
            'config.traces.description',
            'Tempo, Jaeger or Zipkin: trace ids in the event viewer become links to the trace.'
          )}
        >
          <div data-testid={testIds.appConfig.tracesDatasource} className={styles.input}>
            <DataSourcePicker
              type={['tempo', 'jaeger', 'zipkin']}
              current={form.tracesDatasourceUid ?? null}
              noDefault
              onChange={(ds) => set({ tracesDatasourceUid: ds.uid })}
              onClear={() => set({ tracesDatasourceUid: undefined })}
              inputId="attest-traces-datasource"
            />
          </div>
        </Field>
        <Field
          label={t('config.grafana-token.label', 'Grafana service account token (for audit alerts)')}
          description={t(
            'config.grafana-token.description',
            'A token of a service account with the Admin role in this organization: the backend manages the alert rules, their folder, the counts datasource and notification policies with it.'
          )}
        >
          <SecretInput
            isConfigured={grafanaTokenSet}
            value={grafanaToken}
            onChange={(ev) => setGrafanaToken(ev.currentTarget.value)}
            onReset={() => {
              setGrafanaTokenSet(false);
              setGrafanaToken('');
            }}
            className={styles.input}
            data-testid={testIds.appConfig.grafanaToken}
          />
        </Field>
        <Field
          label={t('config.alert-interval.label', 'Alert evaluation interval')}
          description={t(
            'config.alert-interval.description',
            'How often Grafana evaluates the audit alert rules, e.g. 1m (default) or 30s; steps of 10 s.'
          )}
          invalid={!intervalOk}
          error={t('config.alert-interval.invalid', 'From 10s to 24h, in steps of 10 s')}
        >
          <Input
            value={form.alertInterval ?? ''}
            placeholder="1m"
            onChange={(ev) => set({ alertInterval: ev.currentTarget.value.trim() || undefined })}
            className={styles.input}
            data-testid={testIds.appConfig.alertInterval}
          />
        </Field>
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

const getStyles = (_theme: GrafanaTheme2) => ({
  input: css({ maxWidth: 480 }),
});

const updatePlugin = async (pluginId: string, data: Partial<PluginMeta>) => {
  const response = getBackendSrv().fetch({ url: `/api/plugins/${pluginId}/settings`, method: 'POST', data });
  return lastValueFrom(response);
};
