import React, { useState } from 'react';
import { css } from '@emotion/css';
import { type GrafanaTheme2, type SelectableValue, type TimeRange } from '@grafana/data';
import { t } from '@grafana/i18n';
import {
  Button,
  Field,
  Icon,
  Input,
  MultiSelect,
  RadioButtonGroup,
  Select,
  TimeRangeInput,
  useStyles2,
} from '@grafana/ui';

import { useAppContext } from 'app/AppContext';
import { type ValueField } from 'services/auditApi';
import {
  CATEGORIES,
  DATA_CLASSIFICATIONS,
  OUTCOMES,
  SEVERITIES,
  isCategory,
  isClassification,
  isOutcome,
  isSeverity,
} from 'services/enums';
import { DEFAULT_TIME_RANGE } from '../../constants';
import { type AuditFilters, hasActiveFilters } from 'services/filters';
import { testIds } from 'services/testIds';

import { rawOf, resolveRange, toNsRange, toTimeRange } from '../shared/timeRange';

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

/** A text input that commits on Enter or blur. Render it with `key={value}` so outside changes (URL, Clear) reset it. */
function CommitInput({
  value,
  onCommit,
  placeholder,
  testId,
  label,
  icon,
}: {
  value: string;
  onCommit: (v: string) => void;
  placeholder: string;
  testId: string;
  label: string;
  icon?: 'search';
}) {
  const [draft, setDraft] = useState(value);
  const commit = () => draft !== value && onCommit(draft);
  return (
    <Input
      aria-label={label}
      data-testid={testId}
      prefix={icon ? <Icon name={icon} /> : undefined}
      value={draft}
      placeholder={placeholder}
      onChange={(e) => setDraft(e.currentTarget.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') {
          commit();
        }
      }}
    />
  );
}

/** A labelled CommitInput; keyed by its value so a change from outside (URL, Clear) resets the draft. */
function TextFilter(props: {
  value: string;
  onCommit: (v: string) => void;
  placeholder: string;
  testId: string;
  label: string;
}) {
  return (
    <Field label={props.label} noMargin>
      <CommitInput key={props.value} {...props} />
    </Field>
  );
}

/** A dropdown of the values present in the range (GET values, read when opened); any other value can be typed. */
function ValueFilter({
  field,
  label,
  testId,
  value,
  placeholder,
  filters,
  from,
  to,
  onChange,
}: {
  field: ValueField;
  label: string;
  testId: string;
  value: string;
  placeholder: string;
  filters: AuditFilters;
  from: string;
  to: string;
  onChange: (v: string) => void;
}) {
  const { api } = useAppContext();
  const [options, setOptions] = useState<Array<SelectableValue<string>>>();
  const [loading, setLoading] = useState(false);
  const load = async () => {
    if (!api.values || loading) {
      return;
    }
    setLoading(true);
    try {
      // The other filters narrow the list; this field's own value does not.
      const others = { ...filters, [field]: '' };
      const values = await api.values(field, others, toNsRange(resolveRange(from, to)));
      setOptions(values.map((v) => ({ label: v.name, value: v.name, description: `${v.count.toLocaleString()}` })));
    } catch {
      setOptions([]);
    } finally {
      setLoading(false);
    }
  };
  const current = value !== '' ? [{ label: value, value }] : [];
  return (
    <Field label={label} noMargin>
      <div data-testid={testId}>
        <Select<string>
          aria-label={label}
          options={options ?? current}
          value={value === '' ? null : value}
          isLoading={loading}
          isClearable
          allowCustomValue
          placeholder={placeholder}
          onOpenMenu={() => void load()}
          onChange={(v) => onChange((v?.value ?? '').trim())}
          onCreateOption={(v) => onChange(v.trim())}
          noOptionsMessage={t('viewer.filters.no-values', 'No values in this range')}
        />
      </div>
    </Field>
  );
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
  const valueProps = { filters, from, to };
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
      {showPanel && (
        <div className={styles.panel} data-testid={testIds.viewer.filtersPanel}>
          <Field label={t('viewer.filters.category', 'Category')} className={styles.wide} noMargin>
            <MultiSelect
              aria-label={t('viewer.filters.category', 'Category')}
              data-testid={testIds.viewer.category}
              options={CATEGORIES.map((c) => ({ label: c, value: c }))}
              value={filters.categories}
              onChange={(items) => set('categories', items.map((i) => i.value).filter(isCategory))}
              placeholder={t('viewer.filters.any', 'Any')}
            />
          </Field>
          <Field label={t('viewer.filters.severity', 'Severity')} noMargin>
            <MultiSelect
              aria-label={t('viewer.filters.severity', 'Severity')}
              data-testid={testIds.viewer.severity}
              options={SEVERITIES.map((s) => ({ label: s, value: s }))}
              value={filters.severities}
              onChange={(items) => set('severities', items.map((i) => i.value).filter(isSeverity))}
              placeholder={t('viewer.filters.any', 'Any')}
            />
          </Field>
          <ValueFilter
            {...valueProps}
            field="eventType"
            label={t('viewer.filters.event-type', 'Event')}
            testId={testIds.viewer.eventType}
            value={filters.eventType}
            placeholder={t('viewer.filters.any-event', 'Any event type')}
            onChange={(v) => set('eventType', v)}
          />
          <ValueFilter
            {...valueProps}
            field="service"
            label={t('viewer.filters.service', 'Subject (service)')}
            testId={testIds.viewer.service}
            value={filters.service}
            placeholder={t('viewer.filters.any-service', 'Any log channel')}
            onChange={(v) => set('service', v)}
          />
          <TextFilter
            label={t('viewer.filters.actor', 'Actor')}
            testId={testIds.viewer.actor}
            value={filters.actor}
            placeholder={t('viewer.filters.actor-placeholder', 'User id or email')}
            onCommit={(v) => set('actor', v.trim())}
          />
          <ValueFilter
            {...valueProps}
            field="targetType"
            label={t('viewer.filters.target-type', 'Target type')}
            testId={testIds.viewer.targetType}
            value={filters.targetType}
            placeholder="e.g. hardware"
            onChange={(v) => set('targetType', v)}
          />
          <TextFilter
            label={t('viewer.filters.target-id', 'Target id')}
            testId={testIds.viewer.targetId}
            value={filters.targetId}
            placeholder="e.g. har-1234"
            onCommit={(v) => set('targetId', v.trim())}
          />
          <Field label={t('viewer.filters.classification', 'Data classification')} noMargin>
            <div data-testid={testIds.viewer.classification}>
              <Select<string>
                aria-label={t('viewer.filters.classification', 'Data classification')}
                options={DATA_CLASSIFICATIONS.map((c) => ({ label: c, value: c }))}
                value={filters.classification === '' ? null : filters.classification}
                isClearable
                placeholder={t('viewer.filters.any', 'Any')}
                onChange={(v) => set('classification', isClassification(v?.value) ? v.value : '')}
              />
            </div>
          </Field>
          <ValueFilter
            {...valueProps}
            field="stack"
            label={t('viewer.filters.stack', 'Stack')}
            testId={testIds.viewer.stack}
            value={filters.stack}
            placeholder={t('viewer.filters.any', 'Any')}
            onChange={(v) => set('stack', v)}
          />
          <ValueFilter
            {...valueProps}
            field="region"
            label={t('viewer.filters.region', 'Region')}
            testId={testIds.viewer.region}
            value={filters.region}
            placeholder={t('viewer.filters.any', 'Any')}
            onChange={(v) => set('region', v)}
          />
          <TextFilter
            label={t('viewer.filters.request-id', 'Request ID')}
            testId={testIds.viewer.requestId}
            value={filters.requestId}
            placeholder={t('viewer.filters.request-id-placeholder', 'Exact request id')}
            onCommit={(v) => set('requestId', v.trim())}
          />
          <TextFilter
            label={t('viewer.filters.trace-id', 'Trace ID')}
            testId={testIds.viewer.traceId}
            value={filters.traceId}
            placeholder={t('viewer.filters.trace-id-placeholder', 'Exact trace id')}
            onCommit={(v) => set('traceId', v.trim())}
          />
          <Field label={t('viewer.filters.outcome', 'Outcome')} className={styles.wide} noMargin>
            <div data-testid={testIds.viewer.outcome}>
              <RadioButtonGroup
                size="sm"
                options={[
                  { label: t('viewer.filters.any', 'Any'), value: '' },
                  ...OUTCOMES.map((o) => ({ label: o, value: o })),
                ]}
                value={filters.outcome}
                onChange={(v) => set('outcome', isOutcome(v) ? v : '')}
              />
            </div>
          </Field>
        </div>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  wrap: css({ marginBottom: theme.spacing(2) }),
  top: css({ display: 'flex', flexWrap: 'wrap', gap: theme.spacing(1, 2), alignItems: 'flex-end' }),
  search: css({ flex: '1 1 320px' }),
  panel: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(200px, 1fr))',
    gap: theme.spacing(1, 2),
    alignItems: 'end',
    marginTop: theme.spacing(2),
    padding: theme.spacing(2),
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
  }),
  wide: css({ gridColumn: 'span 2' }),
});
