// Writes test-vectors/subject-encryption.json: identities encrypted by the package under a fixed subject
// key, which the backend (pkg/subjects) must read back and reproduce byte for byte.
import fs from 'node:fs';
import path from 'node:path';
import { encryptIdentity } from '../src/processors/SubjectEncryptionProcessor';

const key = Buffer.from('4f'.repeat(16) + 'a1'.repeat(16), 'hex');
const ref = '0123456789abcdef0123456789abcdef';
const cases = [
  ['user.id', 'u-ana'],
  ['user.email', 'Ana@Example.com'],
  ['user.name', 'Ána Lima'],
  ['client.address', '203.0.113.9'],
  ['audit.target.name', 'Bob'],
].map(([attribute, value]) => ({ attribute, value, stored: encryptIdentity({ ref, key }, attribute, value) }));
const out = path.join(__dirname, '..', 'test-vectors', 'subject-encryption.json');
fs.writeFileSync(
  out,
  JSON.stringify(
    {
      description:
        'Identities as the package stores them (SubjectEncryptionProcessor): deterministic AES-256-GCM under the subject key, enc:v1:<ref>:<base64url(iv|ciphertext|tag)>, the attribute as additional data, e-mail addresses lowercased. pkg/subjects reads and reproduces them.',
      ref,
      key: key.toString('hex'),
      cases,
    },
    null,
    1
  ) + '\n'
);
console.log(`wrote ${cases.length} cases to ${out}`);
