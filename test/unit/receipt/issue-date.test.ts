import { describe, expect, it } from "vitest";
import { issueDateFor } from "../../../lib/receipt/issue-date";

const POLICY = { max_days_late: { invoice: 3, ticket: 3 } };
const NOW = new Date("2026-11-30T15:00:00Z"); // 10:00 in Lima

describe("issueDateFor", () => {
  it("keeps the sale's date (Peru) within SUNAT's window, in any timestamp form of the seed", () => {
    expect(issueDateFor({ placed: "2026-11-27T12:00:00.000-05" }, "invoice", POLICY, NOW)).toEqual({
      ok: true,
      issueDate: "2026-11-27",
    });
    expect(issueDateFor({ placed: "2026-11-28T02:00:00Z" }, "ticket", POLICY, NOW)).toEqual({
      ok: true,
      issueDate: "2026-11-27",
    });
    expect(
      issueDateFor({ placed: null, created: "2026-11-29T10:00:00.000-0500" }, "ticket", POLICY, NOW),
    ).toEqual({
      ok: true,
      issueDate: "2026-11-29",
    });
  });

  it("dates a receipt issued after the window today, and says why", () => {
    const result = issueDateFor({ placed: "2026-11-26T12:00:00-05:00" }, "invoice", POLICY, NOW);
    expect(result).toEqual({
      ok: true,
      issueDate: "2026-11-30",
      moved:
        "sale of 2026-11-26 is 4 days old; SUNAT takes a Factura up to 3 days after its date, so it is dated 2026-11-30",
    });
  });

  it("follows the store's own window per document kind", () => {
    const lenient = { max_days_late: { invoice: 3, ticket: 7 } };
    expect(issueDateFor({ placed: "2026-11-24T12:00:00Z" }, "ticket", lenient, NOW)).toMatchObject({
      issueDate: "2026-11-24",
    });
    expect(issueDateFor({ placed: "2026-11-24T12:00:00Z" }, "invoice", lenient, NOW)).toMatchObject({
      issueDate: "2026-11-30",
    });
  });

  it("never dates a receipt in the future", () => {
    expect(issueDateFor({ placed: "2026-12-02T12:00:00Z" }, "ticket", POLICY, NOW)).toMatchObject({
      issueDate: "2026-11-30",
      moved: "sale dated 2026-12-02, after today",
    });
  });

  it("names the field when the order has no usable date", () => {
    expect(issueDateFor({ placed: "ayer" }, "ticket", POLICY, NOW)).toMatchObject({
      ok: false,
      field: "placed",
    });
    expect(issueDateFor({}, "ticket", POLICY, NOW)).toMatchObject({ ok: false, field: "created" });
  });
});
