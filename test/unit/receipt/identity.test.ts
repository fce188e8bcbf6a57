import { describe, expect, it } from "vitest";
import { isValidDni, isValidOtherDocument, isValidRuc } from "../../../lib/receipt";

describe("isValidRuc", () => {
  it.each(["20601373034", "20601009171", "20552103816"])("accepts the seeds' real RUC %s", (ruc) => {
    expect(isValidRuc(ruc)).toBe(true);
  });

  it.each([
    ["20601373035", "wrong check digit"],
    ["20601009170", "wrong check digit"],
    ["20552103817", "wrong check digit"],
    ["2060137303", "10 digits"],
    ["206013730341", "12 digits"],
    ["30601373034", "prefix 30"],
    ["2060137303A", "not a digit"],
    ["", "empty"],
  ])("refuses %s (%s)", (ruc) => {
    expect(isValidRuc(ruc)).toBe(false);
  });

  it("computes dv = (11 − s mod 11) mod 10 (a persona natural RUC, prefix 10)", () => {
    // 1045678901 · (5,4,3,2,7,6,5,4,3,2) = 5+0+12+10+42+42+40+36+0+2 = 189; 189 mod 11 = 2; dv = 9.
    expect(isValidRuc("10456789019")).toBe(true);
    expect(isValidRuc("10456789010")).toBe(false);
  });
});

describe("DNI and other documents", () => {
  it("DNI is exactly 8 digits", () => {
    expect(isValidDni("48765432")).toBe(true);
    expect(isValidDni("4876543")).toBe(false);
    expect(isValidDni("487654321")).toBe(false);
    expect(isValidDni("4876543A")).toBe(false);
  });
  it("other documents are 1–15 alphanumerics or '-'", () => {
    expect(isValidOtherDocument("X1234567")).toBe(true);
    expect(isValidOtherDocument("AB-12")).toBe(true);
    expect(isValidOtherDocument("1234567890123456")).toBe(false);
    expect(isValidOtherDocument("AB 12")).toBe(false);
    expect(isValidOtherDocument("")).toBe(false);
  });
});
