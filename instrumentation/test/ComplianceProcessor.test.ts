import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ComplianceProcessor } from '../src/processors/ComplianceProcessor';
import { DEFAULT_COMPLIANCE_MAPPING, complianceTags } from '../src/compliance';
import { AUDIT_CATEGORIES } from '../src/schema';

const rec = (attributes: Record<string, string>) => ({ attributes: { ...attributes } as Record<string, string> });

describe('ComplianceProcessor', () => {
  describe('process', () => {
    it('should tag by category', () => {
      const p = new ComplianceProcessor();
      const r = rec({ 'audit.category': 'AUTH' });
      p.process(r);
      assert.equal(r.attributes['audit.compliance'], 'ISO27001,SOC2,NIS2');
    });

    it('should add data classification tags and keep explicit ones, in a fixed order', () => {
      const p = new ComplianceProcessor();
      const r = rec({
        'audit.category': 'DATA_ACCESS',
        'audit.classification': 'pii,phi,cardholder',
        'audit.compliance': 'SOX',
      });
      p.process(r);
      assert.equal(r.attributes['audit.compliance'], 'SOX,GDPR,HIPAA,ISO27001,PCI_DSS,SOC2');
    });

    it('should map every category', () => {
      for (const c of AUDIT_CATEGORIES) {
        assert.ok((DEFAULT_COMPLIANCE_MAPPING.categories[c] ?? []).length > 0, c);
      }
    });

    it('should accept overrides merged into the defaults', () => {
      const p = new ComplianceProcessor({
        mapping: { categories: { AI_USAGE: ['ISO27001', 'GDPR'] }, classifications: { financial: ['SOX', 'PCI_DSS'] } },
      });
      const r = rec({ 'audit.category': 'AI_USAGE', 'audit.classification': 'financial' });
      p.process(r);
      assert.equal(r.attributes['audit.compliance'], 'SOX,GDPR,ISO27001,PCI_DSS');
      const r2 = rec({ 'audit.category': 'AUTH' });
      p.process(r2);
      assert.equal(r2.attributes['audit.compliance'], 'ISO27001,SOC2,NIS2');
    });

    it('should use a replacement table as is', () => {
      const p = new ComplianceProcessor({ mapping: { categories: { AUTH: ['SOC2'] } }, replaceDefaults: true });
      const r = rec({ 'audit.category': 'AUTH', 'audit.classification': 'pii' });
      p.process(r);
      assert.equal(r.attributes['audit.compliance'], 'SOC2');
      const r2 = rec({ 'audit.category': 'SYSTEM' });
      p.process(r2);
      assert.equal(r2.attributes['audit.compliance'], undefined);
    });

    it('should ignore unknown categories and tags without throwing', () => {
      assert.deepEqual(complianceTags(DEFAULT_COMPLIANCE_MAPPING, 'NOPE', ['__proto__', 'constructor'], ['EVIL']), []);
      const p = new ComplianceProcessor();
      assert.doesNotThrow(() =>
        p.process({ attributes: { 'audit.category': 5 as never, 'audit.classification': {} as never } })
      );
    });
  });
});
