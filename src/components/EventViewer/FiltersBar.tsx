import React, { useState } from 'react';
import { css } from '@emotion/css';
import { type GrafanaTheme2, type TimeRange } from '@grafana/data';
import { t } from '@grafana/i18n';
import { Button, Field, Icon, Input, MultiSelect, RadioButtonGroup, TimeRangeInput, useStyles2 } from '@grafana/ui';

import { CATEGORIES, OUTCOMES, SEVERITIES, isCategory, isOutcome, isSeverity } from 'services/enums';
import { DEFAULT_TIME_RANGE } from '../../constants';
import { type AuditFilters, hasActiveFilters } from 'services/filters';
import { testIds } from 'services/testIds';

import { rawOf, toTimeRange } from '../shared/timeRange';

interface Props {
  filters: AuditFilters;
  from: string;
  to: string;
  onChange: (filters: AuditFilters) => void;
  onTimeChange: (from: string, to: string) => void;
  onClear: () => void;
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

export function FiltersBar({ filters, from, to, onChange, onTimeChange, onClear }: Props) {
  const styles = useStyles2(getStyles);
  const set = <K extends keyof AuditFilters>(k: K, v: AuditFilters[K]) => onChange({ ...filters, [k]: v });
  const value: TimeRange = toTimeRange(from, to);
  return (
    <div className={styles.bar}>
      <Field label={t('viewer.filters.search', 'Search')} className={styles.wide} noMargin>
        <CommitInput
          key={filters.search}
          label={t('viewer.filters.search', 'Search')}
          testId={testIds.viewer.search}
          value={filters.search}
          placeholder={t('viewer.filters.search-placeholder', 'Description or event type, press Enter')}
          onCommit={(v) => set('search', v)}
          icon="search"
        />
      </Field>
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
      <TextFilter
        label={t('viewer.filters.event-type', 'Event type')}
        testId={testIds.viewer.eventType}
        value={filters.eventType}
        placeholder="e.g. user.created"
        onCommit={(v) => set('eventType', v.trim())}
      />
      <TextFilter
        label={t('viewer.filters.actor', 'Actor')}
        testId={testIds.viewer.actor}
        value={filters.actor}
        placeholder={t('viewer.filters.actor-placeholder', 'User id or email')}
        onCommit={(v) => set('actor', v.trim())}
      />
      <TextFilter
        label={t('viewer.filters.service', 'Service')}
        testId={testIds.viewer.service}
        value={filters.service}
        placeholder="e.g. identity-service"
        onCommit={(v) => set('service', v.trim())}
      />
      <TextFilter
        label={t('viewer.filters.target-type', 'Target type')}
        testId={testIds.viewer.targetType}
        value={filters.targetType}
        placeholder="e.g. hardware"
        onCommit={(v) => set('targetType', v.trim())}
      />
      <TextFilter
        label={t('viewer.filters.target-id', 'Target id')}
        testId={testIds.viewer.targetId}
        value={filters.targetId}
        placeholder="e.g. har-1234"
        onCommit={(v) => set('targetId', v.trim())}
      />
      <Field label={t('viewer.filters.outcome', 'Outcome')} noMargin>
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
      <Field label={t('viewer.filters.time-range', 'Date range')} noMargin>
        <div data-testid={testIds.viewer.timeRange}>
          <TimeRangeInput
            value={value}
            timeZone="utc"
            onChange={(r) => onTimeChange(rawOf(r.raw.from), rawOf(r.raw.to))}
          />
        </div>
      </Field>
      {(hasActiveFilters(filters) || from !== DEFAULT_TIME_RANGE.from || to !== DEFAULT_TIME_RANGE.to) && (
        <div className={styles.clear}>
          <Button variant="secondary" fill="text" icon="times" onClick={onClear} data-testid={testIds.viewer.clear}>
            {t('viewer.filters.clear', 'Clear filters')}
          </Button>
        </div>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  bar: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(200px, 1fr))',
    gap: theme.spacing(1, 2),
    alignItems: 'end',
    marginBottom: theme.spacing(2),
  }),
  wide: css({ gridColumn: 'span 2' }),
  clear: css({ alignSelf: 'end' }),
});
