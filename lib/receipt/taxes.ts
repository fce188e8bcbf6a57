import type Decimal from "decimal.js";
import { Money, ZERO } from "./money";

/** IGV (Impuesto General a las Ventas, 16 %) + IPM (2 %): the 18 % of Catálogo 07 code 10. */
export const IGV_RATE = new Money("0.18");
/** 1 + IGV: the divisor that turns a tax-inclusive amount into its taxable value. */
export const IGV_FACTOR = new Money("1.18");
/** The percentage written on each item (`sales_tax_rate`). */
export const IGV_PERCENT = 18 as const;

/** ICBPER per bag by issue year (Ley 30884): 0.10 in 2019 … 0.50 from 2023 on; no tax before 2019. */
export function icbperRate(year: number): Decimal {
  if (year < 2019) return ZERO;
  const byYear: Record<number, string> = { 2019: "0.10", 2020: "0.20", 2021: "0.30", 2022: "0.40" };
  return new Money(byYear[year] ?? "0.50");
}
