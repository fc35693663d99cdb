import { buildOverviewQueries, fetchOverviewStats, rangeMsOf } from './stats';
import { type LokiTransport } from './lokiTransport';

const range = { startNs: '1790000000000000000', endNs: '1790086400000000000' };

function fakeTransport(): LokiTransport & { calls: Array<{ path: string; params: Record<string, string> }> } {
  const calls: Array<{ path: string; params: Record<string, string> }> = [];
  return {
    calls,
    async get(path, params) {
      calls.push({ path, params });
      const q = params.query;
      if (q.startsWith('sum by (audit_category, severity_text)')) {
        return {
          data: {
            resultType: 'vector',
            result: [
              { metric: { audit_category: 'AUTH', severity_text: 'INFO' }, value: [0, '10'] },
              { metric: { audit_category: 'AUTH', severity_text: 'WARNING' }, value: [0, '3'] },
              { metric: { audit_category: 'SYSTEM', severity_text: 'CRITICAL' }, value: [0, '1'] },
              { metric: { audit_category: 'SECURITY', severity_text: 'ERROR' }, value: [0, '2'] },
            ],
          },
        };
      }
      if (q.startsWith('count(')) {
        return { data: { resultType: 'vector', result: [{ metric: {}, value: [0, '4'] }] } };
      }
      if (q.startsWith('topk')) {
        return {
          data: {
            resultType: 'vector',
            result: [
              { metric: { audit_event: 'b' }, value: [0, '5'] },
              { metric: { audit_event: 'a' }, value: [0, '9'] },
            ],
          },
        };
      }
      if (q.startsWith('sum by (audit_category)')) {
        return {
          data: {
            resultType: 'matrix',
            result: [{ metric: { audit_category: 'AUTH' }, values: [[1790001800, '13']] }],
          },
        };
      }
      return {
        data: {
          resultType: 'streams',
          result: [
            {
              stream: { severity_text: 'ERROR' },
              values: [['1790000000000000005', 'boom', { structuredMetadata: { audit_id: 'x' } }]],
            },
          ],
        },
      };
    },
  };
}

describe('rangeMsOf', () => {
  it('needs whole milliseconds', () => {
    expect(rangeMsOf(range)).toEqual(86_400_000);
    expect(() => rangeMsOf({ startNs: '1', endNs: '2' })).toThrow();
  });
});

describe('buildOverviewQueries', () => {
  it('builds the five queries', () => {
    expect(buildOverviewQueries({}, range)).toEqual({
      counts: 'sum by (audit_category, severity_text) (count_over_time({service_name=~".+"} [1d]))',
      activeUsers:
        'count(sum by (user_id) (count_over_time({service_name=~".+"} | audit_actor_type="user" | user_id!="" [1d])))',
      topEventTypes: 'topk(5, sum by (audit_event) (count_over_time({service_name=~".+"} [1d])))',
      overTime: 'sum by (audit_category) (count_over_time({service_name=~".+"} [30m]))',
      recentHighSeverity: '{service_name=~".+", severity_text=~"CRITICAL|ERROR"}',
      rangeMs: 86_400_000,
      stepMs: 1_800_000,
    });
  });
});

describe('fetchOverviewStats', () => {
  it('summarises the metric results', async () => {
    const t = fakeTransport();
    const s = await fetchOverviewStats(t, {}, range);
    expect(s).toMatchObject({
      total: 16,
      criticalAndError: 3,
      warnings: 3,
      activeUsers: 4,
      byCategory: [
        { category: 'AUTH', count: 13 },
        { category: 'SECURITY', count: 2 },
        { category: 'SYSTEM', count: 1 },
      ],
      topEventTypes: [
        { eventType: 'a', count: 9 },
        { eventType: 'b', count: 5 },
      ],
    });
    expect(s.overTime.series).toEqual([{ category: 'AUTH', points: [[1790001800000, 13]] }]);
    expect(s.recentHighSeverity.map((e) => e.description)).toEqual(['boom']);
    // instant queries are evaluated at end - 1ns so that (t - range, t] == [start, end)
    expect(t.calls.find((c) => c.path === 'query')?.params.time).toEqual('1790086399999999999');
  });
});

describe('runLimited', () => {
  it('keeps at most `limit` tasks in flight and returns results in task order', async () => {
    const { runLimited } = jest.requireActual('./stats');
    let inFlight = 0;
    let peak = 0;
    const task = (v: number, ms: number) => async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, ms));
      inFlight--;
      return v;
    };
    const out = await runLimited([task(1, 20), task(2, 5), task(3, 1), task(4, 10), task(5, 1)], 2);
    expect(out).toEqual([1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
  });
});
