import { describe, expect, it } from "vitest";
import type { AceleralaReceipt } from "../../../lib/acelerala/schemas";
import { classifySunatCode, sunatAnswerOf } from "../../../lib/acelerala/sunat-answer";

describe("classifySunatCode", () => {
  it.each([
    ["0", "accepted"],
    ["4000", "accepted"],
    ["4287", "accepted"],
    ["2000", "rejected"],
    ["2335", "rejected"],
    ["3999", "rejected"],
    ["0100", "exception"],
    ["0109", "exception"],
    ["1032", "exception"],
    ["1033", "exception"],
    ["1999", "exception"],
  ] as const)("code %s is %s, whatever sunat_accepted says", (code, outcome) => {
    expect(classifySunatCode(code, false)).toBe(outcome);
    expect(classifySunatCode(code, true)).toBe(outcome);
  });

  it("falls back to sunat_accepted when there is no numeric code", () => {
    expect(classifySunatCode(null, true)).toBe("accepted");
    expect(classifySunatCode(undefined, false)).toBe("rejected");
    expect(classifySunatCode("ERR", true)).toBe("accepted");
  });
});

describe("sunatAnswerOf", () => {
  const receipt = (fields: Partial<AceleralaReceipt>): AceleralaReceipt => ({
    id: 1,
    series: "F001",
    correlative: 1,
    document_number: "F001-1",
    sunat_acknowledged: true,
    ...fields,
  });

  it("is null while SUNAT has not answered", () => {
    expect(sunatAnswerOf(receipt({ sunat_acknowledged: false }))).toBeNull();
  });

  it("reads an exception that Acelérala reports as not accepted as an exception, not a rejection", () => {
    expect(
      sunatAnswerOf(receipt({ sunat_accepted: false, sunat_code: "0100", sunat_message: "intente" })),
    ).toEqual({
      outcome: "exception",
      sunatCode: "0100",
      sunatMessage: "intente",
      cdrUrl: null,
      xmlUrl: null,
      pdfUrl: null,
    });
  });
});
