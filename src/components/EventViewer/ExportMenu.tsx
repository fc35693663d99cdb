import React from 'react';
import { t } from '@grafana/i18n';
import { Alert, Button, Dropdown, Menu, TextLink } from '@grafana/ui';

import { EXPORT_FORMATS, type ExportFormat, requestExport } from 'services/exportsApi';
import { type AuditFilters } from 'services/filters';
import { type TimeRangeNs } from 'services/paging';
import { ROUTES, prefixRoute } from 'services/plugin';
import { testIds } from 'services/testIds';

/** What happened to the last export request: shown under the toolbar by ExportNotice. */
export type ExportOutcome = { started: string } | { error: string };

interface Props {
  filters: AuditFilters;
  range: TimeRangeNs;
  onOutcome: (o: ExportOutcome) => void;
}

/** Export → CSV / JSON / JSON Lines / Excel of exactly what the filters select, made on the server. */
export function ExportMenu({ filters, range, onOutcome }: Props) {
  const start = async (format: ExportFormat) => {
    const stamp = new Date(Number(BigInt(range.endNs) / BigInt(1_000_000)))
      .toISOString()
      .slice(0, 16)
      .replace('T', ' ');
    try {
      const job = await requestExport(`Audit log until ${stamp} UTC`, format, filters, range);
      onOutcome({ started: job.name });
    } catch (e) {
      const data = (e as { data?: { message?: string } })?.data;
      onOutcome({ error: data?.message ?? (e instanceof Error ? e.message : String(e)) });
    }
  };

  const menu = (
    <Menu>
      {EXPORT_FORMATS.map((f) => (
        <Menu.Item key={f.value} label={f.label} onClick={() => start(f.value)} />
      ))}
    </Menu>
  );
  return (
    <Dropdown overlay={menu} placement="bottom-end">
      <Button size="sm" variant="secondary" icon="download-alt" data-testid={testIds.exports.menu}>
        {t('viewer.export', 'Export')}
      </Button>
    </Dropdown>
  );
}

export function ExportNotice({ outcome, onClose }: { outcome?: ExportOutcome; onClose: () => void }) {
  if (!outcome) {
    return null;
  }
  if ('error' in outcome) {
    return (
      <Alert severity="error" title={t('viewer.export-failed', 'Export refused')} onRemove={onClose}>
        {outcome.error}
      </Alert>
    );
  }
  return (
    <Alert severity="success" title={t('viewer.export-started', 'Export started')} onRemove={onClose}>
      <span data-testid={testIds.exports.started}>
        {outcome.started}: {t('viewer.export-where', 'follow it and download it from')}{' '}
        <TextLink href={prefixRoute(ROUTES.Exports)} inline>
          {t('viewer.export-history', 'Export history')}
        </TextLink>
      </span>
    </Alert>
  );
}
