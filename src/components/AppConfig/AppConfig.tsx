import React, { useState } from 'react';
import { lastValueFrom } from 'rxjs';
import { css } from '@emotion/css';
import { type AppPluginMeta, type GrafanaTheme2, type PluginConfigPageProps, type PluginMeta } from '@grafana/data';
import { t } from '@grafana/i18n';
import { DataSourcePicker, getBackendSrv } from '@grafana/runtime';
import { Alert, Button, Field, FieldSet, Stack, Text, TextLink, useStyles2 } from '@grafana/ui';

import { logger } from 'services/logger';
import { type AppJsonData, narrowAppJsonData } from 'services/settings';
import { testIds } from 'services/testIds';

export interface AppConfigProps extends PluginConfigPageProps<AppPluginMeta<AppJsonData>> {}

const AppConfig = ({ plugin }: AppConfigProps) => {
  const styles = useStyles2(getStyles);
  const { enabled, pinned, jsonData } = plugin.meta;
  const initial = narrowAppJsonData(jsonData);
  const [lokiUid, setLokiUid] = useState(initial.lokiDatasourceUid ?? '');
  const [tracesUid, setTracesUid] = useState(initial.tracesDatasourceUid ?? '');
  const [error, setError] = useState<string>();

  const onSubmit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!lokiUid) {
      return;
    }
    try {
      await updatePlugin(plugin.meta.id, {
        enabled,
        pinned,
        jsonData: { lokiDatasourceUid: lokiUid, tracesDatasourceUid: tracesUid || undefined },
      });
      // The app reads its settings at load: reload so the pages see the new datasource.
      window.location.reload();
    } catch (err) {
      logger.error(err, { msg: 'saving the app settings failed' });
      setError(err instanceof Error ? err.message : t('config.save-failed', 'Saving failed'));
    }
  };

  return (
    <form onSubmit={onSubmit} data-testid={testIds.appConfig.container}>
      <FieldSet label={t('config.title', 'Audit log storage')}>
        <Field
          label={t('config.loki.label', 'Loki datasource')}
          description={t('config.loki.description', 'The Loki datasource (by UID) that holds the audit events.')}
          required
        >
          <div data-testid={testIds.appConfig.lokiDatasource} className={styles.picker}>
            <DataSourcePicker
              type="loki"
              current={lokiUid || null}
              noDefault
              onChange={(ds) => setLokiUid(ds.uid)}
              inputId="attest-loki-datasource"
            />
          </div>
        </Field>
        <Field
          label={t('config.traces.label', 'Tracing datasource (optional)')}
          description={t(
            'config.traces.description',
            'Tempo, Jaeger or Zipkin: trace ids in the event viewer become links to the trace.'
          )}
        >
          <div data-testid={testIds.appConfig.tracesDatasource} className={styles.picker}>
            <DataSourcePicker
              type={['tempo', 'jaeger', 'zipkin']}
              current={tracesUid || null}
              noDefault
              onChange={(ds) => setTracesUid(ds.uid)}
              onClear={() => setTracesUid('')}
              inputId="attest-traces-datasource"
            />
          </div>
        </Field>
        <Alert severity="info" title={t('config.tenants.title', 'One tenant per Grafana organization')}>
          <Stack direction="column" gap={1}>
            <Text>
              {t(
                'config.tenants.body',
                'Loki keeps each tenant apart by the X-Scope-OrgID header. Give every Grafana organization its own Loki datasource whose custom HTTP header X-Scope-OrgID names that organization’s tenant, and pick that datasource here in each organization. Admins of one organization then only ever read their own tenant’s audit events.'
              )}
            </Text>
            <pre className={styles.pre}>
              {`# provisioning/datasources/<org>.yaml
datasources:
  - name: Attest audit (acme)
    type: loki
    uid: attest-loki-acme
    orgId: 2
    url: http://loki:3100
    jsonData:
      httpHeaderName1: X-Scope-OrgID
    secureJsonData:
      httpHeaderValue1: acme`}
            </pre>
            <TextLink href="https://grafana.com/docs/loki/latest/operations/multi-tenancy/" external>
              {t('config.tenants.link', 'Loki multi-tenancy')}
            </TextLink>
          </Stack>
        </Alert>
        {error && (
          <Alert severity="error" title={t('config.save-failed', 'Saving failed')}>
            {error}
          </Alert>
        )}
        <Button type="submit" data-testid={testIds.appConfig.submit} disabled={!lokiUid}>
          {t('config.save', 'Save settings')}
        </Button>
      </FieldSet>
    </form>
  );
};

export default AppConfig;

const getStyles = (theme: GrafanaTheme2) => ({
  picker: css({ maxWidth: 480 }),
  pre: css({ margin: 0, fontSize: theme.typography.bodySmall.fontSize }),
});

const updatePlugin = async (pluginId: string, data: Partial<PluginMeta>) => {
  const response = getBackendSrv().fetch({ url: `/api/plugins/${pluginId}/settings`, method: 'POST', data });
  return lastValueFrom(response);
};
