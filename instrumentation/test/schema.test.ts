import { describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';

import { ATTR, AUDIT_CATEGORIES, DEFAULT_COMPLIANCE_MAPPING, SEVERITY_NUMBERS } from '../src';

// The package's constants are generated from the repository's one schema definition.
const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '../../schema/audit-event.json'), 'utf8'));

describe('schema', () => {
  it('matches schema/audit-event.json', () => {
    assert.deepEqual([...AUDIT_CATEGORIES], schema.categories);
    assert.deepEqual({ ...ATTR }, schema.attributes);
    for (const s of schema.severities) {
      assert.equal(SEVERITY_NUMBERS[s.text as keyof typeof SEVERITY_NUMBERS], s.number);
    }
    assert.deepEqual(
      JSON.parse(JSON.stringify(DEFAULT_COMPLIANCE_MAPPING.categories)),
      schema.complianceMapping.categories
    );
  });
});
