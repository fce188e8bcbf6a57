import { IDENTITY_DOCUMENT_CODES, type IdentityDocumentType } from "./catalogs";

/**
 * Customer identity documents: the checks SUNAT applies to their numbers (the codes are Catálogo 06, in
 * catalogs.ts).
 */

export function isIdentityDocumentType(value: string): value is IdentityDocumentType {
  return Object.hasOwn(IDENTITY_DOCUMENT_CODES, value);
}

const RUC_WEIGHTS = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2] as const;
const RUC_PREFIXES = ["10", "15", "17", "20"] as const;

/**
 * A RUC is 11 digits, starts with 10 (persona natural), 15, 17 or 20 (persona jurídica), and its last digit is
 * the check digit: s = Σ dᵢ·wᵢ over the first ten digits with weights 5,4,3,2,7,6,5,4,3,2,
 * dv = (11 − s mod 11) mod 10. SUNAT's own XSL checks only the length; a wrong check digit is a typo
 * we catch before issuing.
 */
export function isValidRuc(value: string): boolean {
  if (!/^\d{11}$/.test(value)) return false;
  if (!RUC_PREFIXES.some((prefix) => value.startsWith(prefix))) return false;
  let weighted = 0;
  for (const [index, weight] of RUC_WEIGHTS.entries()) weighted += Number(value[index]) * weight;
  return (11 - (weighted % 11)) % 10 === Number(value[10]);
}

/** DNI: exactly 8 digits (SUNAT error 2801). */
export function isValidDni(value: string): boolean {
  return /^\d{8}$/.test(value);
}

/** Any other identity document: 1–15 alphanumerics or '-' (SUNAT error 2802). */
export function isValidOtherDocument(value: string): boolean {
  return /^[A-Za-z0-9-]{1,15}$/.test(value);
}
