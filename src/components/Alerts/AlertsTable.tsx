import React from 'react';
import { css } from '@emotion/css';
import { type GrafanaTheme2, dateTimeFormat } from '@grafana/data';
import { t } from '@grafana/i18n';
import { Badge, Button, ConfirmButton, Stack, Switch, Text, useStyles2 } from '@grafana/ui';

import { type AlertRule, describeCondition } from 'services/alertsApi';
import { testIds } from 'services/testIds';

import { listTable } from 'components/shared/listTable';

interface Props {
  rules: AlertRule[];
  onEdit: (r: AlertRule) => void;
  onActive: (r: AlertRule, active: boolean) => void;
  onTest: (r: AlertRule) => void;
  onDelete: (r: AlertRule) => void;
}

const SEVERITY_COLOR = { CRITICAL: 'red', ERROR: 'orange', WARNING: 'purple', INFO: 'darkgrey' } as const;

/** The seeds' table: name, categories, severity threshold, channels, status, last triggered, count. */
export function AlertsTable({ rules, onEdit, onActive, onTest, onDelete }: Props) {
  const styles = useStyles2(getStyles);
  const headers = [
    t('alerts.col.name', 'Name'),
    t('alerts.col.categories', 'Categories'),
    t('alerts.col.severity', 'Severity threshold'),
    t('alerts.col.channels', 'Notification channels'),
    t('alerts.col.status', 'Status'),
    t('alerts.col.last', 'Last triggered'),
    t('alerts.col.count', 'Trigger count'),
    '',
  ];
  return (
    <table className={styles.table} data-testid={testIds.alerts.table}>
      <thead>
        <tr>
          {headers.map((h) => (
            <th key={h}>{h}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rules.map((r) => (
          <tr key={r.uid} data-testid={testIds.alerts.row}>
            <td>
              <div>{r.name}</div>
              <Text color="secondary" variant="bodySmall">
                {describeCondition(r)}
              </Text>
            </td>
            <td>{r.categories.length === 14 ? t('alerts.all-categories', 'All') : r.categories.join(', ')}</td>
            <td>
              <Badge text={r.severity === 'INFO' ? 'Any' : `${r.severity}+`} color={SEVERITY_COLOR[r.severity]} />
            </td>
            <td>{r.contactPoints.join(', ')}</td>
            <td>
              <Stack direction="row" gap={1} alignItems="center">
                <Switch
                  value={r.active}
                  onChange={() => onActive(r, !r.active)}
                  aria-label={`${r.active ? 'Pause' : 'Activate'} ${r.name}`}
                  data-testid={testIds.alerts.active}
                />
                {!r.active ? (
                  <Text color="secondary">{t('alerts.paused', 'Paused')}</Text>
                ) : r.firing ? (
                  <Badge text={t('alerts.firing', 'Firing')} color="red" icon="fire" />
                ) : (
                  <Text color="secondary">{t('alerts.active', 'Active')}</Text>
                )}
              </Stack>
            </td>
            <td>{r.lastTriggered ? dateTimeFormat(r.lastTriggered) : t('alerts.never', 'Never')}</td>
            <td>{r.triggerCount.toLocaleString()}</td>
            <td>
              <Stack direction="row" gap={1}>
                <Button size="sm" variant="secondary" onClick={() => onEdit(r)} data-testid={testIds.alerts.edit}>
                  {t('alerts.edit', 'Edit')}
                </Button>
                <Button size="sm" variant="secondary" onClick={() => onTest(r)} data-testid={testIds.alerts.test}>
                  {t('alerts.test', 'Test')}
                </Button>
                <ConfirmButton
                  size="sm"
                  confirmText={t('alerts.delete-confirm', 'Delete')}
                  confirmVariant="destructive"
                  onConfirm={() => onDelete(r)}
                >
                  {t('alerts.delete', 'Delete')}
                </ConfirmButton>
              </Stack>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  table: css({ ...listTable(theme), margin: theme.spacing(1, 0, 3) }),
});
