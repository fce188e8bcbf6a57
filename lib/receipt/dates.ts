const PERU_UTC_OFFSET_MS = -5 * 60 * 60 * 1000;

/** The calendar date in Peru (UTC−5, no daylight saving) of an ISO-8601 instant; undefined if unparseable. */
export function peruDate(isoInstant: string): string | undefined {
  const epochMs = Date.parse(isoInstant);
  if (Number.isNaN(epochMs)) return undefined;
  return new Date(epochMs + PERU_UTC_OFFSET_MS).toISOString().slice(0, 10);
}

/** `YYYY-MM-DD` naming a day that exists (2024-02-29 yes, 2024-02-30 no). */
export function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  return new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) === value;
}
