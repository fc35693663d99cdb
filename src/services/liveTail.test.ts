import { NdjsonSplitter } from './liveTail';

describe('NdjsonSplitter', () => {
  it('gives whole messages across chunk boundaries and skips lines that are not messages', () => {
    const s = new NdjsonSplitter();
    expect(s.push('{"type":"open"}\n{"type":"ev')).toEqual([{ type: 'open' }]);
    expect(s.push('ents","events":[]}\nnot json\n{"no":"type"}\n\n{"type":"heart')).toEqual([
      { type: 'events', events: [] },
    ]);
    expect(s.push('beat"}\n')).toEqual([{ type: 'heartbeat' }]);
  });
});
