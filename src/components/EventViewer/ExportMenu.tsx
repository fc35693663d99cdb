import React, { useState } from 'react';
import { t } from '@grafana/i18n';
import { Alert, Button, Dropdown, Field, Input, Menu, Modal, TextLink } from '@grafana/ui';

import { EXPORT_FORMATS, type ExportFormat, requestExport } from 'services/exportsApi';
import { type AuditFilters } from 'services/filters';
import { type TimeRangeNs } from 'services/page';
import { ROUTES, prefixRoute } from 'services/plugin';
import { testIds } from 'services/testIds';

/** What happened to the last export request: shown under the toolbar by ExportNotice. */
export type ExportOutcome = { started: string } | { error: string };

interface Props {
  filters: AuditFilters;
  range: TimeRangeNs;
  onOutcome: (o: ExportOutcome) => void;
}

/**
 * Export → CSV / JSON / JSON Lines / Excel of exactly what the filters select, made on the server. The
 * user names the export (unnamed: audit-log-<timestamp>, as its file) and is told the file holds
 * personal data.
 */
export function ExportMenu({ filters, range, onOutcome }: Props) {
  const [format, setFormat] = useState<ExportFormat>();
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const start = async () => {
    if (!format) {
      return;
    }
    setBusy(true);
    try {
      const job = await requestExport(name.trim(), format, filters, range);
      onOutcome({ started: job.name });
      setFormat(undefined);
      setName('');
    } catch (e) {
      const data = (e as { data?: { message?: string } })?.data;
      onOutcome({ error: data?.message ?? (e instanceof Error ? e.message : String(e)) });
      setFormat(undefined);
    } finally {
      setBusy(false);
    }
  };

  const menu = (
    <Menu>
      {EXPORT_FORMATS.map((f) => (
        <Menu.Item key={f.value} label={f.label} onClick={() => setFormat(f.value)} />
      ))}
    </Menu>
  );
  const label = EXPORT_FORMATS.find((f) => f.value === format)?.label ?? '';
  return (
    <>
      <Dropdown overlay={menu} placement="bottom-end">
        <Button size="sm" variant="secondary" icon="download-alt" data-testid={testIds.exports.menu}>
          {t('viewer.export', 'Export')}
        </Button>
      </Dropdown>
      <Modal
        title={t('viewer.export-dialog.title', 'Export as {{format}}', { format: label })}
        isOpen={format !== undefined}
        onDismiss={() => setFormat(undefined)}
      >
        <div data-testid={testIds.exports.dialog}>
          <Field
            label={t('viewer.export-dialog.name', 'Name')}
            description={t(
              'viewer.export-dialog.name-help',
              'Shown in the export history and used as the file name. Empty: audit-log-<timestamp>.'
            )}
          >
            <Input
              value={name}
              maxLength={200}
              placeholder="audit-log-<timestamp>"
              onChange={(e) => setName(e.currentTarget.value)}
              data-testid={testIds.exports.name}
            />
          </Field>
          <Alert severity="warning" title={t('viewer.export-dialog.pii-title', 'This file contains personal data')}>
            {t(
              'viewer.export-dialog.pii',
              'Names, e-mail addresses, IP addresses and the actions of the people in the selected events. Store and share it only as your data protection rules allow; the export and every download are recorded in the audit trail.'
            )}
          </Alert>
          <Modal.ButtonRow>
            <Button variant="secondary" fill="outline" onClick={() => setFormat(undefined)}>
              {t('viewer.export-dialog.cancel', 'Cancel')}
            </Button>
            <Button onClick={start} disabled={busy} data-testid={testIds.exports.confirm}>
              {t('viewer.export-dialog.confirm', 'Export')}
            </Button>
          </Modal.ButtonRow>
        </div>
      </Modal>
    </>
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
