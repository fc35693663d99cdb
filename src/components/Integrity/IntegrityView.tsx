import React, { useState } from 'react';
import { css } from '@emotion/css';
import { type GrafanaTheme2, dateTimeFormat } from '@grafana/data';
import { t } from '@grafana/i18n';
import { Badge, Button, EmptyState, LinkButton, Stack, Text, TimeRangeInput, useStyles2 } from '@grafana/ui';

import { type Verification, breakLink, listVerifications, startVerification } from 'services/integrityApi';
import { testIds } from 'services/testIds';

import { QueryErrorAlert } from 'components/shared/QueryErrorAlert';
import { listTable } from 'components/shared/listTable';
import { rawOf, resolveRange, toNsRange, toTimeRange } from 'components/shared/timeRange';
import { useJobList } from 'components/shared/useJobList';

const active = (v: Verification) => v.status === 'pending' || v.status === 'running';
const nsToDate = (ns: string) => dateTimeFormat(Number(BigInt(ns) / BigInt(1_000_000)));

/** The range a verification was asked for (its summary has it once completed). */
function rangeOf(v: Verification): string {
  try {
    const p = v.summary ?? (JSON.parse(v.params) as { from: string; to: string });
    return `${nsToDate(p.from)} – ${nsToDate(p.to)}`;
  } catch {
    return '—';
  }
}

export function IntegrityView() {
  const styles = useStyles2(getStyles);
  const [range, setRange] = useState(() => toTimeRange('now-24h', 'now'));
  const list = useJobList<Verification>(listVerifications, active);
  const running = list.data?.some(active) ?? false;
  const run = () =>
    list.act(() => startVerification(toNsRange(resolveRange(rawOf(range.raw.from), rawOf(range.raw.to)))));

  const rows = list.data ?? [];
  return (
    <div data-testid={testIds.integrity.container}>
      <Stack direction="row" gap={1} alignItems="center">
        <TimeRangeInput value={range} onChange={setRange} clearable={false} />
        <Button icon="check-circle" onClick={run} disabled={running} data-testid={testIds.integrity.run}>
          {t('integrity.run', 'Verify')}
        </Button>
      </Stack>
      <Text color="secondary" element="p">
        {t(
          'integrity.help',
          'Reads every audit record of the range from Loki, recomputes each hash (with the producers’ keys), checks every link, and compares the chains with the heads the backend kept from earlier verifications. A daily verification runs on its own and alerts through the “integrity break” rule.'
        )}
      </Text>
      <QueryErrorAlert errors={[list.error, list.actionError]} title={t('integrity.error', 'Integrity')} />
      {!list.isLoading && rows.length === 0 ? (
        <EmptyState variant="call-to-action" message={t('integrity.empty', 'No verification yet')} />
      ) : (
        <table className={styles.table} data-testid={testIds.integrity.table}>
          <thead>
            <tr>
              {['Range', 'Requested', 'Status', 'Records', 'Chains', 'Checkpoints', 'Result'].map((h) => (
                <th key={h}>{h}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((v) => {
              const s = v.summary;
              return (
                <tr key={v.id} data-testid={testIds.integrity.row}>
                  <td>{rangeOf(v)}</td>
                  <td>
                    {v.requestedBy}, {dateTimeFormat(v.created)}
                  </td>
                  <td>
                    <Badge
                      text={v.status}
                      color={v.status === 'failed' ? 'red' : active(v) ? 'blue' : 'green'}
                      tooltip={v.error}
                    />
                  </td>
                  <td>
                    {(s?.records ?? v.rows).toLocaleString()}
                    {(s?.unchained ?? 0) > 0 && (
                      <Text variant="bodySmall" color="secondary" element="p">
                        {t('integrity.unchained', '+ {{n}} unchained (not verifiable)', {
                          n: s!.unchained!.toLocaleString(),
                        })}
                      </Text>
                    )}
                  </td>
                  <td>{s ? s.chains.toLocaleString() : '—'}</td>
                  <td>{s ? `${s.checkpoints.matched} of ${s.checkpoints.checked} matched` : '—'}</td>
                  <td>
                    {v.status === 'failed' && <Text color="error">{v.error ?? ''}</Text>}
                    {s && (s.silent?.length ?? 0) > 0 && (
                      <Text variant="bodySmall" color="warning" element="p">
                        {t('integrity.silent', 'Went quiet: {{services}}', {
                          services: s.silent!.map((x) => x.service).join(', '),
                        })}
                      </Text>
                    )}
                    {s &&
                      (s.ok ? (
                        <Badge text={t('integrity.intact', 'Intact')} color="green" icon="check" />
                      ) : (
                        <Stack direction="column" gap={0.5}>
                          <Badge text={`${s.problemCount} problems`} color="red" icon="exclamation-triangle" />
                          {s.firstBreak && (
                            <Text variant="bodySmall">
                              {t('integrity.first-break', 'First: {{kind}} at chain {{chain}} seq {{seq}}', {
                                kind: s.firstBreak.problem,
                                chain: s.firstBreak.chainId.slice(0, 13),
                                seq: s.firstBreak.seq,
                              })}
                            </Text>
                          )}
                          {s.firstBreak && (
                            <LinkButton
                              size="sm"
                              variant="secondary"
                              href={breakLink(s.firstBreak, s)}
                              data-testid={testIds.integrity.breakLink}
                            >
                              {t('integrity.open', 'Open the event')}
                            </LinkButton>
                          )}
                        </Stack>
                      ))}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  table: css({ ...listTable(theme), marginTop: theme.spacing(2) }),
});
