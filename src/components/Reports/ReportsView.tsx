import React, { useState } from 'react';
import { css } from '@emotion/css';
import { type GrafanaTheme2 } from '@grafana/data';
import { t } from '@grafana/i18n';
import { Button, Checkbox, ConfirmModal, EmptyState, LoadingBar, Stack, useStyles2 } from '@grafana/ui';

import { type ReportJob, deleteReports, fetchReportTypes, isGenerating, listReports } from 'services/reportsApi';
import { testIds } from 'services/testIds';

import { QueryErrorAlert } from 'components/shared/QueryErrorAlert';
import { listTable } from 'components/shared/listTable';
import { useJobList } from 'components/shared/useJobList';
import { useLoader } from 'components/shared/useLoader';
import { GenerateReportModal } from './GenerateReportModal';
import { ReportRow } from './ReportRow';
import { ScheduleList } from './ScheduleList';

export function ReportsView() {
  const styles = useStyles2(getStyles);
  const reports = useJobList<ReportJob>(listReports, isGenerating);
  const types = useLoader(fetchReportTypes, 'report-types');
  const [generating, setGenerating] = useState(false);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [confirmBulk, setConfirmBulk] = useState(false);
  const [scheduled, setScheduled] = useState(0);
  // A schedule's notice links here with ?report=<id>: that report is marked.
  const [linked] = useState(() => new URLSearchParams(window.location.search).get('report'));

  const list = reports.data ?? [];
  const chosen = list.filter((r) => selected.has(r.id)).map((r) => r.id);
  const typeName = (id?: string) => types.data?.types.find((x) => x.id === id)?.name ?? id ?? '';
  const toggle = (id: string) =>
    setSelected((s) => {
      const next = new Set(s);
      next.has(id) ? next.delete(id) : next.add(id);
      return next;
    });
  const all = list.length > 0 && chosen.length === list.length;

  return (
    <div data-testid={testIds.reports.container}>
      <Stack direction="row" gap={1} justifyContent="space-between">
        <Button
          icon="file-alt"
          onClick={() => setGenerating(true)}
          disabled={!types.data}
          data-testid={testIds.reports.generate}
        >
          {t('reports.generate-report', 'Generate Report')}
        </Button>
        <Button
          variant="destructive"
          icon="trash-alt"
          disabled={chosen.length === 0}
          onClick={() => setConfirmBulk(true)}
          data-testid={testIds.reports.bulkDelete}
        >
          {t('reports.delete-n', 'Delete ({{n}})', { n: chosen.length })}
        </Button>
      </Stack>
      <ScheduleList reloadKey={scheduled} typeName={typeName} />
      <div className={styles.loading}>{reports.isLoading && <LoadingBar width={400} />}</div>
      <QueryErrorAlert errors={[reports.error, types.error, reports.actionError]} />
      {!reports.isLoading && list.length === 0 ? (
        <EmptyState variant="call-to-action" message={t('reports.empty', 'No compliance reports yet')}>
          {t(
            'reports.empty-help',
            'Generate one for SOX, GDPR, HIPAA, ISO 27001, PCI DSS or a custom selection: an evidence pack with a PDF summary, the events and a signed manifest.'
          )}
        </EmptyState>
      ) : (
        <table className={styles.table} data-testid={testIds.reports.table}>
          <thead>
            <tr>
              <th>
                <Checkbox
                  value={all}
                  indeterminate={chosen.length > 0 && !all}
                  aria-label={t('reports.select-all', 'Select all')}
                  onChange={() => setSelected(all ? new Set() : new Set(list.map((r) => r.id)))}
                />
              </th>
              {['Name', 'Type', 'Period', 'Status', 'Created by', 'Created', 'Events', 'Size', ''].map((h) => (
                <th key={h}>{h}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {list.map((r) => (
              <ReportRow
                key={r.id}
                report={r}
                typeName={typeName}
                selected={selected.has(r.id)}
                linked={r.id === linked}
                onToggle={() => toggle(r.id)}
                act={reports.act}
              />
            ))}
          </tbody>
        </table>
      )}
      {generating && types.data && (
        <GenerateReportModal
          types={types.data}
          onClose={() => setGenerating(false)}
          onGenerated={() => {
            setGenerating(false);
            setScheduled((n) => n + 1);
            reports.act(async () => undefined);
          }}
        />
      )}
      <ConfirmModal
        isOpen={confirmBulk}
        title={t('reports.bulk-title', 'Delete {{n}} reports', { n: chosen.length })}
        body={t(
          'reports.bulk-body',
          'The reports and their files are deleted. Each deletion is recorded in the audit trail.'
        )}
        confirmText={t('reports.delete-n', 'Delete ({{n}})', { n: chosen.length })}
        onConfirm={() => {
          setConfirmBulk(false);
          reports.act(async () => {
            await deleteReports(chosen);
            setSelected(new Set());
          });
        }}
        onDismiss={() => setConfirmBulk(false)}
      />
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  loading: css({ height: 2, margin: theme.spacing(1, 0) }),
  table: css(listTable(theme)),
});
