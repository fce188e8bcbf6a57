import { maskDocumentNumber, scrubText } from "../observability/redact";
import { formatAmount } from "../receipt";

/**
 * Pure text helpers shared by the operator commands (`cpe dlq`, `cpe status`, `cpe receipts`): aligned
 * tables, amounts the way merchants read them, Peru local times, and free text made safe to print.
 */

/** Columns separated by two spaces, every column but the last padded to its widest cell. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(headers), ...rows.map(line)].join("\n");
}

/** Symbols the seed's plugin shows ("S/590.00"); other currencies print their ISO code. */
const CURRENCY_SYMBOLS: Readonly<Record<string, string>> = { PEN: "S/", USD: "US$" };

/** ("PEN", "1180") → "S/1,180.00"; ("USD", "10") → "US$10.00". Decimal arithmetic, never floats. */
export function formatMoney(currencyCode: string | undefined, amount: string | undefined): string {
  if (amount === undefined || amount === "") return "-";
  let fixed: string;
  try {
    fixed = formatAmount(amount);
  } catch {
    return amount; // not a number: show what is stored rather than hide it
  }
  const negative = fixed.startsWith("-");
  const [integer = "0", fraction = "00"] = (negative ? fixed.slice(1) : fixed).split(".");
  const grouped = `${negative ? "-" : ""}${integer.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${fraction}`;
  if (currencyCode === undefined) return grouped;
  const symbol = CURRENCY_SYMBOLS[currencyCode];
  return symbol ? `${symbol}${grouped}` : `${currencyCode} ${grouped}`;
}

/** Peru is UTC−5 all year (no daylight saving), so a fixed offset is exact. */
export const PERU_UTC_OFFSET_MS = -5 * 60 * 60 * 1000;

/** "2026-11-21T17:05:09.123Z" → "2026-11-21 12:05" (Peru time); unparseable input is returned as is. */
export function peruDateTime(isoInstant: string | undefined): string {
  if (!isoInstant) return "-";
  const epochMs = Date.parse(isoInstant);
  if (Number.isNaN(epochMs)) return isoInstant;
  return new Date(epochMs + PERU_UTC_OFFSET_MS).toISOString().slice(0, 16).replace("T", " ");
}

/** An epoch-millisecond timestamp (as SQS gives them, in a string) → ISO-8601, or undefined. */
export function epochMsToIso(epochMs: string | undefined): string | undefined {
  if (epochMs === undefined || !/^\d+$/.test(epochMs)) return undefined;
  return new Date(Number(epochMs)).toISOString();
}

/**
 * Free text from the API or an error (problems, last error, SUNAT messages) can quote customer data.
 * scrubText masks credentials and e-mail addresses; standalone runs of 8 digits (DNI) or 11 digits (RUC) are
 * masked as identity-document numbers. An order id of exactly 8 or 11 digits would be masked too: the safe side.
 */
export function safeText(text: string): string {
  return scrubText(text).replace(/(?<!\d)(\d{11}|\d{8})(?!\d)/g, (digits) => maskDocumentNumber(digits));
}
