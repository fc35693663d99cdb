import React from 'react';
import { css } from '@emotion/css';
import { type GrafanaTheme2, dateTimeFormat } from '@grafana/data';
import { t } from '@grafana/i18n';
import { Badge, Button, ConfirmButton, EmptyState, LinkButton, LoadingBar, Stack, Text, useStyles2 } from '@grafana/ui';

import {
  type ExportJob,
  cancelExport,
  deleteExport,
  describeFilters,
  downloadUrl,
  formatBytes,
  listExports,
  manifestUrl,
} from 'services/exportsApi';
import { STATUS_COLOR, isActive } from 'services/jobs';
import { testIds } from 'services/testIds';

import { QueryErrorAlert } from 'components/shared/QueryErrorAlert';
import { listTable } from 'components/shared/listTable';
import { useJobList } from 'components/shared/useJobList';

export function ExportHistory() {
  const styles = useStyles2(getStyles);
  const jobs = useJobList<ExportJob>(listExports, isActive);
  const { actionError } = jobs;
  const act = (fn: () => Promise<unknown>) => () => jobs.act(fn);

  const list = jobs.data ?? [];
  return (
    <div data-testid={testIds.exports.container}>
      <div className={styles.loading}>{jobs.isLoading && <LoadingBar width={400} />}</div>
      <QueryErrorAlert errors={[jobs.error, actionError]} />
      {!jobs.isLoading && list.length === 0 ? (
        <EmptyState variant="call-to-action" message={t('exports.empty', 'No exports yet')}>
          {t('exports.empty-help', 'Export from the Event viewer: the file is made on the server and listed here.')}
        </EmptyState>
      ) : (
        <table className={styles.table} data-testid={testIds.exports.table}>
          <thead>
            <tr>
              {['Name', 'Format', 'Filters', 'Requested by', 'Created', 'Status', 'Rows', 'Size', 'SHA-256', ''].map(
                (h) => (
                  <th key={h}>{h}</th>
                )
              )}
            </tr>
          </thead>
          <tbody>
            {list.map((j) => (
              <tr key={j.id} data-testid={testIds.exports.row}>
                <td>{j.name}</td>
                <td>{j.format.toUpperCase()}</td>
                <td>
                  <Text color="secondary">{describeFilters(j.params)}</Text>
                </td>
                <td>{j.requestedBy}</td>
                <td>{dateTimeFormat(j.created)}</td>
                <td>
                  <Badge text={j.status} color={STATUS_COLOR[j.status]} tooltip={j.error} />
                </td>
                <td>{j.rows.toLocaleString()}</td>
                <td>{formatBytes(j.size)}</td>
                <td>
                  <code className={styles.hash} title={j.sha256}>
                    {j.sha256 ? `${j.sha256.slice(0, 12)}…` : '—'}
                  </code>
                </td>
                <td>
                  <Stack direction="row" gap={1}>
                    {j.status === 'completed' && (
                      <>
                        <LinkButton
                          size="sm"
                          icon="download-alt"
                          href={downloadUrl(j.id)}
                          data-testid={testIds.exports.download}
                        >
                          {t('exports.download', 'Download')}
                        </LinkButton>
                        <LinkButton size="sm" variant="secondary" href={manifestUrl(j.id)} target="_blank">
                          {t('exports.manifest', 'Signed manifest')}
                        </LinkButton>
                      </>
                    )}
                    {isActive(j) && (
                      <Button size="sm" variant="secondary" onClick={act(() => cancelExport(j.id))}>
                        {t('exports.cancel', 'Cancel')}
                      </Button>
                    )}
                    <ConfirmButton
                      size="sm"
                      confirmText={t('exports.delete-confirm', 'Delete')}
                      confirmVariant="destructive"
                      onConfirm={act(() => deleteExport(j.id))}
                    >
                      {t('exports.delete', 'Delete')}
                    </ConfirmButton>
                  </Stack>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  loading: css({ height: 2, margin: theme.spacing(1, 0) }),
  table: css(listTable(theme)),
  hash: css({ fontSize: theme.typography.bodySmall.fontSize }),
});
