import type Decimal from "decimal.js";
import { cents, Money } from "./money";

/**
 * Legend 1000 (Catálogo 52): the total in words, in the convention of the seed's accepted Factura and of
 * Greenter: `SON CUARENTA CON 00/100 SOLES` — upper case, "SON", the integer part in Spanish words, "CON",
 * the cents as NN/100, then the currency name.
 *
 * Choices (the seed shows one example only):
 * - The final unit is not apocopated: 1 → "UNO", 21 → "VEINTIUNO" ("SON UNO CON 00/100 SOLES"), as Greenter's
 *   NumeroALetras does. Before MIL / MILLÓN it is: "UN MILLÓN", "VEINTIÚN MIL", "TREINTA Y UN MILLONES".
 * - 1,000 is "MIL" (never "UN MIL"); 1,000,000,000 is "MIL MILLONES" (Spanish long scale, no "billón").
 * - Accents as the RAE writes them (VEINTIDÓS, DIECISÉIS, MILLÓN, DÓLARES).
 */
export const CURRENCY_NAMES = {
  PEN: "SOLES",
  USD: "DÓLARES AMERICANOS",
} as const;
export type CurrencyCode = keyof typeof CURRENCY_NAMES;

export const MAX_AMOUNT_IN_WORDS = "999999999999.99";

const UNITS_AND_TEENS = [
  "CERO",
  "UNO",
  "DOS",
  "TRES",
  "CUATRO",
  "CINCO",
  "SEIS",
  "SIETE",
  "OCHO",
  "NUEVE",
  "DIEZ",
  "ONCE",
  "DOCE",
  "TRECE",
  "CATORCE",
  "QUINCE",
  "DIECISÉIS",
  "DIECISIETE",
  "DIECIOCHO",
  "DIECINUEVE",
  "VEINTE",
  "VEINTIUNO",
  "VEINTIDÓS",
  "VEINTITRÉS",
  "VEINTICUATRO",
  "VEINTICINCO",
  "VEINTISÉIS",
  "VEINTISIETE",
  "VEINTIOCHO",
  "VEINTINUEVE",
] as const;
const TENS = [
  "",
  "",
  "",
  "TREINTA",
  "CUARENTA",
  "CINCUENTA",
  "SESENTA",
  "SETENTA",
  "OCHENTA",
  "NOVENTA",
] as const;
const HUNDREDS = [
  "",
  "CIENTO",
  "DOSCIENTOS",
  "TRESCIENTOS",
  "CUATROCIENTOS",
  "QUINIENTOS",
  "SEISCIENTOS",
  "SETECIENTOS",
  "OCHOCIENTOS",
  "NOVECIENTOS",
] as const;

/** 1..99. `apocope`: the number stands before a noun (MIL, MILLÓN/ES), so "UNO" becomes "UN". */
function belowHundred(n: number, apocope: boolean): string {
  if (n < 30) {
    if (apocope && n === 1) return "UN";
    if (apocope && n === 21) return "VEINTIÚN";
    return UNITS_AND_TEENS[n] ?? "";
  }
  const tens = TENS[Math.floor(n / 10)] ?? "";
  const unit = n % 10;
  if (unit === 0) return tens;
  return `${tens} Y ${unit === 1 && apocope ? "UN" : UNITS_AND_TEENS[unit]}`;
}

/** 1..999. */
function belowThousand(n: number, apocope: boolean): string {
  if (n === 100) return "CIEN";
  const hundreds = Math.floor(n / 100);
  const rest = n % 100;
  const parts: string[] = [];
  if (hundreds > 0) parts.push(HUNDREDS[hundreds] ?? "");
  if (rest > 0) parts.push(belowHundred(rest, apocope));
  return parts.join(" ");
}

/** 1..999,999. */
function belowMillion(n: number, apocope: boolean): string {
  const thousands = Math.floor(n / 1000);
  const rest = n % 1000;
  const parts: string[] = [];
  if (thousands === 1) parts.push("MIL");
  else if (thousands > 1) parts.push(`${belowThousand(thousands, true)} MIL`);
  if (rest > 0) parts.push(belowThousand(rest, apocope));
  return parts.join(" ");
}

/** Spanish words for an integer 0..999,999,999,999 (upper case). */
export function integerInWords(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 999_999_999_999) {
    throw new RangeError(`integerInWords: ${n} is outside 0..999,999,999,999`);
  }
  if (n === 0) return "CERO";
  const millions = Math.floor(n / 1_000_000);
  const rest = n % 1_000_000;
  const parts: string[] = [];
  if (millions === 1) parts.push("UN MILLÓN");
  else if (millions > 1) parts.push(`${belowMillion(millions, true)} MILLONES`);
  if (rest > 0) parts.push(belowMillion(rest, false));
  return parts.join(" ");
}

/**
 * `SON <integer in words> CON NN/100 <currency>` for 0.00 .. 999,999,999,999.99 (rounded half up to cents
 * first). Throws RangeError outside that range or for an unknown currency.
 */
export function amountInWords(amount: Decimal.Value, currency: string = "PEN"): string {
  const currencyName = CURRENCY_NAMES[currency as CurrencyCode];
  if (currencyName === undefined) {
    throw new RangeError(`amountInWords: unsupported currency ${currency} (supported: PEN, USD)`);
  }
  const value = cents(amount);
  if (value.isNegative() || value.gt(new Money(MAX_AMOUNT_IN_WORDS))) {
    throw new RangeError(`amountInWords: ${value.toFixed(2)} is outside 0.00..${MAX_AMOUNT_IN_WORDS}`);
  }
  const integerPart = value.trunc();
  const centsPart = value.minus(integerPart).times(100).toNumber();
  return `SON ${integerInWords(integerPart.toNumber())} CON ${String(centsPart).padStart(2, "0")}/100 ${currencyName}`;
}
