import React from 'react';
import { css } from '@emotion/css';
import { type GrafanaTheme2, dateTimeFormat, dateTimeFormatTimeAgo } from '@grafana/data';
import { t } from '@grafana/i18n';
import { Card, LinkButton, Stack, Text, TextLink, useStyles2 } from '@grafana/ui';

import { type AuditEvent } from 'services/auditEvent';
import { type Category } from 'services/enums';
import { type OverviewStats } from 'services/overviewStats';
import { testIds } from 'services/testIds';
import { viewerUrl } from 'services/urlState';

import { CategoryBadge, SeverityBadge, useCategoryColor } from 'components/EventViewer/badges';

export function StatCards({ stats, from, to }: { stats: OverviewStats; from: string; to: string }) {
  const styles = useStyles2(getStyles);
  const card = (label: string, value: number, testId: string, href?: string, tone?: 'error' | 'warning') => (
    <Card className={styles.stat} data-testid={testId} href={href}>
      <Card.Heading>{label}</Card.Heading>
      <Card.Description>
        <span className={tone === 'error' ? styles.error : tone === 'warning' ? styles.warning : styles.number}>
          {value.toLocaleString()}
        </span>
      </Card.Description>
    </Card>
  );
  return (
    <div className={styles.stats}>
      {card(
        t('overview.stats.total', 'Total events'),
        stats.total,
        testIds.overview.statTotal,
        viewerUrl(from, to, {})
      )}
      {card(
        t('overview.stats.critical', 'Critical & Error'),
        stats.criticalAndError,
        testIds.overview.statCritical,
        viewerUrl(from, to, { severities: ['CRITICAL', 'ERROR'] }),
        stats.criticalAndError > 0 ? 'error' : undefined
      )}
      {card(
        t('overview.stats.warnings', 'Warnings'),
        stats.warnings,
        testIds.overview.statWarnings,
        viewerUrl(from, to, { severities: ['WARNING'] }),
        stats.warnings > 0 ? 'warning' : undefined
      )}
      {card(t('overview.stats.users', 'Active users'), stats.activeUsers, testIds.overview.statUsers)}
    </div>
  );
}

export function CategoryChips({ stats, from, to }: { stats: OverviewStats; from: string; to: string }) {
  return (
    <Stack direction="row" gap={1} wrap="wrap">
      {stats.byCategory.map(({ category, count }) => (
        <CategoryChip key={category} category={category} count={count} from={from} to={to} />
      ))}
    </Stack>
  );
}

function CategoryChip({ category, count, from, to }: { category: string; count: number; from: string; to: string }) {
  const styles = useStyles2(getStyles);
  const color = useCategoryColor(category);
  return (
    <LinkButton
      size="sm"
      variant="secondary"
      href={viewerUrl(from, to, { categories: [category as Category] })}
      data-testid={testIds.overview.categoryChip}
      data-category={category}
      className={styles.chip}
      style={{ borderLeftColor: color }}
    >
      <span className={styles.dot} style={{ background: color }} aria-hidden />
      {category} · {count.toLocaleString()}
    </LinkButton>
  );
}

export function TopEventTypes({ stats, from, to }: { stats: OverviewStats; from: string; to: string }) {
  const styles = useStyles2(getStyles);
  return (
    <ol className={styles.list} data-testid={testIds.overview.topEventTypes}>
      {stats.topEventTypes.map(({ eventType, count }) => (
        <li key={eventType} className={styles.row}>
          <TextLink href={viewerUrl(from, to, { eventType })} inline={false}>
            {eventType}
          </TextLink>
          <Text color="secondary">{count.toLocaleString()}</Text>
        </li>
      ))}
      {stats.topEventTypes.length === 0 && <Text color="secondary">—</Text>}
    </ol>
  );
}

export function eventUrl(e: AuditEvent): string {
  return viewerUrl(String(e.timeMs), String(e.timeMs + 1), { eventId: e.id });
}

export function RecentHighSeverity({ events }: { events: AuditEvent[] }) {
  const styles = useStyles2(getStyles);
  if (events.length === 0) {
    return <Text color="secondary">{t('overview.recent.none', 'No CRITICAL or ERROR events in this period.')}</Text>;
  }
  return (
    <ul className={styles.list} data-testid={testIds.overview.recentHighSeverity}>
      {events.map((e) => (
        <li key={`${e.tsNs}:${e.key}`} className={styles.recent}>
          <Stack direction="row" gap={1} alignItems="center" wrap="wrap">
            <SeverityBadge severity={e.severity} />
            <CategoryBadge category={e.category} />
            <Text color="secondary" variant="bodySmall">
              {dateTimeFormat(e.timeMs, { timeZone: 'utc', format: 'YYYY-MM-DD HH:mm:ss' })} UTC ·{' '}
              {dateTimeFormatTimeAgo(e.timeMs)}
            </Text>
          </Stack>
          <TextLink href={eventUrl(e)} inline={false}>
            {e.description || e.eventType}
          </TextLink>
        </li>
      ))}
    </ul>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  stats: css({ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(200px, 1fr))', gap: theme.spacing(2) }),
  stat: css({ marginBottom: 0 }),
  number: css({ fontSize: theme.typography.h2.fontSize, color: theme.colors.text.primary }),
  error: css({ fontSize: theme.typography.h2.fontSize, color: theme.colors.error.text }),
  warning: css({ fontSize: theme.typography.h2.fontSize, color: theme.colors.warning.text }),
  list: css({
    listStyle: 'none',
    margin: 0,
    padding: 0,
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(1),
  }),
  row: css({ display: 'flex', justifyContent: 'space-between', gap: theme.spacing(2) }),
  recent: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(0.5) }),
  chip: css({ borderLeft: '4px solid' }),
  dot: css({ display: 'inline-block', width: 8, height: 8, borderRadius: '50%', marginRight: theme.spacing(0.75) }),
});
