/**
 * The text rules SUNAT applies to what a receipt writes (from the validation stylesheets, `ValidaExprReg*`).
 */

/** Trimmed text, or null when absent or blank. */
export function text(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

/** Customer name (cbc:RegistrationName), SUNAT 2022: 3 to 1,500 characters, not blank, no line breaks. */
export const CUSTOMER_NAME_MIN = 3;
export const CUSTOMER_NAME_MAX = 1500;
/** The credit note's stylesheet is stricter: 3 to 1,000 characters (2022 in ValidaExprRegNotaCredito). */
export const CREDIT_NOTE_CUSTOMER_NAME_MAX = 1000;
/** Item description (cac:Item/cbc:Description), SUNAT 2027: 1 to 250 characters. */
export const DESCRIPTION_MAX = 250;

/** Characters as SUNAT's XPath `string-length` counts them (code points, not UTF-16 units). */
export function characterCount(value: string): number {
  return Array.from(value).length;
}

/**
 * A customer name as it goes on the receipt: every run of whitespace (line breaks and tabs included) becomes
 * one space. A name typed on two lines is the same name; SUNAT refuses the line break (2022), not the name.
 */
export function normaliseName(value: string): string {
  return value.replace(/\s+/g, " ").trim();
}

/**
 * An item description cut to SUNAT's 250 characters (2027): the first 249 and "…", so the printed receipt
 * shows it was shortened. Acelérala's line name is "product + alternative"; a long one is still the same item,
 * so it is shortened rather than refused (the merchant cannot change a placed order's lines).
 */
export function shortenDescription(value: string): string {
  // UTF-16 length ≥ characters: a short string needs no counting.
  if (value.length <= DESCRIPTION_MAX) return value;
  const characters = Array.from(value);
  if (characters.length <= DESCRIPTION_MAX) return value;
  return `${characters
    .slice(0, DESCRIPTION_MAX - 1)
    .join("")
    .trimEnd()}…`;
}
