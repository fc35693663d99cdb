import React from 'react';
import { t } from '@grafana/i18n';
import { Checkbox, Field, Input, Select, Stack, TagsInput } from '@grafana/ui';

import { OUTCOMES, type Outcome } from 'services/enums';

import { type FieldsProps } from './AlertFormFields';

/** A count rule: how many events in what window, per actor or not, and what narrows them. */
export function CountFields({ rule, set, errors }: FieldsProps) {
  return (
    <>
      <Stack direction="row" gap={2}>
        <Field label={t('alerts.form.threshold', 'At least')} invalid={!!errors.threshold} error={errors.threshold}>
          <Input
            type="number"
            min={1}
            width={12}
            suffix="events"
            value={rule.threshold}
            onChange={(e) => set({ threshold: Number(e.currentTarget.value) })}
          />
        </Field>
        <Field label={t('alerts.form.window', 'Within')} invalid={!!errors.windowMinutes} error={errors.windowMinutes}>
          <Input
            type="number"
            min={1}
            width={12}
            suffix="min"
            value={rule.windowMinutes}
            onChange={(e) => set({ windowMinutes: Number(e.currentTarget.value) })}
          />
        </Field>
        <Field label={t('alerts.form.per-actor', 'Count per actor')}>
          <Checkbox value={rule.perActor} onChange={(e) => set({ perActor: e.currentTarget.checked })} />
        </Field>
      </Stack>
      <Stack direction="row" gap={2}>
        <Field label={t('alerts.form.event-types', 'Event types (optional)')}>
          <TagsInput
            tags={rule.eventTypes}
            onChange={(eventTypes) => set({ eventTypes })}
            placeholder="auth.login.failed"
          />
        </Field>
        <Field label={t('alerts.form.outcome', 'Outcome')}>
          <Select<Outcome | ''>
            width={16}
            options={[{ value: '', label: 'Any' }, ...OUTCOMES.map((o) => ({ value: o, label: o }))]}
            value={rule.outcome}
            onChange={(x) => set({ outcome: x.value ?? '' })}
          />
        </Field>
      </Stack>
      <Stack direction="row" gap={2}>
        <Field
          label={t('alerts.form.actor', 'Actor (optional)')}
          description={t('alerts.form.actor-help', 'One actor’s events: user id or e-mail')}
        >
          <Input
            width={30}
            value={rule.actor}
            onChange={(e) => set({ actor: e.currentTarget.value })}
            aria-label="Actor"
          />
        </Field>
        <Field
          label={t('alerts.form.changed-to', 'Changed to (optional)')}
          description={t('alerts.form.changed-to-help', 'Only changes whose after state holds this value, e.g. admin')}
        >
          <Input
            width={30}
            value={rule.changedTo}
            onChange={(e) => set({ changedTo: e.currentTarget.value })}
            aria-label="Changed to"
          />
        </Field>
      </Stack>
    </>
  );
}
