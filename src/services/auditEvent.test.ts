import { parseJsonSafe } from './auditEvent';

describe('parseJsonSafe', () => {
  it.each([
    ['{"a":1}', true],
    ['{"a":', false],
    ['', false],
    ['not json', false],
  ])('%p -> ok=%p', (raw, ok) => {
    expect(parseJsonSafe(raw).ok).toBe(ok);
  });
});
