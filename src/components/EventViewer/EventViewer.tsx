import React, { useCallback, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { css } from '@emotion/css';
import { type GrafanaTheme2 } from '@grafana/data';
import { t } from '@grafana/i18n';
import { Button, EmptyState, InlineSwitch, LoadingBar, Stack, Text, useStyles2 } from '@grafana/ui';

import { type AuditFilters, defaultFilters } from 'services/filters';
import { testIds } from 'services/testIds';
import { type ViewerState, stateFromSearchParams, stateToSearchParams } from 'services/urlState';
import { DEFAULT_TIME_RANGE } from '../../constants';

import { useAppContext } from 'app/AppContext';
import { QueryErrorAlert } from 'components/shared/QueryErrorAlert';
import { EventDetails } from './EventDetails';
import { EventsTable } from './EventsTable';
import { type ExportOutcome, ExportMenu, ExportNotice } from './ExportMenu';
import { FiltersBar, hasPanelFilters } from './FiltersBar';
import { LiveControls } from './LiveControls';
import { Pager } from './Pager';
import { useEventPage } from './useEventPage';

export function EventViewer() {
  const styles = useStyles2(getStyles);
  const { settings } = useAppContext();
  const [params, setParams] = useSearchParams();
  const state = useMemo(() => stateFromSearchParams(params), [params]);
  const [tick, setTick] = useState(0);
  const [exportOutcome, setExportOutcome] = useState<ExportOutcome>();
  const [paused, setPaused] = useState(false);

  const update = useCallback(
    (patch: Partial<ViewerState>) => setParams(stateToSearchParams({ ...state, cursor: undefined, ...patch })),
    [state, setParams]
  );

  const { range, page, count, live, events, single } = useEventPage(state, tick, paused);

  return (
    <div data-testid={testIds.viewer.container}>
      <FiltersBar
        filters={state.filters}
        from={state.from}
        to={state.to}
        onChange={(filters: AuditFilters) => update({ filters })}
        onTimeChange={(from, to) => update({ from, to })}
        onClear={() => update({ filters: { ...defaultFilters }, ...DEFAULT_TIME_RANGE })}
        showPanel={state.panel ?? hasPanelFilters(state.filters)}
        onTogglePanel={() =>
          setParams(stateToSearchParams({ ...state, panel: !(state.panel ?? hasPanelFilters(state.filters)) }))
        }
      />
      <Stack direction="row" justifyContent="space-between" alignItems="center" wrap="wrap">
        <Text color="secondary">
          <span data-testid={testIds.viewer.total}>
            {count.data !== undefined
              ? t('viewer.total', '{{count}} events match', { count: count.data })
              : count.error
                ? t('viewer.total-unknown', 'Count unavailable')
                : t('viewer.total-loading', 'Counting…')}
          </span>
        </Text>
        <Stack direction="row" gap={1} alignItems="center">
          <ExportMenu filters={state.filters} range={range} onOutcome={setExportOutcome} />
          {state.live && (
            <LiveControls
              live={live}
              paused={paused}
              onPause={() => setPaused(true)}
              onResume={() => setPaused(false)}
            />
          )}
          <InlineSwitch
            label={t('viewer.live', 'Live')}
            showLabel
            value={Boolean(state.live)}
            onChange={(e) => {
              setPaused(false);
              update({ live: e.currentTarget.checked });
            }}
            data-testid={testIds.viewer.live}
          />
          <Button
            size="sm"
            variant="secondary"
            icon="sync"
            onClick={() => setTick((n) => n + 1)}
            aria-label={t('viewer.refresh', 'Refresh')}
          />
        </Stack>
      </Stack>
      <ExportNotice outcome={exportOutcome} onClose={() => setExportOutcome(undefined)} />
      <div className={styles.loading}>{page.isLoading && <LoadingBar width={400} />}</div>
      <QueryErrorAlert
        errors={[page.error, count.error, state.live ? live.error : undefined]}
        testId={testIds.viewer.error}
      />
      {single && (
        <div className={styles.single}>
          <EventDetails event={single} tracesDatasourceUid={settings.tracesDatasourceUid} />
        </div>
      )}
      {!page.isLoading && !page.error && events.length === 0 ? (
        <div data-testid={testIds.viewer.empty}>
          <EmptyState variant="not-found" message={t('viewer.empty.message', 'No audit events match')}>
            {t(
              'viewer.empty.help',
              'Widen the date range or clear filters. If the log should not be empty, check that services export audit events and that this organization is mapped to their tenant (tenants in the server settings).'
            )}
          </EmptyState>
        </div>
      ) : (
        <EventsTable events={events} tracesDatasourceUid={settings.tracesDatasourceUid} />
      )}
      <Pager
        atNewest={!state.cursor}
        newer={state.live ? undefined : page.data?.newer}
        older={state.live ? undefined : page.data?.older}
        onNewest={() => update({})}
        onPage={(cursor) => update({ filters: state.filters, cursor })}
      />
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  loading: css({ height: 2, margin: theme.spacing(1, 0) }),
  single: css({
    border: `1px solid ${theme.colors.border.medium}`,
    borderRadius: theme.shape.radius.default,
    marginBottom: theme.spacing(2),
  }),
});
