/**
 * Keeps secrets and personal data out of logs (design invariant 5): masks identity-document numbers and
 * e-mail addresses, and replaces secrets and tokens with a marker. Applied to every log record through
 * the Logger's JSON replacer (see ./logger), so a careless `logger.info("x", { order })` cannot leak them.
 */

export const REDACTED = "[REDACTED]";

/** "20601373034" → "2060*****34"; "48765432" → "48****32"; very short values are fully masked. */
export function maskDocumentNumber(documentNumber: string): string {
  const value = documentNumber.trim();
  const visiblePrefix = value.length >= 11 ? 4 : value.length >= 8 ? 2 : 0;
  const visibleSuffix = value.length >= 6 ? 2 : 0;
  const hidden = value.length - visiblePrefix - visibleSuffix;
  return value.slice(0, visiblePrefix) + "*".repeat(hidden) + value.slice(value.length - visibleSuffix);
}

/** "manuel@x.com" → "m***@x.com"; anything that is not an address becomes "***". */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf("@");
  if (at <= 0) return "***";
  return `${email[0]}***${email.slice(at)}`;
}

/** Normalised key names (lower case, without `-` and `_`) whose values are secrets. */
const SECRET_KEYS = new Set([
  "authorization",
  "token",
  "accesstoken",
  "refreshtoken",
  "clientsecret",
  "secret",
  "secrets",
  "webhooksecret",
  "webhooksecrets",
  "password",
  "apikey",
  "cookie",
  "credentials",
  "aceleralacredentials",
]);
const EMAIL_KEYS = new Set(["email", "emailaddress", "customeremail"]);
const DOCUMENT_KEYS = new Set(["documentnumber", "customerdocumentnumber"]);

function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, "");
}

// Patterns that can hide in free text (error messages, URLs): bearer/basic credentials, webhook secrets, addresses.
const BEARER_OR_BASIC = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g;
const WEBHOOK_SECRET = /whsec_[A-Za-z0-9+/=]+/g;
const EMAIL_IN_TEXT = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

/** Scrubs credentials and e-mail addresses out of free text. */
export function scrubText(text: string): string {
  return text
    .replace(BEARER_OR_BASIC, (_match, scheme: string) => `${scheme} ${REDACTED}`)
    .replace(WEBHOOK_SECRET, `whsec_${REDACTED}`)
    .replace(EMAIL_IN_TEXT, (address) => maskEmail(address));
}

/**
 * A `JSON.stringify` replacer: called for every key/value pair of a log record, so nested objects are covered.
 * Values under secret keys are replaced whole (whatever their type); e-mails and document numbers are masked;
 * every other string is scrubbed for embedded credentials and addresses.
 */
export function redactingReplacer(key: string, value: unknown): unknown {
  const normalised = normaliseKey(key);
  if (SECRET_KEYS.has(normalised)) return value === null || value === undefined ? value : REDACTED;
  if (typeof value === "string") {
    if (EMAIL_KEYS.has(normalised)) return maskEmail(value);
    if (DOCUMENT_KEYS.has(normalised)) return maskDocumentNumber(value);
    return scrubText(value);
  }
  if (typeof value === "number" && DOCUMENT_KEYS.has(normalised)) return maskDocumentNumber(String(value));
  return value;
}

/** A redacted deep copy of any value, for places that do not go through the Logger (e.g. error bodies). */
export function redact<T>(value: T): unknown {
  if (value === undefined) return undefined;
  return JSON.parse(JSON.stringify(value, redactingReplacer));
}
