import React from 'react';
import { css, cx } from '@emotion/css';
import { type GrafanaTheme2 } from '@grafana/data';
import { t } from '@grafana/i18n';
import { Text, useStyles2 } from '@grafana/ui';

import { parseJsonSafe } from 'services/auditEvent';
import { type DiffRow, changesView } from 'services/jsonDiff';

/** Formatted JSON, or the raw text when it doesn't parse. */
export function JsonBlock({ raw }: { raw: string }) {
  const styles = useStyles2(getStyles);
  const parsed = parseJsonSafe(raw);
  if (!parsed.ok) {
    return (
      <>
        {raw.trim() !== '' && (
          <Text color="secondary" variant="bodySmall">
            {t('viewer.details.not-json', 'Not valid JSON; shown as stored:')}
          </Text>
        )}
        <pre className={styles.pre}>{raw || '—'}</pre>
      </>
    );
  }
  return <pre className={styles.pre}>{JSON.stringify(parsed.value, null, 2)}</pre>;
}

/** Before/after of an edit side by side, changed fields highlighted. */
export function ChangesBlock({ raw }: { raw: string }) {
  const styles = useStyles2(getStyles);
  const view = changesView(raw);
  if (view.kind === 'none') {
    return <Text color="secondary">—</Text>;
  }
  if (view.kind === 'raw') {
    return <JsonBlock raw={view.raw} />;
  }
  if (view.kind === 'json') {
    return <pre className={styles.pre}>{view.pretty}</pre>;
  }
  const side = (row: DiffRow, which: 'before' | 'after') => {
    const v = row[which];
    if (v === undefined) {
      return <pre className={cx(styles.pre, styles.cell, styles.absent)}> </pre>;
    }
    return (
      <pre
        className={cx(
          styles.pre,
          styles.cell,
          row.kind !== 'same' && (which === 'before' ? styles.removed : styles.added)
        )}
        data-changed={row.kind !== 'same' ? 'true' : undefined}
      >{`"${row.key}": ${v}`}</pre>
    );
  };
  return (
    <div className={styles.diff} role="table" aria-label={t('viewer.details.changes', 'Changes')}>
      <Text weight="medium">{t('viewer.details.before', 'Before')}</Text>
      <Text weight="medium">{t('viewer.details.after', 'After')}</Text>
      {view.rows.map((row) => (
        <React.Fragment key={row.key}>
          {side(row, 'before')}
          {side(row, 'after')}
        </React.Fragment>
      ))}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  pre: css({
    margin: 0,
    padding: theme.spacing(1),
    fontSize: theme.typography.bodySmall.fontSize,
    whiteSpace: 'pre-wrap',
    overflowWrap: 'anywhere',
    maxHeight: 400,
    overflow: 'auto',
  }),
  diff: css({ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: theme.spacing(0.5, 1) }),
  cell: css({ borderRadius: theme.shape.radius.default }),
  absent: css({ background: 'transparent', border: `1px dashed ${theme.colors.border.weak}` }),
  removed: css({ background: theme.colors.error.transparent, borderLeft: `3px solid ${theme.colors.error.border}` }),
  added: css({ background: theme.colors.success.transparent, borderLeft: `3px solid ${theme.colors.success.border}` }),
});
