import React from 'react';
import { t } from '@grafana/i18n';
import { DataSourcePicker } from '@grafana/runtime';
import { Field, InlineSwitch, Input, RadioButtonGroup, useStyles2 } from '@grafana/ui';

import { READ_ROLES, type ReadRole } from 'services/settings';
import { testIds } from 'services/testIds';

import { type FormProps, type Secret, SecretField, TextInput, alertIntervalOk, getStyles, lokiUrlOk } from './inputs';

/** Where the trail is stored: the single-org Loki URL, the org's tenant and its credential. */
export function StoreFields({ form, set, password }: FormProps & { password: Secret }) {
  const urlOk = lokiUrlOk(form);
  return (
    <>
      <Field
        label={t('config.loki.label', 'Loki URL (single-organization installs only)')}
        description={t(
          'config.loki.description',
          'Used only when the server settings name no store and no organization map: then org 1 may name it here, e.g. http://loki-gateway:3100. Otherwise it is ignored (the health check says so).'
        )}
        invalid={!urlOk}
        error={t('config.loki.invalid', 'An http(s) URL')}
      >
        <TextInput form={form} set={set} name="lokiUrl" testId={testIds.appConfig.lokiUrl} />
      </Field>
      <Field
        label={t('config.tenant.label', 'Tenant of this organization')}
        description={t(
          'config.tenant.description',
          'Loki’s X-Scope-OrgID for this organization. When the server administrator maps organizations to tenants (GF_PLUGIN_TENANTS), that map wins.'
        )}
      >
        <TextInput form={form} set={set} name="tenant" testId={testIds.appConfig.tenant} />
      </Field>
      <Field label={t('config.user.label', 'Loki user (optional)')}>
        <TextInput form={form} set={set} name="lokiUser" />
      </Field>
      <Field label={t('config.password.label', 'Loki password (optional)')}>
        <SecretField secret={password} />
      </Field>
    </>
  );
}

/** Who may read, what happens when a read cannot be recorded, and where trace ids link to. */
export function AccessFields({ form, set }: FormProps) {
  const styles = useStyles2(getStyles);
  return (
    <>
      <Field
        label={t('config.role.label', 'Who may read the trail')}
        description={t('config.role.description', 'The lowest organization role that may read; refusals are recorded.')}
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
    </>
  );
}

/** What the backend manages audit alerts with: the org's service account token and the interval. */
export function AlertingFields({ form, set, grafanaToken }: FormProps & { grafanaToken: Secret }) {
  const styles = useStyles2(getStyles);
  const intervalOk = alertIntervalOk(form);
  return (
    <>
      <Field
        label={t('config.grafana-token.label', 'Grafana service account token (for audit alerts)')}
        description={t(
          'config.grafana-token.description',
          'A token of a service account with the Admin role in this organization: the backend manages the alert rules, their folder, the counts datasource and notification policies with it.'
        )}
      >
        <SecretField secret={grafanaToken} testId={testIds.appConfig.grafanaToken} />
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
    </>
  );
}
