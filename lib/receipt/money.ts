import Decimal from "decimal.js";

/**
 * The one Decimal constructor of the receipt domain. A clone, so our precision and rounding never leak into
 * (or depend on) the global Decimal that other modules may configure. 40 significant digits is far beyond
 * the largest amount a receipt can carry (12 integer digits + 10 decimals for unit values), so only our
 * explicit `toDecimalPlaces` calls ever round.
 */
export const Money = Decimal.clone({ precision: 28, rounding: Decimal.ROUND_HALF_UP });
export type Money = Decimal;

export const ZERO = new Money(0);
/** SUNAT amounts carry 2 decimals; unit values and quantities may carry up to 10. */
export const AMOUNT_DECIMALS = 2;
export const UNIT_VALUE_DECIMALS = 10;
/** SUNAT amounts have at most 12 integer digits (`^[0-9]{1,12}(\.[0-9]{1,2})?$`): 1e12 is out of range. */
const AMOUNT_LIMIT = new Money("1e12");
const NEGATIVE_AMOUNT_LIMIT = AMOUNT_LIMIT.negated();

export function exceedsAmountLimit(value: Decimal): boolean {
  return value.gte(AMOUNT_LIMIT) || value.lte(NEGATIVE_AMOUNT_LIMIT);
}

/** Round half up to cents (SUNAT's 2-decimal amounts). */
export function cents(value: Decimal.Value): Decimal {
  return new Money(value).toDecimalPlaces(AMOUNT_DECIMALS, Decimal.ROUND_HALF_UP);
}

/**
 * A unit value with up to 10 decimals, but never more than 15 significant digits, so that the JSON number
 * we emit is read back by any JSON parser (IEEE-754 doubles) as exactly the decimal we meant.
 */
export function unitValue(value: Decimal.Value): Decimal {
  const d = new Money(value);
  const integerDigits = d.abs().lt(1) ? 1 : d.abs().trunc().toString().length;
  const places = Math.max(0, Math.min(UNIT_VALUE_DECIMALS, 15 - integerDigits));
  return d.toDecimalPlaces(places, Decimal.ROUND_HALF_UP);
}

/** Decimal → JSON number. Safe because every amount we emit has at most 15 significant digits. */
export function toJsonNumber(value: Decimal): number {
  return value.toNumber();
}

export function sum(values: readonly Decimal[]): Decimal {
  return values.reduce<Decimal>((acc, v) => acc.plus(v), ZERO);
}

/** "1234.5" → "1234.50": how amounts are shown to merchants in problem messages. */
export function formatAmount(value: Decimal.Value): string {
  return new Money(value).toFixed(AMOUNT_DECIMALS, Decimal.ROUND_HALF_UP);
}
