import React from 'react';
import { useStyles2 } from '@grafana/ui';

import { type AuditFilters } from 'services/filters';
import { testIds } from 'services/testIds';

import { OutcomeField, ResourceFields, WhatFields, WhereFields, WhoFields, getStyles } from './FilterGroups';

interface Props {
  filters: AuditFilters;
  from: string;
  to: string;
  onChange: (filters: AuditFilters) => void;
}

/** Every filter but search and the date range, in groups: what happened, who, to what, where, outcome. */
export function FilterPanel({ filters, from, to, onChange }: Props) {
  const styles = useStyles2(getStyles);
  const set = <K extends keyof AuditFilters>(k: K, v: AuditFilters[K]) => onChange({ ...filters, [k]: v });
  const group = { filters, set, valueProps: { filters, from, to }, styles };
  return (
    <div className={styles.panel} data-testid={testIds.viewer.filtersPanel}>
      <WhatFields {...group} />
      <WhoFields {...group} />
      <ResourceFields {...group} />
      <WhereFields {...group} />
      <OutcomeField {...group} />
    </div>
  );
}
