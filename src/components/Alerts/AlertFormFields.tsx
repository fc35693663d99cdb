import React from 'react';
import { t } from '@grafana/i18n';
import { Button, Checkbox, Field, Input, MultiSelect, RadioButtonGroup, Select, Stack, TagsInput } from '@grafana/ui';

import { type AlertKind, type AlertRuleInput, type ContactPoint } from 'services/alertsApi';
import { CATEGORIES, type Category, OUTCOMES, type Outcome, type Severity } from 'services/enums';
import { testIds } from 'services/testIds';

export interface FieldsProps {
  rule: AlertRuleInput;
  set: (patch: Partial<AlertRuleInput>) => void;
  errors: Partial<Record<keyof AlertRuleInput, string>>;
}

const SEVERITY_OPTIONS: Array<{ value: Severity; label: string; description: string }> = [
  { value: 'WARNING', label: 'WARNING', description: 'WARNING, ERROR and CRITICAL events' },
  { value: 'ERROR', label: 'ERROR', description: 'ERROR and CRITICAL events' },
  { value: 'CRITICAL', label: 'CRITICAL', description: 'CRITICAL events only' },
  { value: 'INFO', label: 'Any', description: 'Every severity' },
];

/** What the rule watches: matching events or a quiet service, the categories and the severity. */
export function TriggerFields({ rule, set, errors }: FieldsProps) {
  return (
    <>
      <Field label={t('alerts.form.kind', 'Trigger when')}>
        <RadioButtonGroup<AlertKind>
          value={rule.kind}
          onChange={(kind) => set({ kind, perActor: kind === 'silence' ? false : rule.perActor })}
          options={[
            { value: 'count', label: t('alerts.form.kind-count', 'Matching events arrive') },
            { value: 'silence', label: t('alerts.form.kind-silence', 'A service goes quiet') },
          ]}
        />
      </Field>
      <Field
        label={t('alerts.form.categories', 'Event categories')}
        required
        invalid={!!errors.categories}
        error={errors.categories}
        data-testid={testIds.alerts.categories}
      >
        <MultiSelect<Category>
          options={CATEGORIES.map((c) => ({ value: c, label: c }))}
          value={rule.categories}
          onChange={(xs) => set({ categories: xs.map((x) => x.value!) })}
          aria-label="Event categories"
        />
      </Field>
      <Field
        label={t('alerts.form.severity', 'Severity threshold')}
        description={t('alerts.form.severity-help', 'Only events at or above this level count')}
      >
        <RadioButtonGroup value={rule.severity} onChange={(severity) => set({ severity })} options={SEVERITY_OPTIONS} />
      </Field>
    </>
  );
}

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

/** A silence rule: how long a service may stay quiet. */
export function SilenceField({ rule, set, errors }: FieldsProps) {
  return (
    <Field
      label={t('alerts.form.quiet-for', 'Quiet for')}
      invalid={!!errors.windowMinutes}
      error={errors.windowMinutes}
    >
      <Input
        type="number"
        min={1}
        width={12}
        suffix="min"
        value={rule.windowMinutes}
        onChange={(e) => set({ windowMinutes: Number(e.currentTarget.value) })}
      />
    </Field>
  );
}

/** The Grafana contact points the rule notifies, with a way to make a new one. */
export function ChannelField({
  rule,
  set,
  errors,
  contactPoints,
  onNew,
}: FieldsProps & { contactPoints: ContactPoint[]; onNew: () => void }) {
  return (
    <Field
      label={t('alerts.form.channels', 'Notification channels')}
      description={t('alerts.form.channels-help', 'Grafana contact points')}
      required
      invalid={!!errors.contactPoints}
      error={errors.contactPoints}
      data-testid={testIds.alerts.contactPoints}
    >
      <Stack direction="row" gap={1}>
        <MultiSelect<string>
          options={contactPoints.map((c) => ({ value: c.name, label: c.name, description: c.types.join(', ') }))}
          value={rule.contactPoints}
          onChange={(xs) => set({ contactPoints: xs.map((x) => x.value!) })}
          aria-label="Notification channels"
        />
        <Button variant="secondary" icon="plus" onClick={onNew} data-testid={testIds.alerts.newContactPoint}>
          {t('alerts.form.new-contact-point', 'New')}
        </Button>
      </Stack>
    </Field>
  );
}
