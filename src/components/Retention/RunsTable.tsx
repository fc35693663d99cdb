import React from 'react';
import { dateTimeFormat } from '@grafana/data';
import { t } from '@grafana/i18n';
import { Badge, Text } from '@grafana/ui';

import { type RetentionRun } from 'services/retentionApi';
import { testIds } from 'services/testIds';

const nsDay = (ns: number) => dateTimeFormat(ns / 1e6, { format: 'YYYY-MM-DD' });

/** The latest runs: trigger, status and why, what fell past each window, and the archive. */
export function RunsTable({ runs, className }: { runs: RetentionRun[]; className: string }) {
  if (runs.length === 0) {
    return <Text color="secondary">{t('retention.no-runs', 'No retention run yet.')}</Text>;
  }
  return (
    <table className={className}>
      <thead>
        <tr>
          {['Run', 'Trigger', 'Status', 'Past the window', 'Cutoff', 'Archive'].map((h) => (
            <th key={h}>{h}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => (
          <tr key={run.id} data-testid={testIds.retention.row}>
            <td>{dateTimeFormat(run.at)}</td>
            <td>{run.trigger}</td>
            <td>
              <Badge
                text={run.status}
                color={run.status === 'ok' ? 'green' : run.status === 'refused' ? 'orange' : 'red'}
                tooltip={run.message}
              />
              {run.message && (
                <Text variant="bodySmall" color="error" element="p">
                  {run.message}
                </Text>
              )}
            </td>
            <td>{run.rows.toLocaleString()}</td>
            <td>
              {run.segments.map((s) => (
                <div key={s.category ?? ''}>
                  {s.category ?? t('retention.all', 'all')}: {nsDay(s.cutoffNs)} ({s.days} d)
                </div>
              ))}
            </td>
            <td>
              {run.archive ? (
                <Text variant="bodySmall">
                  {run.archive.location} · {run.archive.rows.toLocaleString()} rows · SHA-256{' '}
                  {run.archive.sha256.slice(0, 12)}…
                </Text>
              ) : (
                '—'
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
