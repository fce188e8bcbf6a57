import { describe, expect, it } from "vitest";
import type { SunatAnswer } from "../../../lib/acelerala/sunat-answer";
import {
  type CdrStatus,
  DEFAULT_POLLER_OPTIONS,
  nextPollDelayMs,
  type PollerStore,
  pollDueReceipts,
} from "../../../lib/poller/poll-cdrs";
import type { OrderKey, ReceiptRecord } from "../../../lib/store/receipt-record";
import { StateConflictError } from "../../../lib/store/receipt-store";

const T0 = Date.parse("2026-11-21T12:00:00Z");

function submitted(orderId: number, overrides: Partial<ReceiptRecord> = {}): ReceiptRecord {
  return {
    storeId: 511,
    orderId,
    state: "SUBMITTED",
    createdAt: new Date(T0 - 60_000).toISOString(),
    updatedAt: new Date(T0 - 60_000).toISOString(),
    submittedAt: new Date(T0 - 60_000).toISOString(),
    receiptId: 1000 + orderId,
    documentNumber: `F001-${orderId}`,
    pollCount: 0,
    nextPollAt: T0,
    history: [],
    ...overrides,
  };
}

/** An in-memory stand-in for the pending-CDR index, recording what the poller writes. */
class FakeStore implements PollerStore {
  answers = new Map<number, SunatAnswer>();
  rescheduled = new Map<number, number>();
  exceptions = new Map<number, SunatAnswer>();
  /** The number each write was conditional on. */
  numbers: string[] = [];
  stale = new Set<number>();
  queries = 0;
  constructor(
    private records: ReceiptRecord[],
    private conflicts = new Set<number>(),
  ) {}
  async queryDue(now: Date, limit: number, startKey?: Record<string, unknown>) {
    this.queries++;
    const due = this.records.filter((r) => (r.nextPollAt ?? 0) <= now.getTime());
    const from = typeof startKey?.index === "number" ? startKey.index : 0;
    const page = due.slice(from, from + limit);
    return { records: page, nextKey: from + limit < due.length ? { index: from + limit } : undefined };
  }
  async recordSunatAnswer(key: OrderKey, documentNumber: string, _from: "SUBMITTED", answer: SunatAnswer) {
    this.numbers.push(documentNumber);
    if (this.conflicts.has(key.orderId))
      throw new StateConflictError(key, { state: "SUBMITTED", documentNumber });
    this.answers.set(key.orderId, answer);
  }
  async reschedulePoll(
    key: OrderKey,
    documentNumber: string,
    nextPollAt: number,
    _now: Date,
    exception?: SunatAnswer,
  ) {
    this.numbers.push(documentNumber);
    this.rescheduled.set(key.orderId, nextPollAt);
    if (exception) this.exceptions.set(key.orderId, exception);
  }
  async markStale(key: OrderKey, documentNumber: string) {
    this.numbers.push(documentNumber);
    this.stale.add(key.orderId);
  }
}

const accepted: CdrStatus = {
  answer: { outcome: "accepted", sunatCode: "0", sunatMessage: "ok", cdrUrl: "c", xmlUrl: "x", pdfUrl: "p" },
};
const rejected: CdrStatus = {
  answer: {
    outcome: "rejected",
    sunatCode: "2800",
    sunatMessage: "no",
    cdrUrl: "c",
    xmlUrl: "x",
    pdfUrl: "p",
  },
};
const exception: CdrStatus = {
  answer: {
    outcome: "exception",
    sunatCode: "0100",
    sunatMessage: "intente",
    cdrUrl: null,
    xmlUrl: "x",
    pdfUrl: "p",
  },
};
const pending: CdrStatus = { answer: null };

describe("nextPollDelayMs", () => {
  it("backs off 1, 2, 4 … minutes and caps at 30", () => {
    const minutes = [0, 1, 2, 3, 4, 5, 6, 40].map((n) => nextPollDelayMs(n, DEFAULT_POLLER_OPTIONS) / 60_000);
    expect(minutes).toEqual([1, 2, 4, 8, 16, 30, 30, 30]);
  });
});

describe("pollDueReceipts", () => {
  it("records accepted and rejected answers and reschedules the pending ones with back-off", async () => {
    const store = new FakeStore([submitted(1), submitted(2), submitted(3, { pollCount: 2 })]);
    const statuses = new Map([
      [1, accepted],
      [2, rejected],
      [3, pending],
    ]);
    const summary = await pollDueReceipts({
      store,
      fetchCdr: async (r) => statuses.get(r.orderId) ?? pending,
      now: () => new Date(T0),
    });
    expect(summary).toMatchObject({ checked: 3, accepted: 1, rejected: 1, stillPending: 1, errors: 0 });
    expect(store.answers.get(1)?.sunatCode).toBe("0");
    expect(store.answers.get(2)?.sunatCode).toBe("2800");
    expect(store.rescheduled.get(3)).toBe(T0 + 4 * 60_000);
    // One latency per accepted receipt, from its order event (or, without one, its creation) to the answer.
    expect(summary.acceptedAfterMs).toEqual([60_000]);
  });

  it("measures the webhook-to-accepted latency from the order event when the record has it", async () => {
    const store = new FakeStore([submitted(1, { eventAt: new Date(T0 - 90_000).toISOString() })]);
    const summary = await pollDueReceipts({ store, fetchCdr: async () => accepted, now: () => new Date(T0) });
    expect(summary.acceptedAfterMs).toEqual([90_000]);
  });

  it("keeps a receipt SUBMITTED on a SUNAT exception (0100–1999) and asks again, never as rejected", async () => {
    const store = new FakeStore([submitted(4)]);
    const summary = await pollDueReceipts({
      store,
      fetchCdr: async () => exception,
      now: () => new Date(T0),
    });
    expect(summary).toMatchObject({ exceptions: 1, rejected: 0, accepted: 0 });
    expect(store.answers.size).toBe(0);
    expect(store.exceptions.get(4)?.sunatCode).toBe("0100");
    expect(store.rescheduled.get(4)).toBe(T0 + 60_000);
    expect(store.numbers).toEqual(["F001-4"]);
  });

  it("counts failed polls towards STALE: a receipt whose polls keep failing does not sit forever", async () => {
    const old = submitted(8, { submittedAt: new Date(T0 - 73 * 3_600_000).toISOString() });
    const young = submitted(9);
    const store = new FakeStore([old, young]);
    const summary = await pollDueReceipts({
      store,
      fetchCdr: async () => {
        throw new Error("503");
      },
      now: () => new Date(T0),
    });
    expect(summary).toMatchObject({ errors: 2, stale: 1 });
    expect([...store.stale]).toEqual([8]);
  });

  it("marks a receipt STALE when it has waited longer than the maximum age", async () => {
    const old = submitted(7, { submittedAt: new Date(T0 - 73 * 3_600_000).toISOString() });
    const store = new FakeStore([old]);
    const summary = await pollDueReceipts({ store, fetchCdr: async () => pending, now: () => new Date(T0) });
    expect(summary.stale).toBe(1);
    expect(store.stale.has(7)).toBe(true);
  });

  it("counts a receipt another run finalised first as skipped, not as an error", async () => {
    const store = new FakeStore([submitted(1)], new Set([1]));
    const summary = await pollDueReceipts({ store, fetchCdr: async () => accepted, now: () => new Date(T0) });
    expect(summary).toMatchObject({ skipped: 1, errors: 0, accepted: 0 });
  });

  it("reports API errors and leaves the receipt due for the next run", async () => {
    const store = new FakeStore([submitted(1), submitted(2)]);
    const failed: number[] = [];
    const summary = await pollDueReceipts({
      store,
      fetchCdr: async (r) => {
        if (r.orderId === 1) throw new Error("timeout");
        return accepted;
      },
      now: () => new Date(T0),
      onError: (r) => failed.push(r.orderId),
    });
    expect(summary).toMatchObject({ errors: 1, accepted: 1 });
    expect(failed).toEqual([1]);
    expect(store.rescheduled.has(1)).toBe(false);
  });

  it("reads every page and never more than the page size at once", async () => {
    const records = Array.from({ length: 23 }, (_, i) => submitted(i + 1));
    const store = new FakeStore(records);
    let inFlight = 0;
    let maxInFlight = 0;
    const summary = await pollDueReceipts(
      {
        store,
        fetchCdr: async () => {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await new Promise((resolve) => setTimeout(resolve, 1));
          inFlight--;
          return accepted;
        },
        now: () => new Date(T0),
      },
      { ...DEFAULT_POLLER_OPTIONS, pageSize: 10, concurrency: 3 },
    );
    expect(summary.accepted).toBe(23);
    expect(store.queries).toBe(3);
    expect(maxInFlight).toBe(3);
  });

  it("stops before the time budget and leaves the rest for the next run", async () => {
    const records = Array.from({ length: 10 }, (_, i) => submitted(i + 1));
    const store = new FakeStore(records);
    let clock = T0;
    const summary = await pollDueReceipts(
      {
        store,
        fetchCdr: async () => {
          clock += 1_000; // each CDR fetch takes one second of the budget
          return accepted;
        },
        now: () => new Date(clock),
      },
      { ...DEFAULT_POLLER_OPTIONS, budgetMs: 4_500, concurrency: 1 },
    );
    expect(summary.budgetExhausted).toBe(true);
    expect(summary.accepted).toBe(5);
    expect(store.answers.size).toBe(5);
  });
});
