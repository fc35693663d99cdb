import { compareNs, parseJsonSafe, parseMatrixResponse, parseStreamsResponse, parseVectorResponse } from './auditEvent';

const streams = (result: unknown) => ({ status: 'success', data: { resultType: 'streams', result } });

describe('parseStreamsResponse', () => {
  it('merges index labels and categorized structured metadata', () => {
    const [e] = parseStreamsResponse(
      streams([
        {
          stream: { service_name: 'identity-service', audit_category: 'AUTH', severity_text: 'WARNING' },
          values: [
            [
              '1790000000123456789',
              'Failed sign-in',
              {
                structuredMetadata: {
                  audit_id: 'id-1',
                  audit_event: 'auth.login.failed',
                  user_roles: 'admin, auditor',
                  audit_compliance: 'SOX,GDPR',
                  audit_actor_type: 'user',
                },
              },
            ],
          ],
        },
      ])
    );
    expect(e).toMatchObject({
      key: 'id-1',
      tsNs: '1790000000123456789',
      timeMs: 1790000000123,
      description: 'Failed sign-in',
      category: 'AUTH',
      severity: 'WARNING',
      service: 'identity-service',
      eventType: 'auth.login.failed',
      actorRoles: ['admin', 'auditor'],
      compliance: ['SOX', 'GDPR'],
    });
  });

  it('reads metadata merged into the stream labels (no encoding flag)', () => {
    const [e] = parseStreamsResponse(
      streams([{ stream: { audit_id: 'x', audit_event: 'a.b' }, values: [['1', 'l']] }])
    );
    expect(e).toMatchObject({ id: 'x', eventType: 'a.b', key: 'x' });
  });

  it('skips malformed entries instead of throwing', () => {
    const events = parseStreamsResponse(
      streams([{ stream: {}, values: [['abc', 'x'], [1, 'y'], 'nope', ['5', 'ok', null]] }, null, { values: 3 }])
    );
    expect(events.map((e) => e.description)).toEqual(['ok']);
    expect(events[0].key).toEqual('~5:ok');
  });

  it('rejects a non-streams response', () => {
    expect(() => parseStreamsResponse({ data: { resultType: 'matrix', result: [] } })).toThrow(/streams/);
    expect(() => parseStreamsResponse('<html>')).toThrow();
  });
});

describe('parseVectorResponse / parseMatrixResponse', () => {
  it('parses samples', () => {
    expect(
      parseVectorResponse({
        data: { resultType: 'vector', result: [{ metric: { a: 'b' }, value: [1, '42'] }, { value: [1, 'NaNx'] }] },
      })
    ).toEqual([{ metric: { a: 'b' }, value: 42 }]);
    expect(
      parseMatrixResponse({ data: { resultType: 'matrix', result: [{ metric: {}, values: [[1700000000.5, '3']] }] } })
    ).toEqual([{ metric: {}, values: [[1700000000500, 3]] }]);
  });
  it('rejects the wrong result type', () => {
    expect(() => parseVectorResponse({ data: { resultType: 'matrix', result: [] } })).toThrow(/vector/);
  });
});

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

describe('compareNs', () => {
  it.each([
    ['1', '2', -1],
    ['10', '9', 1],
    ['1795480118607544339', '1795480118607544339', 0],
    ['1795480118607544339', '1795480118607544340', -1],
    ['0009', '10', -1],
    ['0', '0', 0],
  ])('%s vs %s', (a, b, want) => {
    expect(Math.sign(compareNs(a, b))).toBe(want);
  });
});
