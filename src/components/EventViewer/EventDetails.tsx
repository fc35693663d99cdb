import React from 'react';
import { css } from '@emotion/css';
import { type GrafanaTheme2, dateTimeFormat } from '@grafana/data';
import { t } from '@grafana/i18n';
import { Badge, Stack, Text, TextLink, useStyles2 } from '@grafana/ui';

import { type AuditEvent } from 'services/auditEvent';
import { traceExploreUrl } from 'services/settings';
import { testIds } from 'services/testIds';

import { FullEvent } from './FullEvent';
import { ChangesBlock, JsonBlock } from './JsonBlock';
import { RelatedEvents } from './RelatedEvents';
import { ResourcePackButton } from './ResourcePack';

interface Props {
  event: AuditEvent;
  tracesDatasourceUid?: string;
}

const dash = (s: string) => (s === '' ? '—' : s);

const badges = (items: string[], color: 'darkgrey' | 'blue' | 'purple') =>
  items.length ? (
    <Stack gap={0.5} wrap="wrap">
      {items.map((x) => (
        <Badge key={x} color={color} text={x} />
      ))}
    </Stack>
  ) : (
    '—'
  );

export function EventDetails({ event, tracesDatasourceUid }: Props) {
  const styles = useStyles2(getStyles);
  const field = (label: string, value: React.ReactNode) => (
    <div className={styles.field}>
      <Text color="secondary" variant="bodySmall">
        {label}
      </Text>
      <div className={styles.value}>{value}</div>
    </div>
  );
  return (
    <div className={styles.wrap} data-testid={testIds.viewer.details}>
      <div className={styles.grid}>
        {field(t('viewer.details.event-id', 'Event ID'), <code>{dash(event.id)}</code>)}
        {field(
          t('viewer.details.time', 'Time (UTC)'),
          `${dateTimeFormat(event.timeMs, { timeZone: 'utc', format: 'YYYY-MM-DD HH:mm:ss.SSS' })} (${event.tsNs} ns)`
        )}
        {field(t('viewer.details.action', 'Action / outcome'), `${dash(event.action)} / ${dash(event.outcome)}`)}
        {field(
          t('viewer.details.service', 'Service'),
          `${dash(event.service)}${event.environment ? ` (${event.environment})` : ''}`
        )}
        {field(t('viewer.details.client-address', 'Client address'), dash(event.clientAddress))}
        {field(t('viewer.details.user-agent', 'User agent'), dash(event.userAgent))}
        {field(
          t('viewer.details.actor', 'Actor'),
          `${dash(event.actorName)} · ${dash(event.actorEmail)} · ${dash(event.actorId)} (${dash(event.actorType)})`
        )}
        {field(t('viewer.details.roles', 'Actor roles'), badges(event.actorRoles, 'darkgrey'))}
        {field(
          t('viewer.details.target', 'Resource'),
          <Stack direction="column" gap={0.5} alignItems="flex-start">
            <span>
              {`${dash(event.targetType)} ${event.targetId ? '#' + event.targetId : ''} ${event.targetName ? `(${event.targetName})` : ''}`}
            </span>
            <ResourcePackButton event={event} />
          </Stack>
        )}
        {field(t('viewer.details.stack', 'Stack / region'), `${dash(event.stack)} / ${dash(event.region)}`)}
        {field(t('viewer.details.classification', 'Data classification'), badges(event.classification, 'purple'))}
        {field(t('viewer.details.request-id', 'Request ID'), <code>{dash(event.requestId)}</code>)}
        {field(t('viewer.details.session-id', 'Session ID'), <code>{dash(event.sessionId)}</code>)}
        {field(
          t('viewer.details.trace-id', 'Trace ID'),
          event.traceId && tracesDatasourceUid ? (
            <TextLink href={traceExploreUrl(tracesDatasourceUid, event.traceId)} external>
              {event.traceId}
            </TextLink>
          ) : (
            <code>{dash(event.traceId)}</code>
          )
        )}
        {field(t('viewer.details.compliance', 'Compliance tags'), badges(event.compliance, 'blue'))}
        {field(
          t('viewer.details.chain', 'Chain id / seq'),
          event.chainId === '' && event.chainSeq === '' ? (
            <Badge
              color="orange"
              text={t('viewer.details.unchained', 'unchained')}
              tooltip={t(
                'viewer.details.unchained-help',
                'Its producer does not hash-chain its events: this one cannot be verified (it is not a break).'
              )}
            />
          ) : (
            <code>
              {dash(event.chainId)} / {dash(event.chainSeq)}
            </code>
          )
        )}
        {event.chainHash !== '' &&
          field(
            t('viewer.details.chain-hash', 'Chain hash / prev'),
            <code className={styles.hash}>
              {event.chainHash} / {dash(event.chainPrev)}
            </code>
          )}
      </div>
      <RelatedEvents event={event} />
      <div className={styles.blocks}>
        <div>
          <Text weight="medium">{t('viewer.details.changes', 'Changes')}</Text>
          <ChangesBlock raw={event.changes} />
        </div>
        <div>
          <Text weight="medium">{t('viewer.details.metadata', 'Metadata')}</Text>
          {event.metadata === '' ? <Text color="secondary"> —</Text> : <JsonBlock raw={event.metadata} />}
        </div>
      </div>
      <FullEvent event={event} />
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  wrap: css({ padding: theme.spacing(1, 2, 2, 2), display: 'flex', flexDirection: 'column', gap: theme.spacing(2) }),
  grid: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(260px, 1fr))',
    gap: theme.spacing(1, 2),
  }),
  field: css({ display: 'flex', flexDirection: 'column', minWidth: 0 }),
  value: css({ overflowWrap: 'anywhere' }),
  hash: css({ fontSize: theme.typography.bodySmall.fontSize }),
  blocks: css({ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(360px, 1fr))', gap: theme.spacing(2) }),
});
