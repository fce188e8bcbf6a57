import { describe, expect, it } from "vitest";
import {
  OptionError,
  parseCalendarDate,
  parseEndDateOption,
  parseId,
  parseOrderId,
  parsePositiveInteger,
  parsePositiveRate,
  parseSince,
  parseStateFilter,
} from "../../../lib/ops/args";
import { RECEIPT_STATES } from "../../../lib/store/receipt-record";

describe("parsePositiveInteger", () => {
  it("accepts whole numbers from 1", () => {
    expect(parsePositiveInteger("--max", "10")).toBe(10);
    expect(parsePositiveInteger("--max", " 3 ")).toBe(3);
  });
  it("names the option and the rule", () => {
    expect(() => parsePositiveInteger("--max", "0")).toThrow("--max debe ser 1 o más; se recibió 0");
    expect(() => parsePositiveInteger("--max", "-2")).toThrow(
      /--max debe ser un número entero de 1 o más; se recibió "-2"/,
    );
    expect(() => parsePositiveInteger("--limit", "2.5")).toThrow(/--limit debe ser un número entero/);
    expect(() => parsePositiveInteger("--max", "11", 10)).toThrow(
      "--max debe ser como máximo 10; se recibió 11",
    );
    expect(() => parsePositiveInteger("--max", "x")).toThrow(OptionError);
  });
});

describe("parsePositiveRate", () => {
  it("accepts fractional rates", () => {
    expect(parsePositiveRate("--rate", "0.5")).toBe(0.5);
    expect(parsePositiveRate("--rate", "20")).toBe(20);
  });
  it("refuses zero and words", () => {
    expect(() => parsePositiveRate("--rate", "0")).toThrow("--rate debe ser mayor que 0; se recibió 0");
    expect(() => parsePositiveRate("--rate", "fast")).toThrow(
      /--rate debe ser un número de mensajes por segundo/,
    );
  });
});

describe("parseId", () => {
  it("accepts positive integers only", () => {
    expect(parseId("ORDER_ID", "1001")).toBe(1001);
    expect(() => parseId("ORDER_ID", "abc")).toThrow(
      'ORDER_ID debe ser un número entero positivo; se recibió "abc"',
    );
    expect(() => parseId("--store", "0")).toThrow(/--store debe ser un número entero positivo/);
    expect(() => parseId("ORDER_ID", "99999999999999999999")).toThrow(/ORDER_ID/);
  });
  it("takes an order id with or without the # the listings print, and nothing else", () => {
    expect(parseOrderId("ORDER_ID", "#32204")).toBe(32204);
    expect(parseOrderId("ORDER_ID", " 32204 ")).toBe(32204);
    expect(() => parseOrderId("ORDER_ID", "##32204")).toThrow(/ORDER_ID debe ser un número entero positivo/);
    expect(() => parseOrderId("ORDER_ID", "#")).toThrow(OptionError);
    expect(() => parseOrderId("ORDER_ID", "32204#")).toThrow(OptionError);
  });
});

describe("parseStateFilter", () => {
  it("accepts every state in English, in any case", () => {
    for (const state of RECEIPT_STATES) {
      expect(parseStateFilter("--state", state)).toBe(state);
      expect(parseStateFilter("--state", state.toLowerCase())).toBe(state);
    }
  });
  it("accepts the labels the listings print, with or without accents, and N/A for no receipt", () => {
    expect(parseStateFilter("--state", "ACEPTADO")).toBe("ACCEPTED");
    expect(parseStateFilter("--state", "aceptado")).toBe("ACCEPTED");
    expect(parseStateFilter("--state", "ATENCIÓN")).toBe("NEEDS_ATTENTION");
    expect(parseStateFilter("--state", "atencion")).toBe("NEEDS_ATTENTION");
    expect(parseStateFilter("--state", "REGISTRADO")).toBe("SUBMITTED");
    expect(parseStateFilter("--state", "enviado")).toBe("SUBMITTED");
    expect(parseStateFilter("--state", "RECHAZADO")).toBe("REJECTED");
    expect(parseStateFilter("--state", "VENCIDO")).toBe("STALE");
    expect(parseStateFilter("--state", "N/A")).toBe("NONE");
    expect(parseStateFilter("--state", "na")).toBe("NONE");
  });
  it("lists the states in both languages when the value is not one", () => {
    expect(() => parseStateFilter("--state", "done")).toThrow(
      /--state debe ser un estado: ACEPTADO, .* o en inglés RESERVED, SUBMITTED, ACCEPTED, .*; se recibió "done"/,
    );
  });
});

describe("parseCalendarDate", () => {
  it("accepts a day of the calendar and names the option otherwise", () => {
    expect(parseCalendarDate("--issue-date", "2024-02-29")).toBe("2024-02-29");
    expect(() => parseCalendarDate("--issue-date", "2026-13-45")).toThrow(
      "--issue-date: 2026-13-45 no es una fecha del calendario",
    );
    expect(() => parseCalendarDate("--issue-date", "2025-02-29")).toThrow(/no es una fecha del calendario/);
    expect(() => parseCalendarDate("--issue-date", "2026-1-5")).toThrow(/AAAA-MM-DD/);
  });
});

describe("parseEndDateOption", () => {
  it("ends a plain date where the next day starts in Peru, and a date-time where it says", () => {
    expect(parseEndDateOption("--until", "2026-11-21").toISOString()).toBe("2026-11-22T05:00:00.000Z");
    expect(parseEndDateOption("--until", "2026-11-21T10:00:00Z").toISOString()).toBe(
      "2026-11-21T10:00:00.000Z",
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
    expect(() => parseSince("yesterday")).toThrow(/--since debe ser una fecha ISO \(2026-11-21\)/);
    expect(() => parseSince("21/11/2026")).toThrow(/--since debe ser una fecha ISO/);
    expect(() => parseSince("2026-11-21T10:00:00")).toThrow(/fecha y hora con zona/);
    expect(() => parseSince("2026-02-30")).toThrow("--since: 2026-02-30 no es una fecha del calendario");
    expect(() => parseSince("2026-11-21T25:00:00Z")).toThrow(/no es una hora del día válida/);
  });
});
