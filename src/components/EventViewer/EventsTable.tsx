import React, { useMemo } from 'react';
import { css } from '@emotion/css';
import { type GrafanaTheme2, dateTimeFormat, dateTimeFormatTimeAgo } from '@grafana/data';
import { t } from '@grafana/i18n';
import { type Column, InteractiveTable, Text, useStyles2 } from '@grafana/ui';

import { type AuditEvent } from 'services/auditEvent';
import { testIds } from 'services/testIds';

import { EventDetails } from './EventDetails';
import { ActorCell, CategoryBadge, EventTypeBadge, ResourceCell, SeverityBadge } from './badges';

interface Props {
  events: AuditEvent[];
  tracesDatasourceUid?: string;
}

export function EventsTable({ events, tracesDatasourceUid }: Props) {
  const styles = useStyles2(getStyles);
  const columns = useMemo<Array<Column<AuditEvent>>>(
    () => [
      {
        id: 'time',
        header: t('viewer.columns.time', 'Time (UTC)'),
        cell: ({ row: { original: e } }) => (
          <div className={styles.time}>
            <span>{dateTimeFormat(e.timeMs, { timeZone: 'utc', format: 'YYYY-MM-DD HH:mm:ss' })}</span>
            <Text color="secondary" variant="bodySmall">
              {dateTimeFormatTimeAgo(e.timeMs)}
            </Text>
          </div>
        ),
      },
      {
        id: 'category',
        header: t('viewer.columns.category', 'Category'),
        cell: ({ row: { original: e } }) => <CategoryBadge category={e.category} />,
      },
      {
        id: 'eventType',
        header: t('viewer.columns.event', 'Event'),
        cell: ({ row: { original: e } }) => <EventTypeBadge event={e} />,
      },
      {
        id: 'severity',
        header: t('viewer.columns.severity', 'Severity'),
        cell: ({ row: { original: e } }) => <SeverityBadge severity={e.severity} />,
      },
      {
        id: 'actor',
        header: t('viewer.columns.actor', 'Actor'),
        cell: ({ row: { original: e } }) => <ActorCell event={e} />,
      },
      {
        id: 'resource',
        header: t('viewer.columns.resource', 'Resource'),
        cell: ({ row: { original: e } }) => <ResourceCell event={e} />,
      },
      {
        id: 'description',
        header: t('viewer.columns.description', 'Description'),
        cell: ({ row: { original: e } }) => <span className={styles.description}>{e.description}</span>,
      },
    ],
    [styles]
  );
  return (
    <div data-testid={testIds.viewer.table}>
      <InteractiveTable
        columns={columns}
        data={events}
        getRowId={(e: AuditEvent) => `${e.tsNs}:${e.key}`}
        renderExpandedRow={(e) => <EventDetails event={e} tracesDatasourceUid={tracesDatasourceUid} />}
      />
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  time: css({ display: 'flex', flexDirection: 'column', whiteSpace: 'nowrap' }),
  description: css({ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }),
});
