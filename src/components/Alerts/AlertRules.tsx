import React, { useState } from 'react';
import { css } from '@emotion/css';
import { type GrafanaTheme2 } from '@grafana/data';
import { t } from '@grafana/i18n';
import { Alert, Button, EmptyState, LoadingBar, Stack, useStyles2 } from '@grafana/ui';

import {
  type AlertList,
  type AlertRule,
  type AlertRuleInput,
  type TestResult,
  createAlert,
  deleteAlert,
  enableStarter,
  listAlerts,
  listContactPoints,
  setAlertActive,
  testAlert,
  updateAlert,
} from 'services/alertsApi';
import { testIds } from 'services/testIds';

import { QueryErrorAlert } from 'components/shared/QueryErrorAlert';
import { useLoader } from 'components/shared/useLoader';
import { AlertForm } from './AlertForm';
import { AlertsTable } from './AlertsTable';
import { StarterRules } from './StarterRules';
import { TestResults } from './TestResults';

type Editing = { uid?: string; rule?: AlertRuleInput } | undefined;

export function AlertRules() {
  const styles = useStyles2(getStyles);
  const [tick, setTick] = useState(0);
  const [editing, setEditing] = useState<Editing>();
  const [actionError, setActionError] = useState<unknown>();
  const [tested, setTested] = useState<{ name: string; delivered: boolean; results: TestResult[] }>();
  const list = useLoader<AlertList>(listAlerts, `alerts-${tick}`);
  const contactPoints = useLoader(listContactPoints, `cps-${tick}`);
  const reload = () => setTick((n) => n + 1);

  const act = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
      setActionError(undefined);
    } catch (e) {
      setActionError(e);
    }
    reload();
  };

  const save = async (rule: AlertRuleInput) => {
    if (editing?.uid) {
      await updateAlert(editing.uid, rule);
    } else {
      await createAlert(rule);
    }
    setEditing(undefined);
    reload();
  };

  const runTest = (r: AlertRule) =>
    act(async () => {
      setTested(undefined);
      const res = await testAlert(r.uid);
      setTested({ name: r.name, ...res });
    });

  const rules = list.data?.rules ?? [];
  return (
    <div data-testid={testIds.alerts.container}>
      <Stack direction="row" justifyContent="flex-end">
        <Button icon="plus" onClick={() => setEditing({})} data-testid={testIds.alerts.create}>
          {t('alerts.create', 'Create alert')}
        </Button>
      </Stack>
      <div className={styles.loading}>{list.isLoading && <LoadingBar width={400} />}</div>
      <QueryErrorAlert errors={[list.error, actionError]} title={t('alerts.error', 'Audit alerts')} />
      {list.data?.historyError && (
        <Alert severity="warning" title={t('alerts.history-error', 'Trigger history unavailable')}>
          {list.data.historyError}
        </Alert>
      )}
      {tested && <TestResults {...tested} onDismiss={() => setTested(undefined)} />}
      {!list.isLoading && !list.error && rules.length === 0 ? (
        <EmptyState variant="call-to-action" message={t('alerts.empty', 'No alert rules yet')}>
          {t('alerts.empty-help', 'Create one, or enable a starter rule below.')}
        </EmptyState>
      ) : (
        <AlertsTable
          rules={rules}
          onEdit={(r) => setEditing({ uid: r.uid, rule: r })}
          onActive={(r, active) => act(() => setAlertActive(r.uid, active))}
          onTest={runTest}
          onDelete={(r) => act(() => deleteAlert(r.uid))}
        />
      )}
      <StarterRules
        starters={list.data?.starters ?? []}
        onEnable={(s) => act(() => enableStarter(s.starter!, []))}
        defaultContactPoint={contactPoints.data?.default}
      />
      {editing && (
        <AlertForm
          initial={editing.rule}
          isNew={!editing.uid}
          contactPoints={contactPoints.data?.contactPoints ?? []}
          onContactPointCreated={reload}
          onSave={save}
          onDismiss={() => setEditing(undefined)}
        />
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  loading: css({ height: 2, margin: theme.spacing(1, 0) }),
});
