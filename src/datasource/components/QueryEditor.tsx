import React, { useEffect, useState } from 'react';
import { type QueryEditorProps, type SelectableValue } from '@grafana/data';
import { config } from '@grafana/runtime';
import { InlineField, InlineFieldRow, Input, MultiSelect, RadioButtonGroup, Select } from '@grafana/ui';

import { CATEGORIES, type Category, OUTCOMES, type Outcome, SEVERITIES, type Severity } from 'services/enums';
import { type CountsDatasource } from '../datasource';
import { type CountsGroupBy, type CountsQuery, GROUP_BY_OPTIONS, MODE_OPTIONS, type ValueField } from '../types';

type Props = QueryEditorProps<CountsDatasource, CountsQuery>;

const options = <T extends string>(values: readonly T[]) => values.map((v) => ({ value: v, label: v }));
const picked = <T,>(xs: Array<SelectableValue<T>>) => xs.map((x) => x.value).filter((v): v is T => v !== undefined);

/** Values present in the panel's range, as options with their counts. */
function usePresent(ds: CountsDatasource, field: ValueField, range: Props['range'], enabled = true) {
  const [opts, setOpts] = useState<Array<SelectableValue<string>>>([]);
  const from = range?.from.valueOf();
  const to = range?.to.valueOf();
  useEffect(() => {
    if (!enabled) {
      return;
    }
    let live = true;
    ds.getValues(field, range).then(
      (vs) => live && setOpts(vs.map((v) => ({ value: v.value, label: v.value, description: `${v.count} events` }))),
      () => live && setOpts([])
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ds, field, from, to, enabled]);
  return opts;
}

export function QueryEditor({ datasource, query, range, onChange, onRunQuery }: Props) {
  const isAdmin = config.bootData?.user?.orgRole === 'Admin';
  const eventOptions = usePresent(datasource, 'event', range);
  const serviceOptions = usePresent(datasource, 'service', range);
  const actorOptions = usePresent(datasource, 'actor', range, isAdmin);
  const set = (patch: Partial<CountsQuery>) => {
    onChange({ ...query, ...patch });
    onRunQuery();
  };
  const groupOptions = GROUP_BY_OPTIONS.filter((o) => isAdmin || o.value !== 'actor');
  return (
    <>
      <InlineFieldRow>
        <InlineField label="Count" labelWidth={14}>
          <RadioButtonGroup options={MODE_OPTIONS} value={query.mode ?? 'range'} onChange={(mode) => set({ mode })} />
        </InlineField>
        {(query.mode ?? 'range') === 'range' && (
          <InlineField label="Interval" tooltip="Bucket of each point, e.g. 5m; the panel's interval when empty">
            <Input
              width={10}
              placeholder="auto"
              defaultValue={query.step}
              onBlur={(e) => set({ step: e.currentTarget.value.trim() || undefined })}
            />
          </InlineField>
        )}
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
            onChange={(xs) => set({ categories: picked(xs) })}
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
          <MultiSelect<string>
            width={40}
            placeholder="Any event type"
            allowCustomValue
            options={eventOptions}
            value={query.eventTypes ?? []}
            onChange={(xs) => set({ eventTypes: picked(xs) })}
          />
        </InlineField>
        <InlineField label="Service">
          <Select<string>
            width={28}
            isClearable
            allowCustomValue
            placeholder="Any"
            options={serviceOptions}
            value={query.service ?? null}
            onChange={(x) => set({ service: x?.value })}
          />
        </InlineField>
      </InlineFieldRow>
      <InlineFieldRow>
        <InlineField label="Group by" labelWidth={14}>
          <MultiSelect<CountsGroupBy>
            width={40}
            placeholder="One total"
            options={groupOptions}
            value={query.groupBy ?? []}
            onChange={(xs) => set({ groupBy: picked(xs) })}
          />
        </InlineField>
        {isAdmin && (
          <InlineField label="Actor" tooltip="One actor's events (Admin only)">
            <Select<string>
              width={28}
              isClearable
              allowCustomValue
              placeholder="Any"
              options={actorOptions}
              value={query.actor ?? null}
              onChange={(x) => set({ actor: x?.value })}
            />
          </InlineField>
        )}
      </InlineFieldRow>
    </>
  );
}
