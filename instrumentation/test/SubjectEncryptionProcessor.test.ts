import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDecipheriv } from 'node:crypto';
import { DirectorySubjectKeyStore } from '../src/SubjectKeyStore';
import {
  ATTR_SUBJECT,
  ATTR_TARGET_SUBJECT,
  SubjectEncryptionProcessor,
  encryptIdentity,
} from '../src/processors/SubjectEncryptionProcessor';

const dir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'attest-subjects-'));

function decrypt(key: Buffer, attribute: string, value: string): string {
  const body = Buffer.from(value.split(':')[3], 'base64url');
  const d = createDecipheriv('aes-256-gcm', key, body.subarray(0, 12));
  d.setAAD(Buffer.from(attribute));
  d.setAuthTag(body.subarray(body.length - 16));
  return Buffer.concat([d.update(body.subarray(12, body.length - 16)), d.final()]).toString('utf8');
}

const record = () => ({
  body: 'Ana Lima (ana@example.com) removed Bob from the Analytics team',
  attributes: {
    'user.id': 'u-ana',
    'user.email': 'Ana@Example.com',
    'user.name': 'Ana Lima',
    'client.address': '203.0.113.9',
    'audit.target.type': 'user',
    'audit.target.id': 'u-bob',
    'audit.target.name': 'Bob',
    'audit.changes': JSON.stringify({ before: { members: ['Bob', 'Carla'] }, after: { members: ['Carla'] } }),
  } as Record<string, string>,
});

describe('SubjectEncryptionProcessor', () => {
  it('stores identities encrypted under each subject’s key, with the subject refs, and scrubs them from text', () => {
    const store = new DirectorySubjectKeyStore(dir());
    const p = new SubjectEncryptionProcessor({ keyStore: store, tenant: 'acme' });
    const r = record();
    p.process(r);
    const a = r.attributes;
    const ana = store.keyFor('acme', ['u-ana']);
    const bob = store.keyFor('acme', ['u-bob']);
    assert.equal(a[ATTR_SUBJECT], ana.ref);
    assert.equal(a[ATTR_TARGET_SUBJECT], bob.ref);
    assert.notEqual(ana.ref, bob.ref);
    assert.equal(decrypt(ana.key, 'user.email', a['user.email'] as string), 'ana@example.com');
    assert.equal(decrypt(ana.key, 'user.name', a['user.name'] as string), 'Ana Lima');
    assert.equal(decrypt(ana.key, 'client.address', a['client.address'] as string), '203.0.113.9');
    assert.equal(decrypt(bob.key, 'audit.target.name', a['audit.target.name'] as string), 'Bob');
    const stored = JSON.stringify(r);
    for (const plain of ['u-ana', 'Ana Lima', 'ana@example.com', 'Ana@Example.com', '203.0.113.9', 'u-bob', '"Bob"']) {
      assert.ok(!stored.includes(plain), `${plain} stored in clear: ${stored}`);
    }
    assert.equal(r.body, '[subject] ([subject]) removed [target] from the Analytics team');
    assert.deepEqual(JSON.parse(a['audit.changes'] as string).before.members, ['[target]', 'Carla']);
  });

  it('is deterministic per subject (equal values, equal ciphertexts) and finds a subject by id or e-mail', () => {
    const store = new DirectorySubjectKeyStore(dir());
    const p = new SubjectEncryptionProcessor({ keyStore: store, tenant: 'acme' });
    const r1 = record();
    const r2 = record();
    p.process(r1);
    p.process(r2);
    assert.equal(r1.attributes['user.email'], r2.attributes['user.email']);
    assert.equal(store.keyFor('acme', ['ana@example.com']).ref, r1.attributes[ATTR_SUBJECT]);
    assert.equal(encryptIdentity(store.keyFor('acme', ['u-ana']), 'user.id', 'u-ana'), r1.attributes['user.id']);
    // Another tenant's Ana is another subject.
    assert.notEqual(store.keyFor('globex', ['u-ana']).ref, r1.attributes[ATTR_SUBJECT]);
  });

  it('after the key is deleted (erasure), a new event of the person gets a new key, never the old one', () => {
    const d = dir();
    const store = new DirectorySubjectKeyStore(d);
    const before = store.keyFor('acme', ['u-ana', 'ana@example.com']);
    const keyFile = fs
      .readdirSync(d, { recursive: true })
      .map(String)
      .find((f) => f.endsWith(before.ref)) as string;
    fs.rmSync(path.join(d, keyFile));
    const fresh = new DirectorySubjectKeyStore(d).keyFor('acme', ['u-ana']);
    assert.notEqual(fresh.ref, before.ref);
    assert.ok(!fresh.key.equals(before.key));
  });
});
