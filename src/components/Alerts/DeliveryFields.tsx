import React from 'react';
import { t } from '@grafana/i18n';
import { Button, Field, Input, MultiSelect, Stack } from '@grafana/ui';

import { type ContactPoint } from 'services/alertsApi';
import { testIds } from 'services/testIds';

import { type FieldsProps } from './AlertFormFields';

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
