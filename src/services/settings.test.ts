import { narrowAppJsonData, validAlertInterval } from './settings';

describe('alert interval', () => {
  it('accepts what the backend accepts: 10 s to 24 h in steps of 10 s', () => {
    for (const ok of ['10s', '30s', '1m', '1m30s', '2h', '24h']) {
      expect(validAlertInterval(ok)).toBe(true);
    }
    for (const bad of ['', '5s', '15s', '25h', '1d', 'soon', '-1m']) {
      expect(validAlertInterval(bad)).toBe(false);
    }
  });

  it('survives narrowing, so saving the configuration page keeps it', () => {
    expect(narrowAppJsonData({ alertInterval: '30s', unknown: 1 })).toEqual({ alertInterval: '30s' });
  });
});
