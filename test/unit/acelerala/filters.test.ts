import { describe, expect, it } from "vitest";
import { buildListQuery, serialiseFilterValue } from "../../../lib/acelerala/filters";

describe("serialiseFilterValue", () => {
  it("writes ranges, lists, scalars and flags in the API's syntax", () => {
    expect(serialiseFilterValue("total", { gt: 1, lt: 500 })).toBe("gt:1,lt:500");
    expect(serialiseFilterValue("placed", { lt: "b", gte: "a" })).toBe("gte:a,lt:b");
    expect(serialiseFilterValue("payment_status", ["paid", "partially_paid"])).toBe("paid,partially_paid");
    expect(serialiseFilterValue("series", "F001")).toBe("F001");
    expect(serialiseFilterValue("sunat_acknowledged", false)).toBe("0");
  });

  it("refuses what the syntax cannot express, naming the filter", () => {
    expect(() => serialiseFilterValue("note", "a,b")).toThrow('filter note: value "a,b" contains a comma');
    expect(() => serialiseFilterValue("total", {})).toThrow("filter total: a range needs at least one of");
    expect(() => serialiseFilterValue("payment_status", [])).toThrow("filter payment_status: empty list");
  });
});

describe("buildListQuery", () => {
  it("matches the seed's example", () => {
    const query = buildListQuery({}, { total: { gt: 1, lt: 500 }, payment_status: "paid" });
    expect(decodeURIComponent(query.toString())).toBe("total=gt:1,lt:500&payment_status=paid");
  });

  it("adds paging, sort and field selection; skips undefined filters", () => {
    const query = buildListQuery(
      { limit: 20, after: 991, sort: "placed:desc", fields: ["id", "total"] },
      { placed: undefined, store_id: 511 },
    );
    expect(decodeURIComponent(query.toString())).toBe(
      "store_id=511&limit=20&after=991&sort=placed:desc&fields=id,total",
    );
  });

  it("refuses a limit outside 1..100", () => {
    expect(() => buildListQuery({ limit: 101 })).toThrow("limit must be an integer from 1 to 100, got 101");
    expect(() => buildListQuery({ limit: 0 })).toThrow(RangeError);
  });
});
