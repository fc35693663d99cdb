import React from 'react';
import { t } from '@grafana/i18n';
import { Alert, Button, Combobox, Field, Input, Modal, MultiCombobox, Stack } from '@grafana/ui';

import { CUSTOM, type ReportTypes } from 'services/reportsApi';
import { CATEGORIES } from 'services/schema.gen';
import { testIds } from 'services/testIds';

import { QueryErrorAlert } from 'components/shared/QueryErrorAlert';
import { ScheduleFields } from './ScheduleFields';
import { useReportDraft } from './useReportDraft';

interface Props {
  types: ReportTypes;
  onClose: () => void;
  onGenerated: () => void;
}

/** The seeds' Generate Report flow: type, name, start and end date, then Generate. */
export function GenerateReportModal({ types, onClose, onGenerated }: Props) {
  const { draft, setDraft, schedule, setSchedule, once, shown, type, busy, error, submit } = useReportDraft(
    types,
    onGenerated
  );

  return (
    <Modal title={t('reports.generate-title', 'Generate report')} isOpen onDismiss={onClose}>
      <QueryErrorAlert errors={[error]} title={t('reports.generate-error', 'The report was not started')} />
      <Field
        label={t('reports.type', 'Report type')}
        description={type ? `${type.title}: ${type.description}` : undefined}
        invalid={!!shown.type}
        error={shown.type}
      >
        <Combobox
          options={types.types.map((x) => ({ label: x.name, value: x.id, description: x.title }))}
          value={draft.type}
          onChange={(v) => setDraft({ ...draft, type: v.value })}
          data-testid={testIds.reports.type}
        />
      </Field>
      <Field
        label={t('reports.name', 'Report name')}
        description={t('reports.name-help', 'Describe the scope, e.g. "Q1 2026 SOX Audit".')}
        invalid={!!shown.name}
        error={shown.name}
      >
        <Input
          value={draft.name}
          onChange={(e) => setDraft({ ...draft, name: e.currentTarget.value })}
          data-testid={testIds.reports.name}
        />
      </Field>
      <ScheduleFields value={schedule} onChange={setSchedule} />
      {once && (
        <Stack direction="row" gap={2}>
          <Field label={t('reports.start', 'Start date (UTC)')} invalid={!!shown.startDate} error={shown.startDate}>
            <Input
              type="date"
              value={draft.startDate}
              onChange={(e) => setDraft({ ...draft, startDate: e.currentTarget.value })}
              data-testid={testIds.reports.start}
            />
          </Field>
          <Field label={t('reports.end', 'End date (UTC, included)')} invalid={!!shown.endDate} error={shown.endDate}>
            <Input
              type="date"
              value={draft.endDate}
              onChange={(e) => setDraft({ ...draft, endDate: e.currentTarget.value })}
              data-testid={testIds.reports.end}
            />
          </Field>
        </Stack>
      )}
      {draft.type === CUSTOM && (
        <>
          <Field
            label={t('reports.categories', 'Categories')}
            description={t('reports.categories-help', 'None: every category.')}
          >
            <MultiCombobox
              options={CATEGORIES.map((c) => ({ label: c, value: c }))}
              value={draft.categories}
              onChange={(v) => setDraft({ ...draft, categories: v.map((o) => o.value) })}
            />
          </Field>
          <Field
            label={t('reports.event-types', 'Event types')}
            description={t('reports.event-types-help', 'Comma-separated, exact (user.role.changed). None: every type.')}
          >
            <Input
              value={draft.eventTypes}
              onChange={(e) => setDraft({ ...draft, eventTypes: e.currentTarget.value })}
            />
          </Field>
          <Field
            label={t('reports.actors', 'Actors')}
            description={t('reports.actors-help', 'Comma-separated actor ids. None: every actor.')}
          >
            <Input value={draft.actors} onChange={(e) => setDraft({ ...draft, actors: e.currentTarget.value })} />
          </Field>
        </>
      )}
      {type && type.controls.length > 0 && (
        <Alert severity="info" title={t('reports.controls', '{{n}} controls mapped', { n: type.controls.length })}>
          {type.controls.map((c) => c.id).join(' · ')}
        </Alert>
      )}
      <Modal.ButtonRow>
        <Button variant="secondary" fill="outline" onClick={onClose}>
          {t('reports.cancel', 'Cancel')}
        </Button>
        <Button onClick={submit} disabled={busy} data-testid={testIds.reports.submit}>
          {busy
            ? t('reports.starting', 'Starting…')
            : once
              ? t('reports.generate', 'Generate')
              : t('reports.schedule', 'Schedule')}
        </Button>
      </Modal.ButtonRow>
    </Modal>
  );
}
