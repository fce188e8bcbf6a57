import { describe, expect, it } from "vitest";
import { amountInWords, integerInWords } from "../../../lib/receipt";

describe("amountInWords (legend 1000)", () => {
  it.each([
    ["40", "SON CUARENTA CON 00/100 SOLES"],
    ["0", "SON CERO CON 00/100 SOLES"],
    ["0.05", "SON CERO CON 05/100 SOLES"],
    ["1", "SON UNO CON 00/100 SOLES"],
    ["7.5", "SON SIETE CON 50/100 SOLES"],
    ["10", "SON DIEZ CON 00/100 SOLES"],
    ["15", "SON QUINCE CON 00/100 SOLES"],
    ["16", "SON DIECISÉIS CON 00/100 SOLES"],
    ["19.99", "SON DIECINUEVE CON 99/100 SOLES"],
    ["20", "SON VEINTE CON 00/100 SOLES"],
    ["21", "SON VEINTIUNO CON 00/100 SOLES"],
    ["22", "SON VEINTIDÓS CON 00/100 SOLES"],
    ["23", "SON VEINTITRÉS CON 00/100 SOLES"],
    ["26", "SON VEINTISÉIS CON 00/100 SOLES"],
    ["31", "SON TREINTA Y UNO CON 00/100 SOLES"],
    ["99", "SON NOVENTA Y NUEVE CON 00/100 SOLES"],
    ["100", "SON CIEN CON 00/100 SOLES"],
    ["101", "SON CIENTO UNO CON 00/100 SOLES"],
    ["115.10", "SON CIENTO QUINCE CON 10/100 SOLES"],
    ["500", "SON QUINIENTOS CON 00/100 SOLES"],
    ["590", "SON QUINIENTOS NOVENTA CON 00/100 SOLES"],
    ["700", "SON SETECIENTOS CON 00/100 SOLES"],
    ["999", "SON NOVECIENTOS NOVENTA Y NUEVE CON 00/100 SOLES"],
    ["1000", "SON MIL CON 00/100 SOLES"],
    ["1001", "SON MIL UNO CON 00/100 SOLES"],
    ["1180", "SON MIL CIENTO OCHENTA CON 00/100 SOLES"],
    ["2000", "SON DOS MIL CON 00/100 SOLES"],
    ["21000", "SON VEINTIÚN MIL CON 00/100 SOLES"],
    ["31000", "SON TREINTA Y UN MIL CON 00/100 SOLES"],
    ["100000", "SON CIEN MIL CON 00/100 SOLES"],
    ["101000", "SON CIENTO UN MIL CON 00/100 SOLES"],
    ["200100", "SON DOSCIENTOS MIL CIEN CON 00/100 SOLES"],
    ["1000000", "SON UN MILLÓN CON 00/100 SOLES"],
    ["1000001", "SON UN MILLÓN UNO CON 00/100 SOLES"],
    ["2000000", "SON DOS MILLONES CON 00/100 SOLES"],
    ["21000000", "SON VEINTIÚN MILLONES CON 00/100 SOLES"],
    ["100000000", "SON CIEN MILLONES CON 00/100 SOLES"],
    ["1000000000", "SON MIL MILLONES CON 00/100 SOLES"],
    ["1001000000", "SON MIL UN MILLONES CON 00/100 SOLES"],
    ["1234.56", "SON MIL DOSCIENTOS TREINTA Y CUATRO CON 56/100 SOLES"],
    [
      "999999999999.99",
      "SON NOVECIENTOS NOVENTA Y NUEVE MIL NOVECIENTOS NOVENTA Y NUEVE MILLONES NOVECIENTOS NOVENTA Y NUEVE MIL NOVECIENTOS NOVENTA Y NUEVE CON 99/100 SOLES",
    ],
  ])("%s → %s", (amount, words) => {
    expect(amountInWords(amount)).toBe(words);
  });

  it("names US dollars", () => {
    expect(amountInWords("1234.56", "USD")).toBe(
      "SON MIL DOSCIENTOS TREINTA Y CUATRO CON 56/100 DÓLARES AMERICANOS",
    );
  });

  it("rounds half up to cents before writing (1.005 → 01/100, not the float 1.00)", () => {
    expect(amountInWords("1.005")).toBe("SON UNO CON 01/100 SOLES");
    expect(amountInWords(40)).toBe("SON CUARENTA CON 00/100 SOLES");
  });

  it("refuses amounts out of range and unknown currencies", () => {
    expect(() => amountInWords("1000000000000")).toThrow(RangeError);
    expect(() => amountInWords("-1")).toThrow(RangeError);
    expect(() => amountInWords("10", "EUR")).toThrow(/EUR/);
    expect(() => integerInWords(1.5)).toThrow(RangeError);
  });
});
