import Decimal from "decimal.js";

/** An amount the simulator stored as given (a JSON number or a decimal string) as a Decimal; null if it is none. */
export function decimalOf(value: unknown): Decimal | null {
  if (typeof value === "number" && Number.isFinite(value)) return new Decimal(value);
  if (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value.trim())) return new Decimal(value.trim());
  return null;
}
