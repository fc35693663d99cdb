import React, { useState } from 'react';
import { css } from '@emotion/css';
import { type GrafanaTheme2, dateTimeFormat } from '@grafana/data';
import { t } from '@grafana/i18n';
import { Badge, ConfirmButton, Stack, Text, Tooltip, useStyles2 } from '@grafana/ui';

import { STATUS_COLOR } from 'services/jobs';
import { type ReportSchedule, STATUS_LABEL, deleteSchedule, listSchedules } from 'services/reportsApi';
import { testIds } from 'services/testIds';

import { QueryErrorAlert } from 'components/shared/QueryErrorAlert';
import { listTable } from 'components/shared/listTable';
import { useLoader } from 'components/shared/useLoader';

interface Props {
  /** Changes when a schedule was made elsewhere on the page. */
  reloadKey: number;
  typeName: (id?: string) => string;
}

const EVERY_LABEL = { monthly: 'Monthly', quarterly: 'Quarterly' };

/** The report schedules: what each runs, whom it tells, its next run and its latest runs. */
export function ScheduleList({ reloadKey, typeName }: Props) {
  const styles = useStyles2(getStyles);
  const [deleted, setDeleted] = useState(0);
  const [actionError, setActionError] = useState<unknown>();
  const schedules = useLoader(listSchedules, `schedules-${reloadKey}-${deleted}`);
  const list = schedules.data ?? [];
  if (list.length === 0 && !schedules.error) {
    return null;
  }
  const remove = async (s: ReportSchedule) => {
    try {
      await deleteSchedule(s.id);
      setDeleted((n) => n + 1);
    } catch (e) {
      setActionError(e);
    }
  };
  return (
    <div className={styles.wrap} data-testid={testIds.reports.schedules}>
      <Text element="h3">{t('reports.schedules', 'Scheduled reports')}</Text>
      <QueryErrorAlert errors={[schedules.error, actionError]} />
      <table className={styles.table}>
        <thead>
          <tr>
            {['Name', 'Type', 'Repeats', 'Notifies', 'Next run', 'Latest runs', 'Created by', ''].map((h) => (
              <th key={h}>{h}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {list.map((s) => (
            <tr key={s.id} data-testid={testIds.reports.scheduleRow}>
              <td>{s.name}</td>
              <td>{typeName(s.spec.type)}</td>
              <td>{EVERY_LABEL[s.every]}</td>
              <td>{s.contactPoints.join(', ')}</td>
              <td>
                {s.nextPeriod}
                <Text variant="bodySmall" color="secondary" element="p">
                  {dateTimeFormat(s.nextRunAt, { timeZone: 'utc', format: 'YYYY-MM-DD HH:mm' })} UTC
                </Text>
              </td>
              <td>
                <Stack direction="row" gap={0.5} wrap="wrap">
                  {s.runs.length === 0 && '—'}
                  {s.runs.map((r) => (
                    <Tooltip
                      key={r.jobId}
                      content={[
                        r.error,
                        r.notified
                          ? t('reports.notified', 'Contact points notified')
                          : r.notifyError || t('reports.not-notified', 'Not notified yet'),
                      ]
                        .filter(Boolean)
                        .join(' · ')}
                    >
                      <span>
                        <Badge
                          text={`${r.period}: ${r.status ? STATUS_LABEL[r.status] : '…'}`}
                          color={r.status ? STATUS_COLOR[r.status] : 'darkgrey'}
                          icon={r.notified ? 'bell' : undefined}
                        />
                      </span>
                    </Tooltip>
                  ))}
                </Stack>
              </td>
              <td>{s.createdBy}</td>
              <td>
                <ConfirmButton
                  size="sm"
                  confirmText={t('reports.unschedule-confirm', 'Delete schedule')}
                  confirmVariant="destructive"
                  onConfirm={() => remove(s)}
                >
                  {t('reports.unschedule', 'Delete')}
                </ConfirmButton>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  wrap: css({ margin: theme.spacing(2, 0) }),
  table: css(listTable(theme)),
});
