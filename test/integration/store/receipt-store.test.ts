import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { ReceiptStore, StateConflictError, type SunatAnswer } from "../../../lib/store/receipt-store";

// Runs against DynamoDB Local started by test/integration/global-setup.ts (TABLE_NAME and the endpoint
// come from the environment it sets). Each test uses its own store id so tests never see each other's data.
let store: ReceiptStore;
let nextStoreId = 90_000 + Math.floor(Math.random() * 1_000) * 10;

beforeAll(() => {
  const tableName = process.env.TABLE_NAME;
  if (!tableName) throw new Error("TABLE_NAME is not set: the integration global setup did not run");
  store = new ReceiptStore(DynamoDBDocumentClient.from(new DynamoDBClient({})), tableName);
});

const NOW = new Date("2026-11-21T12:00:00Z");
const ACCEPTED: SunatAnswer = {
  accepted: true,
  sunatCode: "0",
  sunatMessage: "aceptada",
  cdrUrl: "http://x/cdr.zip",
  xmlUrl: "http://x/r.xml",
  pdfUrl: "http://x/r.pdf",
};

function reserveInput(storeId: number, orderId: number, series = "F001") {
  return {
    key: { storeId, orderId },
    documentTypeCode: "01",
    series,
    currencyCode: "PEN",
    grossTotal: "40.00",
    requestBodyFor: (correlative: number) => JSON.stringify({ series, correlative, order_id: orderId }),
    now: NOW,
  };
}

describe("ReceiptStore", () => {
  it("reserves consecutive numbers per series and stores the exact request body", async () => {
    const storeId = nextStoreId++;
    const first = await store.reserve(reserveInput(storeId, 1));
    const second = await store.reserve(reserveInput(storeId, 2));
    const boleta = await store.reserve(reserveInput(storeId, 3, "B001"));
    expect(first.reserved && first.record.documentNumber).toBe("F001-1");
    expect(second.reserved && second.record.documentNumber).toBe("F001-2");
    expect(boleta.reserved && boleta.record.documentNumber).toBe("B001-1");
    expect(JSON.parse(second.record.requestBody ?? "{}")).toEqual({
      series: "F001",
      correlative: 2,
      order_id: 2,
    });
    expect(second.record.history).toHaveLength(1);
    // Without an event time the reservation's own time stands in for it.
    expect(second.record.eventAt).toBe(NOW.toISOString());
    expect(second.record.history[0]).toMatchObject({ from: null, to: "RESERVED" });
  });

  it("keeps numbers unique and consecutive when separate processes race for the same counter", async () => {
    const storeId = nextStoreId++;
    const tableName = process.env.TABLE_NAME ?? "";
    // Three stores = three Lambda environments: no shared cache or queue, only DynamoDB's conditions.
    const environments = [1, 2, 3].map(
      () => new ReceiptStore(DynamoDBDocumentClient.from(new DynamoDBClient({})), tableName),
    );
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => environments[i % 3]?.reserve(reserveInput(storeId, (i % 15) + 1))),
    );
    const numbers = new Map<number, string | undefined>();
    for (const result of results) {
      const seen = numbers.get(result?.record.orderId ?? 0);
      if (seen) expect(result?.record.documentNumber).toBe(seen);
      numbers.set(result?.record.orderId ?? 0, result?.record.documentNumber);
    }
    expect(results.filter((r) => r?.reserved)).toHaveLength(15);
    const correlatives = [...numbers.values()].map((n) => Number(n?.split("-")[1])).sort((a, b) => a - b);
    expect(correlatives).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
  });

  it("never gives one order a second number, and never one number to two orders, under concurrency", async () => {
    const storeId = nextStoreId++;
    // 20 orders, each reserved 3 times concurrently (duplicate deliveries racing each other).
    const attempts = Array.from({ length: 60 }, (_, i) => store.reserve(reserveInput(storeId, (i % 20) + 1)));
    const results = await Promise.all(attempts);
    expect(results.filter((r) => r.reserved)).toHaveLength(20);
    const numberByOrder = new Map<number, string | undefined>();
    for (const result of results) {
      const seen = numberByOrder.get(result.record.orderId);
      if (seen) expect(result.record.documentNumber).toBe(seen);
      numberByOrder.set(result.record.orderId, result.record.documentNumber);
    }
    const correlatives = [...numberByOrder.values()]
      .map((n) => Number(n?.split("-")[1]))
      .sort((a, b) => a - b);
    expect(correlatives).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it("moves RESERVED → SUBMITTED into the pending-CDR index, then → ACCEPTED out of it", async () => {
    const storeId = nextStoreId++;
    const key = { storeId, orderId: 1 };
    await store.reserve(reserveInput(storeId, 1));
    const due = NOW.getTime() - 1;
    const submitted = await store.markSubmitted(
      key,
      "RESERVED",
      { receiptId: 77, sunatAnswer: null, nextPollAt: due },
      NOW,
    );
    expect(submitted).toMatchObject({
      state: "SUBMITTED",
      receiptId: 77,
      pendingCdr: "PENDING",
      nextPollAt: due,
    });

    const dueNow = await collectDue(NOW, storeId);
    expect(dueNow.map((r) => r.orderId)).toEqual([1]);
    const notYet = await collectDue(new Date(due - 1), storeId);
    expect(notYet).toEqual([]);

    const accepted = await store.recordSunatAnswer(key, ACCEPTED, NOW);
    expect(accepted).toMatchObject({ state: "ACCEPTED", sunatCode: "0", cdrUrl: "http://x/cdr.zip" });
    expect(accepted.pendingCdr).toBeUndefined();
    expect(await collectDue(NOW, storeId)).toEqual([]);
    expect(accepted.history.map((t) => t.to)).toEqual(["RESERVED", "SUBMITTED", "ACCEPTED"]);
  });

  it("refuses to move a final receipt backwards (overlapping poller runs, late workers)", async () => {
    const storeId = nextStoreId++;
    const key = { storeId, orderId: 1 };
    await store.reserve(reserveInput(storeId, 1));
    await store.markSubmitted(key, "RESERVED", { receiptId: 5, sunatAnswer: ACCEPTED, nextPollAt: 0 }, NOW);
    await expect(store.recordSunatAnswer(key, { ...ACCEPTED, accepted: false }, NOW)).rejects.toBeInstanceOf(
      StateConflictError,
    );
    await expect(store.reschedulePoll(key, 1, NOW)).rejects.toBeInstanceOf(StateConflictError);
    await expect(store.markStale(key, "late", NOW)).rejects.toBeInstanceOf(StateConflictError);
    await expect(store.markNeedsAttention(key, [], "late", NOW)).rejects.toBeInstanceOf(StateConflictError);
    await expect(
      store.markSubmitted(key, "RESERVED", { receiptId: 6, sunatAnswer: null, nextPollAt: 0 }, NOW),
    ).rejects.toBeInstanceOf(StateConflictError);
    const again = await store.reserve(reserveInput(storeId, 1));
    expect(again.reserved).toBe(false);
    expect((await store.get(key))?.state).toBe("ACCEPTED");
  });

  it("records NEEDS_ATTENTION with its problems, and a later fix can take a number", async () => {
    const storeId = nextStoreId++;
    const key = { storeId, orderId: 1 };
    const problem = {
      field: "billing_details.document_number",
      rule: "ruc_check_digit",
      message: "RUC inválido",
    };
    await store.markNeedsAttention(key, [problem], "RUC inválido", NOW);
    expect(await store.get(key)).toMatchObject({ state: "NEEDS_ATTENTION", problems: [problem] });
    const flagged = await store.get(key);
    const fixed = await store.reserve({ ...reserveInput(storeId, 1), previous: flagged });
    expect(fixed.reserved).toBe(true);
    expect(fixed.record).toMatchObject({ state: "RESERVED", documentNumber: "F001-1" });
    expect(fixed.record.problems).toBeUndefined();
    expect(fixed.record.history.map((t) => t.to)).toEqual(["NEEDS_ATTENTION", "RESERVED"]);
  });

  it("keeps the first order event's time through a later reservation of a fixed order", async () => {
    const storeId = nextStoreId++;
    const key = { storeId, orderId: 1 };
    const firstEvent = new Date("2026-11-21T11:59:00Z");
    await store.markNeedsAttention(key, [], "RUC inválido", NOW);
    const flagged = await store.get(key);
    const fixed = await store.reserve({
      ...reserveInput(storeId, 1),
      previous: flagged,
      eventAt: firstEvent,
    });
    expect(fixed.record.eventAt).toBe(firstEvent.toISOString());
    expect((await store.get(key))?.eventAt).toBe(firstEvent.toISOString());
  });

  it("reschedules and marks stale only while SUBMITTED", async () => {
    const storeId = nextStoreId++;
    const key = { storeId, orderId: 1 };
    await store.reserve(reserveInput(storeId, 1));
    await store.markSubmitted(key, "RESERVED", { receiptId: 9, sunatAnswer: null, nextPollAt: 0 }, NOW);
    await store.reschedulePoll(key, NOW.getTime() + 60_000, NOW);
    expect(await store.get(key)).toMatchObject({ pollCount: 1, nextPollAt: NOW.getTime() + 60_000 });
    await store.markStale(key, "no CDR after 72 h", NOW);
    const stale = await store.get(key);
    expect(stale?.state).toBe("STALE");
    expect(stale?.pendingCdr).toBeUndefined();
  });
});

async function collectDue(now: Date, storeId: number) {
  const found = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await store.queryDue(now, 100, startKey);
    found.push(...page.records.filter((r) => r.storeId === storeId));
    startKey = page.nextKey;
  } while (startKey);
  return found;
}
