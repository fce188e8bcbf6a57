/**
 * The text rules SUNAT applies to what a receipt writes (from the validation stylesheets, `ValidaExprReg*`).
 */

/**
 * XML 1.0's `Char` production: tab, line feed, carriage return, and U+0020–U+D7FF, U+E000–U+FFFD,
 * U+10000–U+10FFFF. Anything else (other C0 controls, U+FFFE, U+FFFF, lone surrogates) an XML document cannot
 * hold at all, not even escaped, and SUNAT receives the receipt as XML.
 */
function isXmlCharacter(codePoint: number): boolean {
  return (
    codePoint === 0x9 ||
    codePoint === 0xa ||
    codePoint === 0xd ||
    (codePoint >= 0x20 && codePoint <= 0xd7ff) ||
    (codePoint >= 0xe000 && codePoint <= 0xfffd) ||
    (codePoint >= 0x10000 && codePoint <= 0x10ffff)
  );
}

/**
 * The text without the characters XML cannot hold: a customer's emoji stays (it is valid XML), U+FFFE goes. A
 * documented normalisation, never a refusal of a paid sale.
 */
export function xmlSafe(value: string): string {
  let safe = true;
  for (const character of value) {
    if (!isXmlCharacter(character.codePointAt(0) ?? 0)) {
      safe = false;
      break;
    }
  }
  if (safe) return value;
  return Array.from(value)
    .filter((character) => isXmlCharacter(character.codePointAt(0) ?? 0))
    .join("");
}

/** Trimmed text without characters XML cannot hold, or null when absent or blank. */
export function text(value: string | null | undefined): string | null {
  const trimmed = value === null || value === undefined ? undefined : xmlSafe(value).trim();
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
  return xmlSafe(value).replace(/\s+/g, " ").trim();
}

/**
 * An item description cut to SUNAT's 250 characters (2027): the first 249 and "…", so the printed receipt
 * shows it was shortened. Acelérala's line name is "product + alternative"; a long one is still the same item,
 * so it is shortened rather than refused (the merchant cannot change a placed order's lines).
 */
export function shortenDescription(raw: string): string {
  const value = xmlSafe(raw);
  // UTF-16 length ≥ characters: a short string needs no counting.
  if (value.length <= DESCRIPTION_MAX) return value;
  const characters = Array.from(value);
  if (characters.length <= DESCRIPTION_MAX) return value;
  return `${characters
    .slice(0, DESCRIPTION_MAX - 1)
    .join("")
    .trimEnd()}…`;
}
