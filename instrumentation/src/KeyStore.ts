/**
 * Per-tenant secret keys for pseudonymisation. Destroying a tenant's key is crypto-shredding:
 * pseudonyms already in the audit trail can no longer be linked to a person, while the trail and
 * its hash chain stay intact.
 */
export interface KeyStore {
  /** The tenant's key, or undefined when there is none (never created, or destroyed). */
  getKey(tenant: string): Buffer | undefined;
  /** Destroys the tenant's key for good. */
  destroyKey(tenant: string): void;
}
