import React from 'react';
import { css } from '@emotion/css';
import { type GrafanaTheme2 } from '@grafana/data';
import { t } from '@grafana/i18n';
import { ClipboardButton, ControlledCollapse, useStyles2 } from '@grafana/ui';

import { type AuditEvent, parseJsonSafe } from 'services/auditEvent';
import { testIds } from 'services/testIds';

/** The whole event as JSON: every field, changes and metadata nested rather than as stored strings. */
export function fullEventJson(e: AuditEvent): string {
  const nested = (raw: string) => {
    const p = parseJsonSafe(raw);
    return p.ok ? p.value : raw === '' ? null : raw;
  };
  return JSON.stringify({ ...e, changes: nested(e.changes), metadata: nested(e.metadata) }, null, 2);
}

export function FullEvent({ event }: { event: AuditEvent }) {
  const styles = useStyles2(getStyles);
  const json = fullEventJson(event);
  return (
    <div data-testid={testIds.viewer.fullEvent}>
      <ControlledCollapse label={t('viewer.details.full-event', 'Full event (JSON)')} isOpen={false}>
        <ClipboardButton icon="copy" variant="secondary" size="sm" getText={() => json}>
          {t('viewer.details.copy-json', 'Copy JSON')}
        </ClipboardButton>
        <pre className={styles.pre}>{json}</pre>
      </ControlledCollapse>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  pre: css({
    marginTop: theme.spacing(1),
    padding: theme.spacing(1),
    fontSize: theme.typography.bodySmall.fontSize,
    whiteSpace: 'pre-wrap',
    overflowWrap: 'anywhere',
    maxHeight: 480,
    overflow: 'auto',
  }),
});
