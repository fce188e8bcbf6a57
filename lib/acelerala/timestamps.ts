/**
 * Acelérala's timestamps come in several ISO-8601 shapes, all in the seed: `2021-03-29T14:39:35.000Z`,
 * `2022-03-27T12:30:18.000-0500`, `2020-07-21T20:31:56.000-05`, and the extended `-05:00`. `Date.parse` reads
 * only some of them (it returns NaN for `-05`), so every timestamp the product reads goes through here.
 * A date-time with no offset at all is read as Peru time (UTC−5): the API serves Peruvian stores.
 */

const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:(Z|z)|([+-])(\d{2})(?::?(\d{2}))?)?$/;

export const PERU_OFFSET_MINUTES = -5 * 60;

/** Epoch milliseconds of an ISO-8601 date-time in any of the seed's forms; undefined when it is not one. */
export function parseInstant(text: string): number | undefined {
  const match = INSTANT.exec(text.trim());
  if (!match) return undefined;
  const [
    ,
    year,
    month,
    day,
    hour,
    minute,
    second = "0",
    fraction = "0",
    zulu,
    sign,
    offsetHours,
    offsetMinutes,
  ] = match;
  const fields = [year, month, day, hour, minute, second].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const [y, mo, d, h, mi, s] = fields;
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  const utc = Date.UTC(y, mo - 1, d, h, mi, s, Number(fraction.padEnd(3, "0").slice(0, 3)));
  // Date.UTC rolls 31 February over into March: refuse dates that do not exist.
  if (new Date(utc).getUTCDate() !== d) return undefined;
  let offsetMinutesTotal = PERU_OFFSET_MINUTES;
  if (zulu) offsetMinutesTotal = 0;
  else if (sign) {
    const magnitude = Number(offsetHours) * 60 + Number(offsetMinutes ?? "0");
    if (Number(offsetHours) > 14 || Number(offsetMinutes ?? "0") > 59) return undefined;
    offsetMinutesTotal = sign === "-" ? -magnitude : magnitude;
  }
  return utc - offsetMinutesTotal * 60_000;
}

/** The calendar date (YYYY-MM-DD) in Peru of an instant given as epoch milliseconds. */
export function peruDateOf(epochMs: number): string {
  return new Date(epochMs + PERU_OFFSET_MINUTES * 60_000).toISOString().slice(0, 10);
}
