import React, { useState } from 'react';
import { t } from '@grafana/i18n';
import { Alert, Button, Checkbox, Field, Input, Modal, Stack, TextLink } from '@grafana/ui';

import { ROUTES, prefixRoute } from 'services/plugin';
import { type AuditEvent } from 'services/auditEvent';
import {
  type ReportDraft,
  draftProblems,
  fetchReportTypes,
  generateReport,
  newDraft,
  resourcePackSpec,
} from 'services/reportsApi';
import { testIds } from 'services/testIds';

import { QueryErrorAlert } from 'components/shared/QueryErrorAlert';
import { useLoader } from 'components/shared/useLoader';
import { subjectOf } from './badges';

type Target = Pick<AuditEvent, 'targetType' | 'targetId' | 'targetName' | 'timeMs'>;

/** "Evidence pack for this resource", on an event that names its target. */
export function ResourcePackButton({ event }: { event: Target }) {
  const [open, setOpen] = useState(false);
  if (!event.targetType && !event.targetId) {
    return null;
  }
  return (
    <>
      <Button
        size="sm"
        variant="secondary"
        icon="file-alt"
        onClick={() => setOpen(true)}
        data-testid={testIds.viewer.pack}
      >
        {t('viewer.pack.button', 'Evidence pack for this resource')}
      </Button>
      {open && <ResourcePackModal event={event} onClose={() => setOpen(false)} />}
    </>
  );
}

const DAY_MS = 86_400_000;

/** The pack of one resource's events over a chosen period, as the Reports page generates it. */
function ResourcePackModal({ event, onClose }: { event: Target; onClose: () => void }) {
  const retentionDays = useLoader(fetchReportTypes, 'report-types').data?.retentionDays ?? 365;
  const label = event.targetName || subjectOf(event);
  const [draft, setDraft] = useState<ReportDraft>(() => ({
    ...newDraft(),
    name: `Evidence pack — ${label}`.slice(0, 200),
    startDate: new Date(Math.max(event.timeMs - 30 * DAY_MS, Date.now() - (retentionDays - 1) * DAY_MS))
      .toISOString()
      .slice(0, 10),
  }));
  const [related, setRelated] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [started, setStarted] = useState(false);
  const problems = draftProblems({ ...draft, type: 'Custom' }, retentionDays);

  const submit = async () => {
    if (Object.keys(problems).length > 0) {
      return;
    }
    setBusy(true);
    try {
      await generateReport(resourcePackSpec(draft, event.targetType, event.targetId, related));
      setStarted(true);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal title={t('viewer.pack.title', 'Evidence pack for {{label}}', { label })} isOpen onDismiss={onClose}>
      <QueryErrorAlert errors={[error]} title={t('viewer.pack.error', 'The evidence pack was not started')} />
      {started ? (
        <Alert severity="success" title={t('viewer.pack.started', 'The evidence pack is being generated')}>
          <TextLink href={prefixRoute(ROUTES.Reports)}>{t('viewer.pack.open', 'Open Reports to download it')}</TextLink>
        </Alert>
      ) : (
        <>
          <Field label={t('viewer.pack.name', 'Name')} invalid={!!problems.name} error={problems.name}>
            <Input value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.currentTarget.value })} />
          </Field>
          <Stack direction="row" gap={2}>
            <Field
              label={t('viewer.pack.start', 'Start date (UTC)')}
              invalid={!!problems.startDate}
              error={problems.startDate}
            >
              <Input
                type="date"
                value={draft.startDate}
                onChange={(e) => setDraft({ ...draft, startDate: e.currentTarget.value })}
              />
            </Field>
            <Field
              label={t('viewer.pack.end', 'End date (UTC, included)')}
              invalid={!!problems.endDate}
              error={problems.endDate}
            >
              <Input
                type="date"
                value={draft.endDate}
                onChange={(e) => setDraft({ ...draft, endDate: e.currentTarget.value })}
              />
            </Field>
          </Stack>
          <Checkbox
            value={related}
            onChange={(e) => setRelated(e.currentTarget.checked)}
            label={t('viewer.pack.related', 'Include related events')}
            description={t(
              'viewer.pack.related-help',
              'Every event that shares a request id with an event on {{subject}}.',
              { subject: subjectOf(event) }
            )}
          />
        </>
      )}
      <Modal.ButtonRow>
        <Button variant="secondary" fill="outline" onClick={onClose}>
          {started ? t('viewer.pack.close', 'Close') : t('viewer.pack.cancel', 'Cancel')}
        </Button>
        {!started && (
          <Button onClick={submit} disabled={busy} data-testid={testIds.viewer.packSubmit}>
            {busy ? t('viewer.pack.starting', 'Starting…') : t('viewer.pack.generate', 'Generate pack')}
          </Button>
        )}
      </Modal.ButtonRow>
    </Modal>
  );
}
