import { makeFilters } from './filters';
import { defaultViewerState, stateFromSearchParams, stateToSearchParams } from './urlState';

describe('URL state', () => {
  it('round-trips every filter, the time range, the cursor and the expanded row', () => {
    const state = {
      filters: makeFilters({
        search: 'a "b" & c=d',
        categories: ['AUTH', 'SECURITY'],
        severities: ['CRITICAL'],
        eventType: 'user.created',
        service: 'billing-api',
        actor: 'alice@acme.example',
        targetType: 'hardware',
        targetId: 'har-1',
        outcome: 'denied',
        eventId: '01a2-x',
      }),
      from: 'now-7d',
      to: 'now',
      cursor: { dir: 'older' as const, tsNs: '1790000000000000001', key: 'k-1' },
      live: true,
    };
    const qs = stateToSearchParams(state).toString();
    expect(stateFromSearchParams(new URLSearchParams(qs))).toEqual(state);
  });

  it('writes nothing for the default state', () => {
    expect(stateToSearchParams(defaultViewerState()).toString()).toEqual('');
    expect(stateFromSearchParams(new URLSearchParams(''))).toEqual({
      ...defaultViewerState(),
      cursor: undefined,
      live: false,
    });
  });

  it('drops hostile or unknown values instead of trusting them', () => {
    const s = stateFromSearchParams(
      new URLSearchParams('category=AUTH&category=EVIL%22%7D&severity=INFO,LOUD&outcome=x&from=javascript:1&cursor=zzz')
    );
    expect(s.filters.categories).toEqual(['AUTH']);
    expect(s.filters.severities).toEqual(['INFO']);
    expect(s.filters.outcome).toEqual('');
    expect(s.from).toEqual('now-24h');
    expect(s.cursor).toBeUndefined();
  });

  it('accepts absolute epoch-millisecond ranges', () => {
    const s = stateFromSearchParams(new URLSearchParams('from=1700000000000&to=1700086400000'));
    expect([s.from, s.to]).toEqual(['1700000000000', '1700086400000']);
  });
});
