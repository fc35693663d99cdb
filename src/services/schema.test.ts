import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { CATEGORIES, INDEX_LABELS, METADATA, SEVERITIES } from './enums';

const root = path.resolve(__dirname, '../..');
const schema = JSON.parse(fs.readFileSync(path.join(root, 'schema/audit-event.json'), 'utf8'));

describe('the one schema definition', () => {
  it('is what the frontend uses', () => {
    expect(CATEGORIES).toEqual(schema.categories);
    expect([...SEVERITIES].sort()).toEqual(schema.severities.map((s: { text: string }) => s.text).sort());
    expect(INDEX_LABELS).toEqual(schema.loki.indexLabels);
    expect(METADATA.id).toBe(schema.attributes.id.replaceAll('.', '_'));
    expect(METADATA.userAgent).toBe('user_agent_original');
  });

  it('has every generated file up to date (npm run schema)', () => {
    expect(() =>
      execFileSync('node', [path.join(root, 'scripts/schema/generate.mjs'), '--check'], { stdio: 'pipe' })
    ).not.toThrow();
  });
});
