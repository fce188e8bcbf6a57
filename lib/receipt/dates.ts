import { parseInstant, peruDateOf } from "../acelerala/timestamps";

/**
 * The calendar date in Peru (UTC−5, no daylight saving) of an ISO-8601 instant in any form the seed uses
 * (`Z`, `-05`, `-0500`, `-05:00`; no offset = Peru time); undefined if unparseable.
 */
export function peruDate(isoInstant: string): string | undefined {
  const epochMs = parseInstant(isoInstant);
  return epochMs === undefined ? undefined : peruDateOf(epochMs);
}

/** `YYYY-MM-DD` naming a day that exists (2024-02-29 yes, 2024-02-30 no). */
export function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  return new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) === value;
}
