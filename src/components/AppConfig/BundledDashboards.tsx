import React, { useState } from 'react';
import { lastValueFrom } from 'rxjs';
import { t } from '@grafana/i18n';
import { getBackendSrv } from '@grafana/runtime';
import { Button, Field, LinkButton, Stack, Text } from '@grafana/ui';

import { PLUGIN_ID } from 'services/plugin';
import { testIds } from 'services/testIds';

import { QueryErrorAlert } from 'components/shared/QueryErrorAlert';
import { useLoader } from 'components/shared/useLoader';

interface Bundled {
  title: string;
  path: string;
  imported: boolean;
  importedUrl: string;
  revision: number;
  importedRevision: number;
}

const fetchBundled = async () =>
  (await lastValueFrom(getBackendSrv().fetch<Bundled[]>({ url: `/api/plugins/${PLUGIN_ID}/dashboards` }))).data;

/** The dashboards bundled with the app (plugin.json includes), imported into this organization on demand. */
export function BundledDashboards() {
  const [tick, setTick] = useState(0);
  const [error, setError] = useState<unknown>();
  const list = useLoader<Bundled[]>(fetchBundled, `bundled-${tick}`);
  const importOne = async (d: Bundled) => {
    try {
      await lastValueFrom(
        getBackendSrv().fetch({
          url: '/api/dashboards/import',
          method: 'POST',
          data: { pluginId: PLUGIN_ID, path: d.path, overwrite: true, inputs: [] },
        })
      );
      setError(undefined);
    } catch (e) {
      setError(e);
    }
    setTick((n) => n + 1);
  };
  return (
    <Field
      label={t('config.dashboards.label', 'Dashboards')}
      description={t(
        'config.dashboards.description',
        'Audit panels on the Attest audit counts datasource (counts only), for any dashboard viewer.'
      )}
    >
      <div data-testid={testIds.appConfig.dashboards}>
        <QueryErrorAlert errors={[list.error, error]} title={t('config.dashboards.error', 'Dashboards')} />
        {(Array.isArray(list.data) ? list.data : []).map((d) => (
          <Stack key={d.path} direction="row" gap={1} alignItems="center">
            <Text>{d.title}</Text>
            {d.imported && (
              <LinkButton size="sm" variant="secondary" fill="text" href={d.importedUrl}>
                {t('config.dashboards.open', 'Open')}
              </LinkButton>
            )}
            <Button size="sm" variant="secondary" onClick={() => importOne(d)}>
              {d.imported
                ? d.importedRevision === d.revision
                  ? t('config.dashboards.reimport', 'Re-import')
                  : t('config.dashboards.update', 'Update')
                : t('config.dashboards.import', 'Import')}
            </Button>
          </Stack>
        ))}
      </div>
    </Field>
  );
}
