import { createHash, timingSafeEqual } from 'node:crypto';

export type AuthResult = 'ok' | 'missing' | 'invalid';

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * Checks `Authorization: Bearer <token>`. Both sides are hashed first so the comparison takes the
 * same time whatever the length or content of the guess. The token is held only as its digest.
 */
export class BearerAuth {
  readonly #expected: Buffer;

  constructor(token: string) {
    this.#expected = digest(token);
  }

  check(authorization: string | undefined): AuthResult {
    if (authorization === undefined || authorization === '') return 'missing';
    const match = /^\s*bearer\s+(\S+)\s*$/i.exec(authorization.length > 8192 ? '' : authorization);
    if (match === null) return 'invalid';
    return timingSafeEqual(digest(match[1]!), this.#expected) ? 'ok' : 'invalid';
  }
}

/** The `WWW-Authenticate` challenge for a 401 (RFC 6750). */
export function challenge(result: Exclude<AuthResult, 'ok'>): string {
  return result === 'missing' ? 'Bearer realm="metrics"' : 'Bearer realm="metrics", error="invalid_token"';
}
