import React from 'react';
import { css } from '@emotion/css';
import { type GrafanaTheme2 } from '@grafana/data';
import { t } from '@grafana/i18n';
import { Button, Card, Text, useStyles2 } from '@grafana/ui';

import { type AlertRule, describeCondition } from 'services/alertsApi';
import { testIds } from 'services/testIds';

interface Props {
  starters: AlertRule[];
  defaultContactPoint?: string;
  onEnable: (s: AlertRule) => void;
}

/** Rules shipped disabled: one click creates and activates the Grafana rule. */
export function StarterRules({ starters, defaultContactPoint, onEnable }: Props) {
  const styles = useStyles2(getStyles);
  if (starters.length === 0) {
    return null;
  }
  return (
    <section>
      <h3>{t('alerts.starters', 'Starter rules')}</h3>
      <Text color="secondary">
        {defaultContactPoint
          ? t(
              'alerts.starters-help',
              'Enabled rules notify the default contact point ({{cp}}); edit one to change it.',
              {
                cp: defaultContactPoint,
              }
            )
          : t('alerts.starters-help-none', 'Enabled rules notify the default contact point.')}
      </Text>
      <div className={styles.list}>
        {starters.map((s) => (
          <Card key={s.starter} data-testid={testIds.alerts.starter}>
            <Card.Heading>{s.name}</Card.Heading>
            <Card.Description>
              {s.description} <Text color="secondary">({describeCondition(s)})</Text>
            </Card.Description>
            <Card.Actions>
              <Button size="sm" onClick={() => onEnable(s)}>
                {t('alerts.enable', 'Enable')}
              </Button>
            </Card.Actions>
          </Card>
        ))}
      </div>
    </section>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  list: css({ marginTop: theme.spacing(1) }),
});
