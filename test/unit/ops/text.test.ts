import { describe, expect, it } from "vitest";
import { epochMsToIso, formatMoney, formatTable, peruDateTime, safeText } from "../../../lib/ops/text";

describe("formatMoney", () => {
  it("shows soles and dollars the way the store plugin does, with thousands separators", () => {
    expect(formatMoney("PEN", "590")).toBe("S/590.00");
    expect(formatMoney("PEN", "1180.00")).toBe("S/1,180.00");
    expect(formatMoney("USD", "10")).toBe("US$10.00");
    expect(formatMoney("PEN", "1234567.5")).toBe("S/1,234,567.50");
  });
  it("rounds half up to cents in decimal, not binary, arithmetic", () => {
    expect(formatMoney("PEN", "1.005")).toBe("S/1.01");
    expect(formatMoney("PEN", "0.285")).toBe("S/0.29");
  });
  it("names other currencies by code, and shows what is stored when it is not a number", () => {
    expect(formatMoney("EUR", "5")).toBe("EUR 5.00");
    expect(formatMoney(undefined, "5")).toBe("5.00");
    expect(formatMoney("PEN", undefined)).toBe("-");
    expect(formatMoney("PEN", "abc")).toBe("abc");
  });
  it("keeps the sign of negative amounts", () => {
    expect(formatMoney("PEN", "-1180")).toBe("S/-1,180.00");
  });
});

describe("peruDateTime", () => {
  it("shows an instant in Peru time (UTC−5), minutes precision", () => {
    expect(peruDateTime("2026-11-21T17:05:09.123Z")).toBe("2026-11-21 12:05");
    expect(peruDateTime("2026-11-21T03:00:00Z")).toBe("2026-11-20 22:00");
  });
  it("returns unparseable text as is, and a dash for nothing", () => {
    expect(peruDateTime("yesterday")).toBe("yesterday");
    expect(peruDateTime(undefined)).toBe("-");
  });
});

describe("epochMsToIso", () => {
  it("converts SQS timestamps and refuses anything else", () => {
    expect(epochMsToIso("1700000000000")).toBe("2023-11-14T22:13:20.000Z");
    expect(epochMsToIso("soon")).toBeUndefined();
    expect(epochMsToIso(undefined)).toBeUndefined();
  });
});

describe("safeText", () => {
  it("masks e-mails, RUC and DNI numbers and credentials in free text", () => {
    const text = safeText(
      "customer 20601373034 (dni 48765432) manuel@example.com refused; Authorization: Bearer abc.def",
    );
    expect(text).not.toContain("20601373034");
    expect(text).not.toContain("48765432");
    expect(text).not.toContain("manuel@example.com");
    expect(text).not.toContain("abc.def");
    expect(text).toContain("2060*****34");
    expect(text).toContain("48****32");
    expect(text).toContain("m***@example.com");
  });
  it("leaves other numbers alone (order ids, amounts, document numbers like F001-66)", () => {
    expect(safeText("order 1001 F001-66 total 590.00 code 2800")).toBe(
      "order 1001 F001-66 total 590.00 code 2800",
    );
  });
});

describe("formatTable", () => {
  it("pads every column but the last to its widest cell", () => {
    expect(
      formatTable(
        ["A", "Long header", "C"],
        [
          ["xyz", "1", "last"],
          ["w", "22", ""],
        ],
      ),
    ).toBe(["A    Long header  C", "xyz  1            last", "w    22"].join("\n"));
  });
});
