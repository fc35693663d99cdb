import React, { useState } from 'react';
import { css } from '@emotion/css';
import { type GrafanaTheme2 } from '@grafana/data';
import { t } from '@grafana/i18n';
import { Alert, Button, Field, Input, RadioButtonGroup, Stack, useStyles2 } from '@grafana/ui';

import { type ContactPoint, type NewContactPoint, createContactPoint } from 'services/alertsApi';

interface Props {
  onCreated: (cp: ContactPoint) => void;
  onCancel: () => void;
}

/** An e-mail, Slack or webhook contact point, made in Grafana Alerting from the alert form. */
export function ContactPointForm({ onCreated, onCancel }: Props) {
  const styles = useStyles2(getStyles);
  const [cp, setCp] = useState<NewContactPoint>({ name: '', type: 'email', addresses: '', url: '' });
  const [error, setError] = useState<string>();
  const create = async () => {
    try {
      const body: NewContactPoint =
        cp.type === 'email'
          ? { name: cp.name, type: cp.type, addresses: cp.addresses }
          : { name: cp.name, type: cp.type, url: cp.url };
      onCreated(await createContactPoint(body));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <div className={styles.box}>
      {error && <Alert severity="error" title={error} />}
      <Stack direction="row" gap={2}>
        <Field label={t('alerts.cp.name', 'Contact point name')}>
          <Input
            aria-label="Contact point name"
            value={cp.name}
            onChange={(e) => setCp({ ...cp, name: e.currentTarget.value })}
          />
        </Field>
        <Field label={t('alerts.cp.type', 'Kind')}>
          <RadioButtonGroup<NewContactPoint['type']>
            value={cp.type}
            onChange={(type) => setCp({ ...cp, type })}
            options={[
              { value: 'email', label: 'E-mail' },
              { value: 'slack', label: 'Slack' },
              { value: 'webhook', label: 'Webhook' },
            ]}
          />
        </Field>
      </Stack>
      {cp.type === 'email' ? (
        <Field label={t('alerts.cp.addresses', 'Addresses')} description="Separated by commas">
          <Input
            aria-label="Addresses"
            value={cp.addresses}
            onChange={(e) => setCp({ ...cp, addresses: e.currentTarget.value })}
          />
        </Field>
      ) : (
        <Field
          label={cp.type === 'slack' ? t('alerts.cp.slack', 'Slack incoming webhook URL') : t('alerts.cp.url', 'URL')}
        >
          <Input aria-label="URL" value={cp.url} onChange={(e) => setCp({ ...cp, url: e.currentTarget.value })} />
        </Field>
      )}
      <Stack direction="row" gap={1}>
        <Button size="sm" onClick={create}>
          {t('alerts.cp.create', 'Create contact point')}
        </Button>
        <Button size="sm" variant="secondary" onClick={onCancel}>
          {t('alerts.cp.cancel', 'Cancel')}
        </Button>
      </Stack>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  box: css({
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(2),
    marginBottom: theme.spacing(2),
  }),
});
