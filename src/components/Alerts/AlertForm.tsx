import React, { useState } from 'react';
import { t } from '@grafana/i18n';
import {
  Alert,
  Button,
  Checkbox,
  Field,
  Input,
  Modal,
  MultiSelect,
  RadioButtonGroup,
  Select,
  Stack,
  Switch,
  TagsInput,
  TextArea,
} from '@grafana/ui';

import {
  type AlertKind,
  type AlertRuleInput,
  type ContactPoint,
  EMPTY_RULE,
  inputOf,
  validateRule,
} from 'services/alertsApi';
import { CATEGORIES, type Category, OUTCOMES, type Outcome, type Severity } from 'services/enums';
import { testIds } from 'services/testIds';

import { ContactPointForm } from './ContactPointForm';

interface Props {
  initial?: AlertRuleInput;
  isNew: boolean;
  contactPoints: ContactPoint[];
  onContactPointCreated: () => void;
  onSave: (rule: AlertRuleInput) => Promise<void>;
  onDismiss: () => void;
}

const SEVERITY_OPTIONS: Array<{ value: Severity; label: string; description: string }> = [
  { value: 'WARNING', label: 'WARNING', description: 'WARNING, ERROR and CRITICAL events' },
  { value: 'ERROR', label: 'ERROR', description: 'ERROR and CRITICAL events' },
  { value: 'CRITICAL', label: 'CRITICAL', description: 'CRITICAL events only' },
  { value: 'INFO', label: 'Any', description: 'Every severity' },
];

export function AlertForm({ initial, isNew, contactPoints, onContactPointCreated, onSave, onDismiss }: Props) {
  const [rule, setRule] = useState<AlertRuleInput>(() => inputOf(initial ?? EMPTY_RULE));
  const [submitted, setSubmitted] = useState(false);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string>();
  const [addingContactPoint, setAddingContactPoint] = useState(false);
  const errors = submitted ? validateRule(rule) : {};
  const set = (patch: Partial<AlertRuleInput>) => setRule((r) => ({ ...r, ...patch }));

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
          <RadioButtonGroup
            value={rule.severity}
            onChange={(severity) => set({ severity })}
            options={SEVERITY_OPTIONS}
          />
        </Field>
        {rule.kind === 'count' && (
          <>
            <Stack direction="row" gap={2}>
              <Field
                label={t('alerts.form.threshold', 'At least')}
                invalid={!!errors.threshold}
                error={errors.threshold}
              >
                <Input
                  type="number"
                  min={1}
                  width={12}
                  suffix="events"
                  value={rule.threshold}
                  onChange={(e) => set({ threshold: Number(e.currentTarget.value) })}
                />
              </Field>
              <Field
                label={t('alerts.form.window', 'Within')}
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
          </>
        )}
        {rule.kind === 'count' && (
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
              description={t(
                'alerts.form.changed-to-help',
                'Only changes whose after state holds this value, e.g. admin'
              )}
            >
              <Input
                width={30}
                value={rule.changedTo}
                onChange={(e) => set({ changedTo: e.currentTarget.value })}
                aria-label="Changed to"
              />
            </Field>
          </Stack>
        )}
        {rule.kind === 'silence' && (
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
        )}
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
            <Button
              variant="secondary"
              icon="plus"
              onClick={() => setAddingContactPoint(true)}
              data-testid={testIds.alerts.newContactPoint}
            >
              {t('alerts.form.new-contact-point', 'New')}
            </Button>
          </Stack>
        </Field>
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
