/** Values that replace attribute values agentmeter will not export. */
export const TOO_LONG = '_too_long';
export const REDACTED = '_redacted';

const SECRET_PREFIX =
  /^(?:sk-|sk_|rk_|pk_live|xai-|gsk_|AIza|ghp_|gho_|github_pat_|xox[abprs]-|glpat-|Bearer\s|Basic\s|eyJ[A-Za-z0-9_-]{8,}\.)/i;
const TOKEN_LIKE = /^[A-Za-z0-9+/=_-]{32,}$/;

/** True for values shaped like API keys or bearer tokens, which must never become labels. */
export function looksSecret(value: string): boolean {
  if (SECRET_PREFIX.test(value)) return true;
  if (!TOKEN_LIKE.test(value)) return false;
  // Random tokens mix cases and digits; model names and ids are mostly lowercase words.
  return /[A-Z]/.test(value) && /[a-z]/.test(value) && /[0-9]/.test(value);
}

/**
 * Turns a caller's attribute value into a label value, or undefined to drop it.
 * Over-long values and secrets are replaced, lone surrogates made well-formed.
 */
export function cleanAttributeValue(value: unknown, maxLength: number): string | undefined {
  let text: string;
  switch (typeof value) {
    case 'string':
      text = value;
      break;
    case 'number':
    case 'boolean':
      text = String(value);
      break;
    default:
      return undefined;
  }
  if (text.length > maxLength) return TOO_LONG;
  if (text.length >= 10 && looksSecret(text)) return REDACTED;
  return text.isWellFormed() ? text : text.toWellFormed();
}
