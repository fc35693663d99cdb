import React, { useState } from 'react';
import { t } from '@grafana/i18n';
import { Alert, Button, Field, Input, Modal, Switch, TextArea } from '@grafana/ui';

import { type AlertRuleInput, type ContactPoint, EMPTY_RULE, inputOf, validateRule } from 'services/alertsApi';
import { testIds } from 'services/testIds';

import { TriggerFields } from './AlertFormFields';
import { CountFields } from './CountFields';
import { ChannelField, SilenceField } from './DeliveryFields';
import { ContactPointForm } from './ContactPointForm';

interface Props {
  initial?: AlertRuleInput;
  isNew: boolean;
  contactPoints: ContactPoint[];
  onContactPointCreated: () => void;
  onSave: (rule: AlertRuleInput) => Promise<void>;
  onDismiss: () => void;
}

export function AlertForm({ initial, isNew, contactPoints, onContactPointCreated, onSave, onDismiss }: Props) {
  const [rule, setRule] = useState<AlertRuleInput>(() => inputOf(initial ?? EMPTY_RULE));
  const [submitted, setSubmitted] = useState(false);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string>();
  const [addingContactPoint, setAddingContactPoint] = useState(false);
  const errors = submitted ? validateRule(rule) : {};
  const set = (patch: Partial<AlertRuleInput>) => setRule((r) => ({ ...r, ...patch }));
  const fieldProps = { rule, set, errors };

  const submit = async () => {
    setSubmitted(true);
    if (Object.keys(validateRule(rule)).length > 0) {
      return;
    }
    setSaving(true);
    try {
      await onSave(rule);
    } catch (e) {
      setSaveError(e instanceof Error ? e.message : String(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      title={isNew ? t('alerts.form.create', 'Create alert') : t('alerts.form.edit', 'Edit alert')}
      isOpen
      onDismiss={onDismiss}
    >
      <div data-testid={testIds.alerts.form}>
        {saveError && (
          <Alert severity="error" title={t('alerts.form.save-failed', 'Not saved')}>
            {saveError}
          </Alert>
        )}
        <Field label={t('alerts.form.name', 'Name')} required invalid={!!errors.name} error={errors.name}>
          <Input
            value={rule.name}
            onChange={(e) => set({ name: e.currentTarget.value })}
            data-testid={testIds.alerts.name}
          />
        </Field>
        <Field label={t('alerts.form.description', 'Description')}>
          <TextArea rows={2} value={rule.description} onChange={(e) => set({ description: e.currentTarget.value })} />
        </Field>
        <TriggerFields {...fieldProps} />
        {rule.kind === 'count' && <CountFields {...fieldProps} />}
        {rule.kind === 'silence' && <SilenceField {...fieldProps} />}
        <ChannelField {...fieldProps} contactPoints={contactPoints} onNew={() => setAddingContactPoint(true)} />
        {addingContactPoint && (
          <ContactPointForm
            onCreated={(cp) => {
              setAddingContactPoint(false);
              set({ contactPoints: [...rule.contactPoints, cp.name] });
              onContactPointCreated();
            }}
            onCancel={() => setAddingContactPoint(false)}
          />
        )}
        <Field label={t('alerts.form.active', 'Active')}>
          <Switch value={rule.active} onChange={() => set({ active: !rule.active })} />
        </Field>
        <Modal.ButtonRow>
          <Button variant="secondary" fill="outline" onClick={onDismiss}>
            {t('alerts.form.cancel', 'Cancel')}
          </Button>
          <Button onClick={submit} disabled={saving} data-testid={testIds.alerts.save}>
            {t('alerts.form.save', 'Save')}
          </Button>
        </Modal.ButtonRow>
      </div>
    </Modal>
  );
}
