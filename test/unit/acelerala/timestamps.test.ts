import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseInstant, peruDateOf } from "../../../lib/acelerala/timestamps";

describe("parseInstant", () => {
  it("reads every form the seed uses to the same instant", () => {
    const expected = Date.UTC(2022, 2, 27, 17, 30, 18);
    expect(parseInstant("2022-03-27T12:30:18.000-0500")).toBe(expected);
    expect(parseInstant("2022-03-27T12:30:18.000-05")).toBe(expected);
    expect(parseInstant("2022-03-27T12:30:18-05:00")).toBe(expected);
    expect(parseInstant("2022-03-27T17:30:18.000Z")).toBe(expected);
    expect(parseInstant("2022-03-27T17:30:18Z")).toBe(expected);
    // No offset at all: Peru time.
    expect(parseInstant("2022-03-27 12:30:18")).toBe(expected);
    expect(parseInstant("2022-03-27T12:30")).toBe(expected - 18_000);
  });

  it("keeps fractions of a second and positive offsets", () => {
    expect(parseInstant("2024-01-01T00:00:00.123456+01:30")).toBe(Date.UTC(2023, 11, 31, 22, 30, 0, 123));
  });

  it("refuses what is not a date-time, and dates that do not exist", () => {
    for (const text of [
      "",
      "ayer",
      "2022-02-30T10:00:00Z",
      "2022-13-01T10:00:00Z",
      "2022-03-27T25:00:00Z",
      "2022-03-27",
    ])
      expect(parseInstant(text), text).toBeUndefined();
  });

  it("agrees with Date.parse wherever Date.parse reads the ISO form", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date("1990-01-01"), max: new Date("2090-01-01"), noInvalidDate: true }),
        (date) => {
          expect(parseInstant(date.toISOString())).toBe(date.getTime());
        },
      ),
    );
  });
});

describe("peruDateOf", () => {
  it("is the calendar date at UTC−5", () => {
    expect(peruDateOf(Date.parse("2024-01-01T04:59:59Z"))).toBe("2023-12-31");
    expect(peruDateOf(Date.parse("2024-01-01T05:00:00Z"))).toBe("2024-01-01");
  });
});
