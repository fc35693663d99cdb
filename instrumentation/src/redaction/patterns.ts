/**
 * Built-in secret patterns. Each names the kind of secret it removes; the marker is
 * `[REDACTED:<kind>]`. Patterns are linear-time (no nested unbounded quantifiers), so a
 * 10 MB string is scanned in one pass.
 */
export interface SecretPattern {
  /** Kind named in the marker, e.g. `jwt`. */
  kind: string;
  /** Regular expression source, without flags. */
  source: string;
  /** `i` for case-insensitive, '' otherwise. */
  flags?: '' | 'i';
  /**
   * Builds the replacement from the match and its capture groups; return the match unchanged to
   * keep it (e.g. a digit run that fails the Luhn check). Default: the marker.
   */
  replace?: (
    match: string,
    groups: Array<string | undefined>,
    marker: string,
    at: { offset: number; input: string }
  ) => string;
}

export const marker = (kind: string): string => `[REDACTED:${kind}]`;

const UUID = /[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}/g;

/** Whether input[from, to) lies within a UUID (8-4-4-4-12 hex digits). */
export function insideUUID(input: string, from: number, to: number): boolean {
  const lo = Math.max(0, from - 36);
  for (const u of input.slice(lo, to + 36).matchAll(UUID)) {
    if (lo + u.index <= from && to <= lo + u.index + u[0].length) {
      return true;
    }
  }
  return false;
}

/** Luhn checksum over the digits of `s` (spaces and dashes ignored). */
export function luhnValid(s: string): boolean {
  let sum = 0;
  let double = false;
  let digits = 0;
  for (let i = s.length - 1; i >= 0; i--) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) {
      continue;
    }
    let d = c - 48;
    if (double) {
      d *= 2;
      if (d > 9) {
        d -= 9;
      }
    }
    sum += d;
    double = !double;
    digits++;
  }
  return digits >= 13 && digits <= 19 && sum % 10 === 0;
}

const keepPrefix = (match: string, groups: Array<string | undefined>, m: string): string => `${groups[0] ?? ''}${m}`;

/** Order matters: at each position the first alternative that matches wins. */
export const BUILTIN_PATTERNS: readonly SecretPattern[] = [
  {
    kind: 'private_key',
    source:
      '-----BEGIN[A-Z0-9 ]{0,40} PRIVATE KEY( BLOCK)?-----[\\s\\S]*?(?:-----END[A-Z0-9 ]{0,40} PRIVATE KEY( BLOCK)?-----|$)',
  },
  {
    // scheme://user:password@host: keeps the user and host.
    kind: 'password',
    // Anchored at "://" (a literal the regex engine finds fast) rather than at every word start.
    source: '(://[^\\s:/@?#"\']{0,256}:)[^\\s@/?#"\']{1,512}(?=@)',
    flags: 'i',
    replace: keepPrefix,
  },
  {
    kind: 'url_token',
    source:
      '([?&;](?:access_token|id_token|refresh_token|auth_token|token|api_key|apikey|key|secret|client_secret|password|passwd|pwd|sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token|code)=)[^&#\\s"\']+',
    flags: 'i',
    replace: keepPrefix,
  },
  {
    kind: 'cookie',
    source: '\\b((?:set-)?cookie\\s*:\\s*)[^\\r\\n]+',
    flags: 'i',
    replace: keepPrefix,
  },
  { kind: 'jwt', source: '\\beyJ[A-Za-z0-9_-]{2,}\\.[A-Za-z0-9_-]{2,}\\.[A-Za-z0-9_-]*' },
  {
    kind: 'bearer_token',
    source: '\\b(bearer\\s+)[A-Za-z0-9._~+/=-]{8,}',
    flags: 'i',
    replace: keepPrefix,
  },
  {
    kind: 'basic_auth',
    source: '\\b(basic\\s+)[A-Za-z0-9+/]{8,}={0,2}',
    flags: 'i',
    replace: keepPrefix,
  },
  { kind: 'aws_access_key', source: '\\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}\\b' },
  { kind: 'github_token', source: '\\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\\b' },
  { kind: 'slack_token', source: '\\bxox[abposr]-[A-Za-z0-9-]{10,}' },
  { kind: 'slack_webhook', source: 'https://hooks\\.slack\\.com/services/[A-Za-z0-9/_-]+' },
  { kind: 'stripe_key', source: '\\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}\\b|\\bwhsec_[A-Za-z0-9]{20,}\\b' },
  { kind: 'google_api_key', source: '\\bAIza[0-9A-Za-z_-]{35}\\b' },
  { kind: 'npm_token', source: '\\bnpm_[A-Za-z0-9]{36}\\b' },
  { kind: 'api_key', source: '\\bsk-(?:proj-|ant-api\\d\\d-)?[A-Za-z0-9_-]{20,}' },
  {
    // NAME=value / NAME: value where NAME contains a password/secret word (the name is kept).
    kind: 'secret',
    source:
      '((password|passwd|pwd|passphrase|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credentials?)(?![a-z])[A-Za-z0-9_.-]{0,40}["\']?\\s{0,4}[=:]\\s{0,4}["\']?)[^\\s"\'&,;]+',
    flags: 'i',
    replace: (_match, groups) => {
      const word = (groups[1] ?? '').toLowerCase();
      return `${groups[0] ?? ''}${marker(/pass|pwd/.test(word) ? 'password' : 'secret')}`;
    },
  },
  {
    kind: 'card_number',
    source: '\\b\\d(?:[ -]?\\d){12,18}\\b',
    // A run of digit groups inside a UUID (an id whose first groups are all digits) is no card.
    replace: (match, _groups, m, at) =>
      luhnValid(match) && !insideUUID(at.input, at.offset, at.offset + match.length) ? m : match,
  },
];

/**
 * Field names (at any depth of changes/metadata) whose value is always removed. The name is split
 * into words (camelCase, snake_case, kebab-case) and matched word by word, so `userPassword` and
 * `db_password` match while `tokensUsed` and `passenger` do not.
 */
export const SECRET_FIELD_WORDS: Readonly<Record<string, string>> = {
  password: 'password',
  passwd: 'password',
  pwd: 'password',
  passphrase: 'password',
  secret: 'secret',
  secrets: 'secret',
  token: 'token',
  apikey: 'api_key',
  credential: 'credential',
  credentials: 'credential',
  cookie: 'cookie',
  cookies: 'cookie',
  authorization: 'authorization',
  privatekey: 'private_key',
  cvv: 'card_cvv',
  cvc: 'card_cvv',
  pin: 'pin',
  otp: 'otp',
  mfa: 'otp',
  totp: 'otp',
};

/** Adjacent word pairs that name a secret. */
export const SECRET_FIELD_PAIRS: Readonly<Record<string, string>> = {
  'api key': 'api_key',
  'private key': 'private_key',
  'access key': 'api_key',
  'secret key': 'secret',
  'client secret': 'secret',
  'card number': 'card_number',
  'set cookie': 'cookie',
};
