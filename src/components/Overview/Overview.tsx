import React, { useMemo, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { css } from '@emotion/css';
import { type GrafanaTheme2 } from '@grafana/data';
import { t } from '@grafana/i18n';
import { Button, EmptyState, LoadingBar, Stack, Text, useStyles2 } from '@grafana/ui';

import { DEFAULT_TIME_RANGE } from '../../constants';
import { describeRetention } from 'services/retentionApi';
import { type OverviewStats } from 'services/overviewStats';
import { testIds } from 'services/testIds';
import { viewerUrl } from 'services/urlState';

import { useAppContext } from 'app/AppContext';
import { QueryErrorAlert } from 'components/shared/QueryErrorAlert';
import { resolveRange, toNsRange } from 'components/shared/timeRange';
import { useLoader } from 'components/shared/useLoader';
import { EventsOverTime } from './EventsOverTime';
import { CategoryChips, RecentHighSeverity, StatCards, TopEventTypes } from './OverviewParts';
import { RangePicker } from './RangePicker';

export function Overview() {
  const styles = useStyles2(getStyles);
  const { api } = useAppContext();
  const [params, setParams] = useSearchParams();
  const from = params.get('from') ?? DEFAULT_TIME_RANGE.from;
  const to = params.get('to') ?? DEFAULT_TIME_RANGE.to;
  const [tick, setTick] = useState(0);

  const setRange = (f: string, tt: string) => {
    const next = new URLSearchParams(params);
    next.set('from', f);
    next.set('to', tt);
    setParams(next);
  };

  const resolved = useMemo(
    () => resolveRange(from, to),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [from, to, tick]
  );
  const navigate = useNavigate();
  const stats = useLoader<OverviewStats>(
    (signal) => api.overview({}, toNsRange(resolved), signal),
    JSON.stringify(resolved)
  );

  const retention = useLoader(api.retention && ((signal) => api.retention!(signal)), 'retention');

  const data = stats.data;
  return (
    <div className={styles.page} data-testid={testIds.overview.container}>
      <Stack direction="row" gap={1} alignItems="center" wrap="wrap">
        <RangePicker from={from} to={to} onChange={setRange} />
        <Button
          size="sm"
          variant="secondary"
          icon="sync"
          onClick={() => setTick((n) => n + 1)}
          data-testid={testIds.overview.refresh}
        >
          {t('overview.refresh', 'Refresh')}
        </Button>
        {retention.data && (
          <Text color="secondary" variant="bodySmall" data-testid={testIds.overview.retention}>
            {t('overview.retention', 'Kept for {{window}}', { window: describeRetention(retention.data) })}
          </Text>
        )}
        {stats.data?.dailyCountDays ? (
          <Text color="secondary" variant="bodySmall">
            {t('overview.dailyCounts', '{{count}} whole days from daily counts, the rest counted live', {
              count: stats.data.dailyCountDays,
            })}
          </Text>
        ) : null}
      </Stack>
      <div className={styles.loading}>{stats.isLoading && <LoadingBar width={400} />}</div>
      <QueryErrorAlert errors={[stats.error]} testId={testIds.overview.error} />
      {data && data.total === 0 && (
        <div data-testid={testIds.overview.empty}>
          <EmptyState variant="not-found" message={t('overview.empty.message', 'No audit events in this time range')}>
            {t(
              'overview.empty.help',
              'Check that the time range contains activity, that your services record audit events and export them to the OpenTelemetry Collector, and that this organization is mapped to its tenant in the server settings (tenants in [plugin.attest-auditlog-app]).'
            )}
          </EmptyState>
        </div>
      )}
      {data && data.total > 0 && (
        <>
          <StatCards stats={data} from={from} to={to} />
          <section>
            <Text element="h3">{t('overview.categories', 'Event categories')}</Text>
            <CategoryChips stats={data} from={from} to={to} />
          </section>
          <section>
            <Text element="h3">{t('overview.over-time', 'Events over time by category')}</Text>
            <Text color="secondary" variant="bodySmall">
              {t('overview.over-time-help', 'Drag across the chart to open those events in the viewer.')}
            </Text>
            <EventsOverTime
              overTime={data.overTime}
              fromMs={resolved.fromMs}
              toMs={resolved.toMs}
              onSelect={(fromMs, toMs) => navigate(viewerUrl(String(fromMs), String(toMs), {}))}
            />
          </section>
          <div className={styles.columns}>
            <section>
              <Text element="h3">{t('overview.top', 'Most active operations')}</Text>
              <TopEventTypes stats={data} from={from} to={to} />
            </section>
            <section>
              <Text element="h3">{t('overview.recent', 'Recent high-severity events')}</Text>
              <RecentHighSeverity events={data.recentHighSeverity} />
            </section>
          </div>
        </>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  page: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(2) }),
  loading: css({ height: 2 }),
  columns: css({ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(320px, 1fr))', gap: theme.spacing(3) }),
});
