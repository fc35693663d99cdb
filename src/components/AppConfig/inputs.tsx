// The configuration form's inputs: its props, secureJsonData secrets (sent only when typed) and the
// plain text inputs, with the checks the form runs before saving.
import React, { useState } from 'react';
import { css } from '@emotion/css';
import { type GrafanaTheme2 } from '@grafana/data';
import { Input, SecretInput, useStyles2 } from '@grafana/ui';

import { type AppJsonData, validAlertInterval } from 'services/settings';

export interface FormProps {
  form: AppJsonData;
  set: (patch: Partial<AppJsonData>) => void;
}

/** A secureJsonData value: sent only when typed, so an unchanged secret stays as stored. */
export interface Secret {
  value: string;
  configured: boolean;
  change: (v: string) => void;
  reset: () => void;
}

export function useSecret(configured: boolean): Secret {
  const [value, setValue] = useState('');
  const [isSet, setIsSet] = useState(configured);
  return {
    value,
    configured: isSet,
    change: setValue,
    reset: () => {
      setIsSet(false);
      setValue('');
    },
  };
}

export function SecretField({ secret, testId }: { secret: Secret; testId?: string }) {
  const styles = useStyles2(getStyles);
  return (
    <SecretInput
      isConfigured={secret.configured}
      value={secret.value}
      onChange={(ev) => secret.change(ev.currentTarget.value)}
      onReset={secret.reset}
      className={styles.input}
      data-testid={testId}
    />
  );
}

export function TextInput({
  form,
  set,
  name,
  testId,
}: FormProps & { name: 'lokiUrl' | 'tenant' | 'lokiUser'; testId?: string }) {
  const styles = useStyles2(getStyles);
  return (
    <Input
      data-testid={testId}
      value={form[name] ?? ''}
      onChange={(ev) => set({ [name]: ev.currentTarget.value })}
      className={styles.input}
    />
  );
}

/** The store's address is server level when grafana.ini names one; an org's URL counts only in a single-org install. */
export const lokiUrlOk = (form: AppJsonData) => !form.lokiUrl || /^https?:\/\/[^\s]+$/.test(form.lokiUrl);
export const alertIntervalOk = (form: AppJsonData) =>
  form.alertInterval === undefined || validAlertInterval(form.alertInterval);

export const getStyles = (_theme: GrafanaTheme2) => ({
  input: css({ maxWidth: 480 }),
});
