import { RECEIPT_STATES, type ReceiptState } from "../store/receipt-record";
import { PERU_UTC_OFFSET_MS } from "./text";

/**
 * Validation of the operator's input (the `cpe` options and the console's query strings and forms). Each
 * function names the option and the rule it breaks, in Spanish (the merchant's language), so `cpe` can print
 * the message as is and exit with the usage code, and the console can show it beside the form.
 */
export class OptionError extends Error {
  override name = "OptionError";
}

/** "--max", "10" → 10. Whole numbers from 1 up to `maximum`. */
export function parsePositiveInteger(
  option: string,
  value: string,
  maximum = Number.MAX_SAFE_INTEGER,
): number {
  if (!/^\d+$/.test(value.trim()))
    throw new OptionError(`${option} debe ser un número entero de 1 o más; se recibió "${value}"`);
  const number = Number(value.trim());
  if (number < 1) throw new OptionError(`${option} debe ser 1 o más; se recibió ${value}`);
  if (number > maximum)
    throw new OptionError(`${option} debe ser como máximo ${maximum}; se recibió ${value}`);
  return number;
}

/** A positive rate that may be fractional ("0.5" = one message every two seconds). */
export function parsePositiveRate(option: string, value: string): number {
  if (!/^\d+(\.\d+)?$/.test(value.trim())) {
    throw new OptionError(
      `${option} debe ser un número de mensajes por segundo, como 5 o 0.5; se recibió "${value}"`,
    );
  }
  const rate = Number(value.trim());
  if (rate <= 0) throw new OptionError(`${option} debe ser mayor que 0; se recibió ${value}`);
  return rate;
}

/** Order and store ids are positive integers in the records (the key is ORDER#<store>#<order>). */
export function parseId(what: string, value: string): number {
  const text = value.trim();
  if (!/^\d+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
    throw new OptionError(`${what} debe ser un número entero positivo; se recibió "${value}"`);
  }
  return Number(text);
}

/** An order id as people write it: `32204` or `#32204` (the table prints the `#`). */
export function parseOrderId(what: string, value: string): number {
  return parseId(what, value.trim().replace(/^#/, ""));
}

/**
 * A state to filter by: a receipt state (`ACCEPTED`) or its label in the listings (`ACEPTADO`), any case, with or
 * without accents; `N/A` (also `NA`, `NONE`) is an order that never reached the API: no record, or SKIPPED.
 */
export type StateFilter = ReceiptState | "NONE";

/** Spanish words for each state: the labels the listings print, and the words people use for them. */
const SPANISH_STATE_WORDS: Readonly<Record<string, StateFilter>> = {
  ACEPTADO: "ACCEPTED",
  RECHAZADO: "REJECTED",
  REGISTRADO: "SUBMITTED",
  ENVIADO: "SUBMITTED",
  ATENCION: "NEEDS_ATTENTION",
  VENCIDO: "STALE",
  RESERVADO: "RESERVED",
  OMITIDO: "SKIPPED",
  CANCELADO: "CANCELED",
  "N/A": "NONE",
  NA: "NONE",
  NONE: "NONE",
};

/** Case-insensitive, English or Spanish; the error lists both. */
export function parseStateFilter(option: string, value: string): StateFilter {
  const word = value
    .trim()
    .toUpperCase()
    .normalize("NFD")
    .replace(/\p{Diacritic}/gu, "");
  const english = RECEIPT_STATES.find((state) => state === word);
  if (english) return english;
  const spanish = SPANISH_STATE_WORDS[word];
  if (spanish) return spanish;
  throw new OptionError(
    `${option} debe ser un estado: ACEPTADO, REGISTRADO (o ENVIADO), RECHAZADO, ATENCIÓN, VENCIDO, RESERVADO, ` +
      `OMITIDO, CANCELADO o N/A, o en inglés ${RECEIPT_STATES.join(", ")}; se recibió "${value}"`,
  );
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function isCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** `YYYY-MM-DD` naming a real calendar day (the receipt's issue date); anything else names the option. */
export function parseCalendarDate(option: string, value: string): string {
  const text = value.trim();
  const parts = DATE_ONLY.exec(text);
  if (!parts)
    throw new OptionError(`${option} debe ser una fecha AAAA-MM-DD (2026-11-21); se recibió "${value}"`);
  if (!isCalendarDate(Number(parts[1]), Number(parts[2]), Number(parts[3])))
    throw new OptionError(`${option}: ${text} no es una fecha del calendario`);
  return text;
}

/**
 * A date option (`--since`, `--placed-from`, the console's "desde"): an ISO date (YYYY-MM-DD, the start of
 * that day in Peru, UTC−5, as the listings show dates) or an ISO date-time with its offset
 * (2026-11-21T10:00:00Z, 2026-11-21T10:00-05:00).
 */
export function parseDateOption(option: string, value: string): Date {
  const text = value.trim();
  const dateOnly = DATE_ONLY.exec(text);
  const dateTime = DATE_TIME.exec(text);
  const parts = dateOnly ?? dateTime;
  if (!parts) {
    throw new OptionError(
      `${option} debe ser una fecha ISO (2026-11-21) o una fecha y hora con zona (2026-11-21T10:00:00Z); se recibió "${value}"`,
    );
  }
  const [year, month, day] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (!isCalendarDate(year, month, day))
    throw new OptionError(`${option}: ${parts[0]?.slice(0, 10)} no es una fecha del calendario`);
  if (dateOnly) return new Date(Date.UTC(year, month - 1, day) - PERU_UTC_OFFSET_MS);
  const epochMs = Date.parse(text);
  if (Number.isNaN(epochMs)) throw new OptionError(`${option}: "${value}" no es una hora del día válida`);
  return new Date(epochMs);
}

/** `--since`: see parseDateOption. */
export function parseSince(value: string): Date {
  return parseDateOption("--since", value);
}

/** A plain date names a whole day in Peru: as an end, the range stops where the next day starts. */
export function parseEndDateOption(option: string, value: string): Date {
  const start = parseDateOption(option, value);
  return DATE_ONLY.test(value.trim()) ? new Date(start.getTime() + 24 * 60 * 60 * 1000) : start;
}
