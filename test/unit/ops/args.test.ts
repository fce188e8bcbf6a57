import { describe, expect, it } from "vitest";
import {
  OptionError,
  parseId,
  parsePositiveInteger,
  parsePositiveRate,
  parseReceiptState,
  parseSince,
} from "../../../lib/ops/args";

describe("parsePositiveInteger", () => {
  it("accepts whole numbers from 1", () => {
    expect(parsePositiveInteger("--max", "10")).toBe(10);
    expect(parsePositiveInteger("--max", " 3 ")).toBe(3);
  });
  it("names the option and the rule", () => {
    expect(() => parsePositiveInteger("--max", "0")).toThrow("--max must be 1 or more; got 0");
    expect(() => parsePositiveInteger("--max", "-2")).toThrow(
      /--max must be a whole number of 1 or more; got "-2"/,
    );
    expect(() => parsePositiveInteger("--limit", "2.5")).toThrow(/--limit must be a whole number/);
    expect(() => parsePositiveInteger("--max", "11", 10)).toThrow("--max must be at most 10; got 11");
    expect(() => parsePositiveInteger("--max", "x")).toThrow(OptionError);
  });
});

describe("parsePositiveRate", () => {
  it("accepts fractional rates", () => {
    expect(parsePositiveRate("--rate", "0.5")).toBe(0.5);
    expect(parsePositiveRate("--rate", "20")).toBe(20);
  });
  it("refuses zero and words", () => {
    expect(() => parsePositiveRate("--rate", "0")).toThrow("--rate must be more than 0; got 0");
    expect(() => parsePositiveRate("--rate", "fast")).toThrow(
      /--rate must be a number of messages per second/,
    );
  });
});

describe("parseId", () => {
  it("accepts positive integers only", () => {
    expect(parseId("ORDER_ID", "1001")).toBe(1001);
    expect(() => parseId("ORDER_ID", "abc")).toThrow('ORDER_ID must be a positive whole number; got "abc"');
    expect(() => parseId("--store", "0")).toThrow(/--store must be a positive whole number/);
    expect(() => parseId("ORDER_ID", "99999999999999999999")).toThrow(/ORDER_ID/);
  });
});

describe("parseReceiptState", () => {
  it("accepts the states in any case", () => {
    expect(parseReceiptState("accepted")).toBe("ACCEPTED");
    expect(parseReceiptState("NEEDS_ATTENTION")).toBe("NEEDS_ATTENTION");
  });
  it("lists the states when the value is not one", () => {
    expect(() => parseReceiptState("ACEPTADO")).toThrow(
      '--state must be one of RESERVED, SUBMITTED, ACCEPTED, REJECTED, NEEDS_ATTENTION, STALE, SKIPPED, CANCELED; got "ACEPTADO"',
    );
  });
});

describe("parseSince", () => {
  it("reads a date as the start of that day in Peru (05:00 UTC)", () => {
    expect(parseSince("2026-11-21").toISOString()).toBe("2026-11-21T05:00:00.000Z");
  });
  it("reads a date-time with its offset", () => {
    expect(parseSince("2026-11-21T10:00:00Z").toISOString()).toBe("2026-11-21T10:00:00.000Z");
    expect(parseSince("2026-11-21T10:00-05:00").toISOString()).toBe("2026-11-21T15:00:00.000Z");
  });
  it("gives a specific error for each kind of bad value", () => {
    expect(() => parseSince("yesterday")).toThrow(/--since must be an ISO date \(2026-11-21\)/);
    expect(() => parseSince("21/11/2026")).toThrow(/--since must be an ISO date/);
    expect(() => parseSince("2026-11-21T10:00:00")).toThrow(/date-time with offset/);
    expect(() => parseSince("2026-02-30")).toThrow("--since: 2026-02-30 is not a calendar date");
    expect(() => parseSince("2026-11-21T25:00:00Z")).toThrow(/is not a valid time of day/);
  });
});
