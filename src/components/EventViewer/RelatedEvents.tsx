import React from 'react';
import { css } from '@emotion/css';
import { type GrafanaTheme2, dateTimeFormat } from '@grafana/data';
import { t } from '@grafana/i18n';
import { Stack, Text, TextLink, useStyles2 } from '@grafana/ui';

import { useAppContext } from 'app/AppContext';
import { type AuditEvent } from 'services/auditEvent';
import { type AuditFilters } from 'services/filters';
import { testIds } from 'services/testIds';
import { viewerUrl } from 'services/urlState';

import { useLoader } from 'components/shared/useLoader';

/** Related events are looked for this far either side of the event. */
const WINDOW_MS = 24 * 3_600_000;
const SHOWN = 50;

/** The other events of the same request or trace, across services: the request id and the trace id, each read. */
export function RelatedEvents({ event }: { event: AuditEvent }) {
  const styles = useStyles2(getStyles);
  const { api } = useAppContext();
  const keys: Array<Partial<AuditFilters>> = [];
  if (event.requestId !== '') {
    keys.push({ requestId: event.requestId });
  }
  if (event.traceId !== '') {
    keys.push({ traceId: event.traceId });
  }
  const from = event.timeMs - WINDOW_MS;
  const to = event.timeMs + WINDOW_MS;
  const range = { startNs: `${from}000000`, endNs: `${to}000000` };
  const related = useLoader<AuditEvent[]>(
    async (signal) => {
      const pages = await Promise.all(keys.map((filters) => api.events({ filters, range, pageSize: SHOWN, signal })));
      const seen = new Set<string>([event.key]);
      return pages
        .flatMap((p) => p.events)
        .filter((e) => !seen.has(e.key) && seen.add(e.key))
        .sort((a, b) => (BigInt(a.tsNs) < BigInt(b.tsNs) ? -1 : 1));
    },
    JSON.stringify([event.key, keys])
  );
  if (keys.length === 0) {
    return null;
  }
  const all = viewerUrl(String(from), String(to), keys[0]);
  return (
    <div data-testid={testIds.viewer.related}>
      <Stack direction="row" gap={2} alignItems="baseline">
        <Text weight="medium">{t('viewer.related.title', 'Related events (same request or trace)')}</Text>
        <TextLink href={all} inline={false}>
          {event.requestId !== ''
            ? t('viewer.related.all-request', 'Open all of request {{id}}', { id: event.requestId })
            : t('viewer.related.all-trace', 'Open all of trace {{id}}', { id: event.traceId })}
        </TextLink>
      </Stack>
      {related.isLoading && <Text color="secondary">{t('viewer.related.loading', 'Looking…')}</Text>}
      {related.error !== undefined && (
        <Text color="error">{related.error instanceof Error ? related.error.message : String(related.error)}</Text>
      )}
      {related.data && related.data.length === 0 && (
        <Text color="secondary">
          {t('viewer.related.none', 'No other event of this request or trace within a day.')}
        </Text>
      )}
      {related.data && related.data.length > 0 && (
        <ul className={styles.list}>
          {related.data.map((e) => (
            <li key={e.key}>
              <TextLink href={viewerUrl(String(from), String(to), { eventId: e.id })} inline={false}>
                {dateTimeFormat(e.timeMs, { timeZone: 'utc', format: 'HH:mm:ss.SSS' })}
              </TextLink>{' '}
              <code>{e.service}</code> {e.eventType} — {e.description}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  list: css({ margin: theme.spacing(0.5, 0, 0, 2), fontSize: theme.typography.bodySmall.fontSize }),
});
