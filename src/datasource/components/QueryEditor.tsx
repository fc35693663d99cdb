import React from 'react';
import { type QueryEditorProps, type SelectableValue } from '@grafana/data';
import { InlineField, InlineFieldRow, Input, MultiSelect, RadioButtonGroup, Select, TagsInput } from '@grafana/ui';

import { CATEGORIES, type Category, OUTCOMES, type Outcome, SEVERITIES, type Severity } from '../../services/enums';
import { type CountsDatasource } from '../datasource';
import { type CountsGroupBy, type CountsQuery, GROUP_BY_OPTIONS, MODE_OPTIONS } from '../types';

type Props = QueryEditorProps<CountsDatasource, CountsQuery>;

const options = <T extends string>(values: readonly T[]) => values.map((v) => ({ value: v, label: v }));

export function QueryEditor({ query, onChange, onRunQuery }: Props) {
  const set = (patch: Partial<CountsQuery>) => {
    onChange({ ...query, ...patch });
    onRunQuery();
  };
  const values = <T,>(xs: Array<SelectableValue<T>>) => xs.map((x) => x.value!).filter((v) => v !== undefined);
  return (
    <>
      <InlineFieldRow>
        <InlineField label="Count" labelWidth={14}>
          <RadioButtonGroup options={MODE_OPTIONS} value={query.mode ?? 'range'} onChange={(mode) => set({ mode })} />
        </InlineField>
        {query.mode === 'silence' && (
          <InlineField label="Lookback" tooltip="Services seen in this window are expected to keep sending">
            <Input
              width={10}
              placeholder="24h"
              defaultValue={query.lookback}
              onBlur={(e) => set({ lookback: e.currentTarget.value.trim() || undefined })}
            />
          </InlineField>
        )}
      </InlineFieldRow>
      <InlineFieldRow>
        <InlineField label="Categories" labelWidth={14}>
          <MultiSelect<Category>
            width={40}
            placeholder="All categories"
            options={options(CATEGORIES)}
            value={query.categories ?? []}
            onChange={(xs) => set({ categories: values(xs) })}
          />
        </InlineField>
        <InlineField label="Severity at or above">
          <Select<Severity>
            width={16}
            isClearable
            placeholder="Any"
            options={options(SEVERITIES)}
            value={query.severity ?? null}
            onChange={(x) => set({ severity: x?.value })}
          />
        </InlineField>
        <InlineField label="Outcome">
          <Select<Outcome>
            width={14}
            isClearable
            placeholder="Any"
            options={options(OUTCOMES)}
            value={query.outcome ?? null}
            onChange={(x) => set({ outcome: x?.value })}
          />
        </InlineField>
      </InlineFieldRow>
      <InlineFieldRow>
        <InlineField label="Event types" labelWidth={14}>
          <TagsInput
            width={40}
            placeholder="auth.login.failed (Enter)"
            tags={query.eventTypes ?? []}
            onChange={(eventTypes) => set({ eventTypes })}
          />
        </InlineField>
        <InlineField label="Service">
          <Input
            width={24}
            placeholder="Any"
            defaultValue={query.service}
            onBlur={(e) => set({ service: e.currentTarget.value.trim() || undefined })}
          />
        </InlineField>
      </InlineFieldRow>
      <InlineFieldRow>
        <InlineField label="Group by" labelWidth={14}>
          <MultiSelect<CountsGroupBy>
            width={40}
            placeholder="One total"
            options={GROUP_BY_OPTIONS}
            value={query.groupBy ?? []}
            onChange={(xs) => set({ groupBy: values(xs) })}
          />
        </InlineField>
        <InlineField label="Actor" tooltip="Admin only: one actor's events (id or e-mail)">
          <Input
            width={24}
            placeholder="Any"
            defaultValue={query.actor}
            onBlur={(e) => set({ actor: e.currentTarget.value.trim() || undefined })}
          />
        </InlineField>
      </InlineFieldRow>
    </>
  );
}
