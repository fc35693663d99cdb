// The Event viewer's filter panel, group by group: what happened, who, to what, where, outcome.
import React from 'react';
import { css } from '@emotion/css';
import { type GrafanaTheme2 } from '@grafana/data';
import { t } from '@grafana/i18n';
import { Field, MultiSelect, RadioButtonGroup, Select } from '@grafana/ui';

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
import { type AuditFilters } from 'services/filters';
import { testIds } from 'services/testIds';

import { TextFilter, ValueFilter } from './FilterInputs';

export interface GroupProps {
  filters: AuditFilters;
  set: <K extends keyof AuditFilters>(k: K, v: AuditFilters[K]) => void;
  valueProps: { filters: AuditFilters; from: string; to: string };
  styles: ReturnType<typeof getStyles>;
}

/** Category, severity, event type and service. */
export function WhatFields({ filters, set, valueProps, styles }: GroupProps) {
  return (
    <>
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
    </>
  );
}

/** The actor. */
export function WhoFields({ filters, set }: GroupProps) {
  return (
    <>
      <TextFilter
        label={t('viewer.filters.actor', 'Actor')}
        testId={testIds.viewer.actor}
        value={filters.actor}
        placeholder={t('viewer.filters.actor-placeholder', 'User id or email')}
        onCommit={(v) => set('actor', v.trim())}
      />
    </>
  );
}

/** The resource acted on, and the kind of data it touched. */
export function ResourceFields({ filters, set, valueProps }: GroupProps) {
  return (
    <>
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
    </>
  );
}

/** Where and in which request or trace. */
export function WhereFields({ filters, set, valueProps }: GroupProps) {
  return (
    <>
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
    </>
  );
}

/** The outcome. */
export function OutcomeField({ filters, set, styles }: GroupProps) {
  return (
    <>
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
    </>
  );
}

export const getStyles = (theme: GrafanaTheme2) => ({
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
