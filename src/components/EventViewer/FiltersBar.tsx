import React from 'react';
import { css } from '@emotion/css';
import { type GrafanaTheme2, type TimeRange } from '@grafana/data';
import { t } from '@grafana/i18n';
import { Button, Field, TimeRangeInput, useStyles2 } from '@grafana/ui';

import { DEFAULT_TIME_RANGE } from '../../constants';
import { type AuditFilters, hasActiveFilters } from 'services/filters';
import { testIds } from 'services/testIds';

import { rawOf, toTimeRange } from 'components/shared/timeRange';
import { CommitInput } from './FilterInputs';
import { FilterPanel } from './FilterPanel';

interface Props {
  filters: AuditFilters;
  from: string;
  to: string;
  onChange: (filters: AuditFilters) => void;
  onTimeChange: (from: string, to: string) => void;
  onClear: () => void;
  /** The filter panel (everything but search and the date range) is open. */
  showPanel: boolean;
  onTogglePanel: () => void;
}

/** Whether a filter of the panel (not search, not the date range) is set: the panel then opens by itself. */
export const hasPanelFilters = (f: AuditFilters) => panelFilterCount(f) > 0;

/** How many filters besides search and the date range are set (shown on the toggle). */
function panelFilterCount(f: AuditFilters): number {
  const { search: _search, eventId: _eventId, ...rest } = f;
  return Object.values(rest).filter((v) => (Array.isArray(v) ? v.length > 0 : v !== '')).length;
}

export function FiltersBar({ filters, from, to, onChange, onTimeChange, onClear, showPanel, onTogglePanel }: Props) {
  const styles = useStyles2(getStyles);
  const set = <K extends keyof AuditFilters>(k: K, v: AuditFilters[K]) => onChange({ ...filters, [k]: v });
  const value: TimeRange = toTimeRange(from, to);
  const active = panelFilterCount(filters);
  return (
    <div className={styles.wrap}>
      <div className={styles.top}>
        <Field label={t('viewer.filters.search', 'Search')} className={styles.search} noMargin>
          <CommitInput
            key={filters.search}
            label={t('viewer.filters.search', 'Search')}
            testId={testIds.viewer.search}
            value={filters.search}
            placeholder={t('viewer.filters.search-placeholder', 'Description, action, resource or user, press Enter')}
            onCommit={(v) => set('search', v)}
            icon="search"
          />
        </Field>
        <Field label={t('viewer.filters.time-range', 'Date range')} noMargin>
          <div data-testid={testIds.viewer.timeRange}>
            <TimeRangeInput
              value={value}
              timeZone="utc"
              onChange={(r) => onTimeChange(rawOf(r.raw.from), rawOf(r.raw.to))}
            />
          </div>
        </Field>
        <Button
          variant="secondary"
          icon={showPanel ? 'angle-up' : 'filter'}
          onClick={onTogglePanel}
          aria-expanded={showPanel}
          data-testid={testIds.viewer.toggleFilters}
        >
          {showPanel
            ? t('viewer.filters.hide', 'Hide filters')
            : active > 0
              ? t('viewer.filters.show-active', 'Show filters ({{count}})', { count: active })
              : t('viewer.filters.show', 'Show filters')}
        </Button>
        {(hasActiveFilters(filters) || from !== DEFAULT_TIME_RANGE.from || to !== DEFAULT_TIME_RANGE.to) && (
          <Button variant="secondary" fill="text" icon="times" onClick={onClear} data-testid={testIds.viewer.clear}>
            {t('viewer.filters.clear', 'Clear filters')}
          </Button>
        )}
      </div>
      {showPanel && <FilterPanel filters={filters} from={from} to={to} onChange={onChange} />}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  wrap: css({ marginBottom: theme.spacing(2) }),
  top: css({ display: 'flex', flexWrap: 'wrap', gap: theme.spacing(1, 2), alignItems: 'flex-end' }),
  search: css({ flex: '1 1 320px' }),
});
