import React, { useState } from 'react';
import { css } from '@emotion/css';
import { type GrafanaTheme2, dateTimeFormat } from '@grafana/data';
import { t } from '@grafana/i18n';
import { Button, Field, Input, Stack, Switch, Text, useStyles2 } from '@grafana/ui';

import { type Retention, getRetention, saveRetention, startRetentionRun } from 'services/retentionApi';
import { testIds } from 'services/testIds';

import { QueryErrorAlert } from 'components/shared/QueryErrorAlert';
import { listTable } from 'components/shared/listTable';
import { useJobList } from 'components/shared/useJobList';
import { CategoryWindows } from './CategoryWindows';
import { type Draft, draftProblem, fromDraft, toDraft } from './draft';
import { EraseSubject } from './EraseSubject';
import { RunsTable } from './RunsTable';

// The view is one item that is "active" while a run goes on: polled like a job list.
const load = async (signal: AbortSignal) => [await getRetention(signal)];
const isRunning = (r: Retention) => r.running;

export function RetentionView() {
  const styles = useStyles2(getStyles);
  const state = useJobList<Retention>(load, isRunning);
  const r = state.data?.[0];
  const [edited, setDraft] = useState<Draft>();
  const draft = edited ?? (r ? toDraft(r.policy) : undefined);

  const problem = r && draft ? draftProblem(draft, r.floorDays, r.maxDays) : undefined;
  const save = () => draft && state.act(async () => setDraft(toDraft((await saveRetention(fromDraft(draft))).policy)));

  return (
    <div data-testid={testIds.retention.container}>
      <QueryErrorAlert errors={[state.error, state.actionError]} title={t('retention.error', 'Retention')} />
      {r && draft && (
        <Stack direction="column" gap={2}>
          <Text color="secondary" element="p">
            {t(
              'retention.help',
              'Entries are never edited or deleted one by one: Loki drops whole chunks once they are past the window. Every night at {{at}} UTC a run counts what fell past the window, archives it when the archive is on, and records itself in the trail under the System actor. A night the server was down is caught up at the next start.',
              { at: r.pruneAt }
            )}
          </Text>
          <Field
            label={t('retention.window', 'Retention window (days)')}
            description={t('retention.window-help', 'At least {{floor}} days (a hard floor), at most {{max}}.', {
              floor: r.floorDays,
              max: r.maxDays,
            })}
            invalid={problem !== undefined}
            error={problem}
          >
            <Input
              type="number"
              width={16}
              value={draft.days}
              onChange={(e) => setDraft({ ...draft, days: e.currentTarget.value })}
              data-testid={testIds.retention.days}
            />
          </Field>
          <CategoryWindows draft={draft} setDraft={setDraft} />
          <Field
            label={t('retention.archive', 'Long-term archive')}
            description={
              <>
                {t(
                  'retention.archive-help',
                  'Entries past the window are written here (gzip JSON Lines with a signed manifest) before Loki drops them; Loki keeps them two days longer meanwhile:'
                )}{' '}
                <code>{r.archiveLocation}</code>
              </>
            }
          >
            <Switch
              value={draft.archive}
              onChange={(e) => setDraft({ ...draft, archive: e.currentTarget.checked })}
              data-testid={testIds.retention.archive}
            />
          </Field>
          <Stack direction="row" gap={1} alignItems="center">
            <Button onClick={save} disabled={problem !== undefined} data-testid={testIds.retention.save}>
              {t('retention.save', 'Save')}
            </Button>
            <Button
              variant="secondary"
              icon="play"
              onClick={() => state.act(startRetentionRun)}
              disabled={r.running}
              data-testid={testIds.retention.run}
            >
              {r.running ? t('retention.running', 'Running…') : t('retention.run', 'Run now')}
            </Button>
            <Text color="secondary" variant="bodySmall">
              {r.stored
                ? t('retention.stored', 'Set by {{who}} on {{when}}; Loki keeps {{days}} days.', {
                    who: r.updatedBy,
                    when: r.updatedAt ? dateTimeFormat(r.updatedAt) : '',
                    days: r.lokiDays,
                  })
                : t('retention.default', 'The default window; nothing set for this tenant yet.')}
              {!r.applied &&
                ` ${t('retention.not-applied', 'The server has no loki_overrides_file: windows cannot reach Loki.')}`}
            </Text>
          </Stack>
          <RunsTable runs={r.runs} className={styles.table} />
          <EraseSubject />
        </Stack>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  table: css({ ...listTable(theme), marginTop: theme.spacing(1) }),
});
