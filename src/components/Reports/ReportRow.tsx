import React from 'react';
import { css } from '@emotion/css';
import { type GrafanaTheme2, dateTimeFormat } from '@grafana/data';
import { t } from '@grafana/i18n';
import { Badge, Button, Checkbox, ConfirmButton, LinkButton, Stack, Text, useStyles2 } from '@grafana/ui';

import { formatBytes } from 'services/exportsApi';
import { STATUS_COLOR } from 'services/jobs';
import {
  type ReportJob,
  STATUS_LABEL,
  deleteReport,
  describePeriod,
  reportDownloadUrl,
  retryReport,
  specOf,
} from 'services/reportsApi';
import { testIds } from 'services/testIds';

interface Props {
  report: ReportJob;
  typeName: (id?: string) => string;
  selected: boolean;
  /** The report a schedule's notice linked to. */
  linked: boolean;
  onToggle: () => void;
  act: (action: () => Promise<unknown>) => void;
}

/** One report: its request, state, and what can be done with it. */
export function ReportRow({ report: r, typeName, selected, linked, onToggle, act }: Props) {
  const styles = useStyles2(getStyles);
  const spec = specOf(r);
  return (
    <tr
      data-testid={testIds.reports.row}
      className={linked ? styles.linked : undefined}
      aria-current={linked ? 'true' : undefined}
    >
      <td>
        <Checkbox
          value={selected}
          onChange={onToggle}
          aria-label={t('reports.select', 'Select {{name}}', { name: r.name })}
        />
      </td>
      <td>{r.name}</td>
      <td>
        {typeName(spec?.type)}
        {spec?.targetId && (
          <Text variant="bodySmall" color="secondary" element="p">
            {`${spec.targetType ?? ''} #${spec.targetId}${spec.related ? ' + related' : ''}`}
          </Text>
        )}
      </td>
      <td>{describePeriod(spec)}</td>
      <td>
        <Badge text={STATUS_LABEL[r.status]} color={STATUS_COLOR[r.status]} />
        {r.status === 'running' && (
          <Text variant="bodySmall" color="secondary" element="p">
            {t('reports.read', '{{n}} events read', { n: r.rows.toLocaleString() })}
          </Text>
        )}
        {r.error && (
          <Text variant="bodySmall" color="error" element="p">
            {r.error}
          </Text>
        )}
      </td>
      <td>{r.requestedBy}</td>
      <td>{dateTimeFormat(r.created)}</td>
      <td>{r.status === 'completed' ? r.rows.toLocaleString() : '—'}</td>
      <td>{r.status === 'completed' ? formatBytes(r.size) : '—'}</td>
      <td>
        <Stack direction="row" gap={1}>
          {r.status === 'completed' && (
            <>
              <LinkButton
                size="sm"
                icon="download-alt"
                href={reportDownloadUrl(r.id, 'zip')}
                tooltip={t('reports.zip-help', 'Evidence pack: PDF, events.jsonl, events.csv, signed manifest')}
                data-testid={testIds.reports.download}
              >
                {t('reports.download', 'Download')}
              </LinkButton>
              <LinkButton size="sm" variant="secondary" href={reportDownloadUrl(r.id, 'pdf')}>
                PDF
              </LinkButton>
            </>
          )}
          {(r.status === 'failed' || r.status === 'canceled') && (
            <Button size="sm" variant="secondary" icon="sync" onClick={() => act(() => retryReport(r.id))}>
              {t('reports.retry', 'Retry')}
            </Button>
          )}
          <ConfirmButton
            size="sm"
            confirmText={t('reports.delete-confirm', 'Delete')}
            confirmVariant="destructive"
            onConfirm={() => act(() => deleteReport(r.id))}
          >
            {t('reports.delete', 'Delete')}
          </ConfirmButton>
        </Stack>
      </td>
    </tr>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  linked: css({ background: theme.colors.action.selected }),
});
