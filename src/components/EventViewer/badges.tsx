import React from 'react';
import { css } from '@emotion/css';
import { type GrafanaTheme2 } from '@grafana/data';
import { t } from '@grafana/i18n';
import { Badge, type BadgeColor, Stack, Text, useStyles2, useTheme2 } from '@grafana/ui';

import { type AuditEvent } from 'services/auditEvent';
import { CATEGORY_COLOR, isCategory } from 'services/enums';

export type EventKind = 'created' | 'updated' | 'deleted' | 'other';

/** created / updated / deleted / other, from the action, else from the event type's last segment. */
export function eventKind(e: Pick<AuditEvent, 'action' | 'eventType'>): EventKind {
  const byAction: Record<string, EventKind> = { create: 'created', update: 'updated', delete: 'deleted' };
  if (byAction[e.action]) {
    return byAction[e.action];
  }
  const last = e.eventType.split('.').pop() ?? '';
  return last === 'created' || last === 'updated' || last === 'deleted' ? last : 'other';
}

const KIND_COLOR: Record<EventKind, BadgeColor> = {
  created: 'green',
  updated: 'blue',
  deleted: 'red',
  other: 'darkgrey',
};

export function EventTypeBadge({ event }: { event: Pick<AuditEvent, 'action' | 'eventType'> }) {
  const kind = eventKind(event);
  return <Badge color={KIND_COLOR[kind]} text={event.eventType || '—'} tooltip={kind} />;
}

const SEVERITY_COLOR: Record<string, BadgeColor> = {
  CRITICAL: 'purple',
  ERROR: 'red',
  WARNING: 'orange',
  INFO: 'blue',
};

export function SeverityBadge({ severity }: { severity: string }) {
  return <Badge color={SEVERITY_COLOR[severity] ?? 'darkgrey'} text={severity || '—'} />;
}

/** A category in its colour (the Overview's chips use the same). */
export function CategoryBadge({ category }: { category: string }) {
  const styles = useStyles2(getStyles);
  const color = useCategoryColor(category);
  return (
    <span className={styles.category} style={{ borderColor: color, color }} data-category={category}>
      {category || '—'}
    </span>
  );
}

/** The colour of a category in the current theme (a neutral one for an unknown category). */
export function useCategoryColor(category: string): string {
  const theme = useTheme2();
  return isCategory(category)
    ? theme.visualization.getColorByName(CATEGORY_COLOR[category])
    : theme.colors.text.secondary;
}

export function ActorCell({ event }: { event: AuditEvent }) {
  const styles = useStyles2(getStyles);
  const label = event.actorName || event.actorEmail || event.actorId || '—';
  const machine = event.actorType === 'system' || event.actorType === 'service' || event.actorType === 'api_key';
  return (
    <Stack direction="row" gap={1} alignItems="center" wrap="wrap">
      {event.actorType === 'system' && <Badge color="purple" text={t('viewer.actor.system', 'System')} icon="cog" />}
      {event.actorType === 'service' && <Badge color="darkgrey" text={t('viewer.actor.service', 'Service')} />}
      {event.actorType === 'api_key' && (
        <Badge color="darkgrey" text={t('viewer.actor.api-key', 'API key')} icon="key-skeleton-alt" />
      )}
      <span className={styles.actor}>
        {label}
        {!machine && event.actorName && event.actorEmail && (
          <Text color="secondary" variant="bodySmall">
            {' '}
            {event.actorEmail}
          </Text>
        )}
      </span>
    </Stack>
  );
}

export function subjectOf(e: Pick<AuditEvent, 'targetType' | 'targetId' | 'targetName'>): string {
  if (!e.targetType && !e.targetId) {
    return '—';
  }
  const id = e.targetId ? `#${e.targetId}` : '';
  return [e.targetType, id].filter(Boolean).join(' ');
}

/** The resource an event acted on: its name, with its type and id below (and on hover). */
export function ResourceCell({ event }: { event: Pick<AuditEvent, 'targetType' | 'targetId' | 'targetName'> }) {
  const styles = useStyles2(getStyles);
  const subject = subjectOf(event);
  if (!event.targetName) {
    return <span className={styles.actor}>{subject}</span>;
  }
  return (
    <span className={styles.actor} title={subject} data-testid="resource-cell">
      {event.targetName}
      {subject !== '—' && (
        <Text color="secondary" variant="bodySmall" element="span">
          {' '}
          {subject}
        </Text>
      )}
    </span>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  actor: css({ overflowWrap: 'anywhere' }),
  category: css({
    display: 'inline-block',
    padding: theme.spacing(0, 0.75),
    border: '1px solid',
    borderRadius: theme.shape.radius.default,
    fontSize: theme.typography.bodySmall.fontSize,
    fontFamily: theme.typography.fontFamilyMonospace,
    whiteSpace: 'nowrap',
  }),
});
