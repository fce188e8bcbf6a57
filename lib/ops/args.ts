import { RECEIPT_STATES, type ReceiptState } from "../store/receipt-record";
import { PERU_UTC_OFFSET_MS } from "./text";

/**
 * Validation of the operator commands' options. Each function names the option and the rule it breaks, so
 * `cpe` can print the message as is and exit 1.
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
    throw new OptionError(`${option} must be a whole number of 1 or more; got "${value}"`);
  const number = Number(value.trim());
  if (number < 1) throw new OptionError(`${option} must be 1 or more; got ${value}`);
  if (number > maximum) throw new OptionError(`${option} must be at most ${maximum}; got ${value}`);
  return number;
}

/** A positive rate that may be fractional ("0.5" = one message every two seconds). */
export function parsePositiveRate(option: string, value: string): number {
  if (!/^\d+(\.\d+)?$/.test(value.trim())) {
    throw new OptionError(
      `${option} must be a number of messages per second, such as 5 or 0.5; got "${value}"`,
    );
  }
  const rate = Number(value.trim());
  if (rate <= 0) throw new OptionError(`${option} must be more than 0; got ${value}`);
  return rate;
}

/** Order and store ids are positive integers in the records (the key is ORDER#<store>#<order>). */
export function parseId(what: string, value: string): number {
  if (
    !/^\d+$/.test(value.trim()) ||
    Number(value.trim()) < 1 ||
    !Number.isSafeInteger(Number(value.trim()))
  ) {
    throw new OptionError(`${what} must be a positive whole number; got "${value}"`);
  }
  return Number(value.trim());
}

/** Case-insensitive; the error lists the states. */
export function parseReceiptState(value: string): ReceiptState {
  const upper = value.trim().toUpperCase();
  const state = RECEIPT_STATES.find((candidate) => candidate === upper);
  if (!state) throw new OptionError(`--state must be one of ${RECEIPT_STATES.join(", ")}; got "${value}"`);
  return state;
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function isCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * `--since`: an ISO date (YYYY-MM-DD, the start of that day in Peru, UTC−5, as the listing shows dates) or an
 * ISO date-time with its offset (2026-11-21T10:00:00Z, 2026-11-21T10:00-05:00).
 */
export function parseSince(value: string): Date {
  const text = value.trim();
  const dateOnly = DATE_ONLY.exec(text);
  const dateTime = DATE_TIME.exec(text);
  const parts = dateOnly ?? dateTime;
  if (!parts) {
    throw new OptionError(
      `--since must be an ISO date (2026-11-21) or date-time with offset (2026-11-21T10:00:00Z); got "${value}"`,
    );
  }
  const [year, month, day] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (!isCalendarDate(year, month, day))
    throw new OptionError(`--since: ${parts[0]?.slice(0, 10)} is not a calendar date`);
  if (dateOnly) return new Date(Date.UTC(year, month - 1, day) - PERU_UTC_OFFSET_MS);
  const epochMs = Date.parse(text);
  if (Number.isNaN(epochMs)) throw new OptionError(`--since: "${value}" is not a valid time of day`);
  return new Date(epochMs);
}
