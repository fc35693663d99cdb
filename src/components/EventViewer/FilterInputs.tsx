import React, { useState } from 'react';
import { type SelectableValue } from '@grafana/data';
import { t } from '@grafana/i18n';
import { Field, Icon, Input, Select } from '@grafana/ui';

import { useAppContext } from 'app/AppContext';
import { type ValueField } from 'services/auditApi';
import { type AuditFilters } from 'services/filters';

import { resolveRange, toNsRange } from 'components/shared/timeRange';

/** A text input that commits on Enter or blur. Render it with `key={value}` so outside changes (URL, Clear) reset it. */
export function CommitInput({
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
export function TextFilter(props: {
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
export function ValueFilter({
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
