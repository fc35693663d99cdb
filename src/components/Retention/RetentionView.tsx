import React, { useState } from 'react';
import { css } from '@emotion/css';
import { type GrafanaTheme2, dateTimeFormat } from '@grafana/data';
import { t } from '@grafana/i18n';
import { Badge, Button, Combobox, Field, IconButton, Input, Stack, Switch, Text, useStyles2 } from '@grafana/ui';

import { CATEGORIES } from 'services/schema.gen';
import {
  type Retention,
  type RetentionPolicy,
  type RetentionRun,
  getRetention,
  saveRetention,
  startRetentionRun,
} from 'services/retentionApi';
import { testIds } from 'services/testIds';

import { QueryErrorAlert } from '../shared/QueryErrorAlert';
import { listTable } from '../shared/listTable';
import { useJobList } from '../shared/useJobList';
import { EraseSubject } from './EraseSubject';

// The view is one item that is "active" while a run goes on: polled like a job list.
const load = async (signal: AbortSignal) => [await getRetention(signal)];
const isRunning = (r: Retention) => r.running;
const nsDay = (ns: number) => dateTimeFormat(ns / 1e6, { format: 'YYYY-MM-DD' });

interface Draft {
  days: string;
  categories: Array<{ category: string; days: string }>;
  archive: boolean;
}

const toDraft = (p: RetentionPolicy): Draft => ({
  days: String(p.days),
  categories: Object.entries(p.categories ?? {}).map(([category, days]) => ({ category, days: String(days) })),
  archive: p.archive,
});

const fromDraft = (d: Draft): RetentionPolicy => ({
  days: Number(d.days),
  categories: Object.fromEntries(d.categories.filter((c) => c.category).map((c) => [c.category, Number(c.days)])),
  archive: d.archive,
});

/** What is wrong with the draft before it is sent (the backend checks the same). */
export function draftProblem(d: Draft, floor: number, max: number): string | undefined {
  const bad = (v: string) => !/^\d+$/.test(v) || Number(v) < floor || Number(v) > max;
  if (bad(d.days)) {
    return t('retention.days-range', 'The window is a whole number of days from {{floor}} to {{max}}.', { floor, max });
  }
  const c = d.categories.find((x) => !x.category || bad(x.days));
  if (c) {
    return c.category
      ? t('retention.category-range', '{{category}}: a whole number of days from {{floor}} to {{max}}.', {
          category: c.category,
          floor,
          max,
        })
      : t('retention.category-missing', 'Pick a category for every row, or remove the row.');
  }
  return undefined;
}

export function RetentionView() {
  const styles = useStyles2(getStyles);
  const state = useJobList<Retention>(load, isRunning);
  const r = state.data?.[0];
  const [edited, setDraft] = useState<Draft>();
  const draft = edited ?? (r ? toDraft(r.policy) : undefined);

  const problem = r && draft ? draftProblem(draft, r.floorDays, r.maxDays) : undefined;
  const save = () => draft && state.act(async () => setDraft(toDraft((await saveRetention(fromDraft(draft))).policy)));
  const used = new Set(draft?.categories.map((c) => c.category));
  const options = CATEGORIES.map((c) => ({ label: c, value: c }));

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
          <Field
            label={t('retention.categories', 'Categories kept for a window of their own')}
            description={t('retention.categories-help', 'For example AUTH for longer than the rest.')}
          >
            <Stack direction="column" gap={1}>
              {draft.categories.map((c, i) => (
                <Stack key={i} direction="row" gap={1} alignItems="center">
                  <Combobox
                    width={24}
                    options={options.filter((o) => o.value === c.category || !used.has(o.value))}
                    value={c.category || null}
                    onChange={(v) => {
                      const next = [...draft.categories];
                      next[i] = { ...c, category: v.value ?? '' };
                      setDraft({ ...draft, categories: next });
                    }}
                    aria-label={t('retention.category', 'Category')}
                  />
                  <Input
                    type="number"
                    width={12}
                    value={c.days}
                    aria-label={t('retention.category-days', 'Days')}
                    onChange={(e) => {
                      const next = [...draft.categories];
                      next[i] = { ...c, days: e.currentTarget.value };
                      setDraft({ ...draft, categories: next });
                    }}
                  />
                  <IconButton
                    name="trash-alt"
                    tooltip={t('retention.remove', 'Remove')}
                    onClick={() => setDraft({ ...draft, categories: draft.categories.filter((_, j) => j !== i) })}
                  />
                </Stack>
              ))}
              <div>
                <Button
                  size="sm"
                  variant="secondary"
                  icon="plus"
                  onClick={() =>
                    setDraft({ ...draft, categories: [...draft.categories, { category: '', days: draft.days }] })
                  }
                >
                  {t('retention.add-category', 'Add a category')}
                </Button>
              </div>
            </Stack>
          </Field>
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

function RunsTable({ runs, className }: { runs: RetentionRun[]; className: string }) {
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

const getStyles = (theme: GrafanaTheme2) => ({
  table: css({ ...listTable(theme), marginTop: theme.spacing(1) }),
});
