import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { expectOf, ReceiptStore, StateConflictError } from "../../../lib/store/receipt-store";
import {
  ACCEPTED_ANSWER,
  factsFor,
  issuedRecord,
  landedOf,
  REJECTED_ANSWER,
  reserveNew,
} from "../../support/receipt-records";

// Runs against DynamoDB Local started by test/integration/global-setup.ts (TABLE_NAME and the endpoint
// come from the environment it sets). Each test uses its own store id so tests never see each other's data.
let store: ReceiptStore;
let nextStoreId = 90_000 + Math.floor(Math.random() * 1_000) * 10;
const tableName = () => process.env.TABLE_NAME ?? "";

beforeAll(() => {
  if (!process.env.TABLE_NAME)
    throw new Error("TABLE_NAME is not set: the integration global setup did not run");
  store = new ReceiptStore(DynamoDBDocumentClient.from(new DynamoDBClient({})), tableName());
});

const NOW = new Date("2026-11-21T12:00:00Z");
const LATER = new Date("2026-11-21T12:05:00Z");

describe("ReceiptStore: numbers", () => {
  it("reserves consecutive numbers per series and marks the number as possibly posted", async () => {
    const storeId = nextStoreId++;
    const first = await reserveNew(store, { storeId, orderId: 1 }, "F001", NOW);
    const second = await reserveNew(store, { storeId, orderId: 2 }, "F001", NOW);
    const boleta = await reserveNew(store, { storeId, orderId: 3 }, "B001", NOW);
    expect([first.documentNumber, second.documentNumber, boleta.documentNumber]).toEqual([
      "F001-1",
      "F001-2",
      "B001-1",
    ]);
    expect(second).toMatchObject({ state: "RESERVED", postedAt: NOW.toISOString(), grossTotal: "40.00" });
    expect(second).not.toHaveProperty("requestBody");
    // Without an event time the reservation's own time stands in for it.
    expect(second.eventAt).toBe(NOW.toISOString());
    expect(second.history).toEqual([
      expect.objectContaining({ from: "NONE", to: "RESERVED", why: "number F001-2 reserved" }),
    ]);
  });

  it("keeps numbers unique and consecutive when separate processes race, one number per order", async () => {
    const storeId = nextStoreId++;
    // Three stores = three Lambda environments: no shared cache or queue, only DynamoDB's conditions.
    const environments = [1, 2, 3].map(
      () => new ReceiptStore(DynamoDBDocumentClient.from(new DynamoDBClient({})), tableName()),
    );
    // 15 orders, each reserved twice concurrently (duplicate deliveries racing each other).
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        reserveNew(environments[i % 3] as ReceiptStore, { storeId, orderId: (i % 15) + 1 }, "F001", NOW),
      ),
    );
    const won = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    const lost = results.flatMap((r) => (r.status === "rejected" ? [r.reason] : []));
    expect(won).toHaveLength(15);
    expect(lost.every((error) => error instanceof StateConflictError)).toBe(true);
    expect(new Set(won.map((r) => r.orderId)).size).toBe(15);
    const correlatives = won.map((r) => r.correlative).sort((a, b) => (a ?? 0) - (b ?? 0));
    // A loser's transaction may have moved nothing: numbers stay consecutive.
    expect(correlatives).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
  });

  it("writes the reservations that waited together in one transaction; a record that moved fails alone", async () => {
    const storeId = nextStoreId++;
    const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    const transactions: number[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === "TransactWriteItemsCommand") {
          const input = args.input as { TransactItems?: unknown[] };
          transactions.push(input.TransactItems?.length ?? 0);
        }
        return next(args);
      },
      { step: "initialize", name: "countTransactions" },
    );
    const grouped = new ReceiptStore(client, tableName());
    // Order 5 already holds a number: a reservation that read it as having none must fail, and only it.
    const holder = await reserveNew(store, { storeId, orderId: 5 }, "B001", NOW);
    expect(holder.documentNumber).toBe("B001-1");
    transactions.length = 0;
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => reserveNew(grouped, { storeId, orderId: i + 1 }, "B001", NOW)),
    );
    const won = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    const lost = results.flatMap((r) => (r.status === "rejected" ? [r.reason] : []));
    expect(lost).toHaveLength(1);
    expect(lost[0]).toBeInstanceOf(StateConflictError);
    expect((lost[0] as StateConflictError).key.orderId).toBe(5);
    expect(won.map((r) => r.orderId).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 6, 7, 8]);
    // Consecutive after the holder's number: the failed member's number was given to no one, nor skipped.
    expect(won.map((r) => r.correlative).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual([2, 3, 4, 5, 6, 7, 8]);
    // All eight waited together: one transaction with the counter, then again without order 5 once it failed.
    expect(transactions).toEqual([9, 8]);
    expect((await grouped.readCounter(storeId, "B001"))?.last).toBe(8);
  });

  it("returns, without reading it back, the record DynamoDB holds after the reservation", async () => {
    const storeId = nextStoreId++;
    const fresh = { storeId, orderId: 1 };
    const computed = await store.reserve({
      key: fresh,
      expect: expectOf(undefined),
      read: null,
      series: "F001",
      facts: factsFor("F001"),
      now: NOW,
      eventAt: new Date("2026-11-21T11:59:00Z"),
    });
    expect(computed).toEqual(await store.get(fresh));

    // A renumber from NEEDS_ATTENTION: problems, lastError and the old number go; the old one is released.
    const flaggedKey = { storeId, orderId: 2 };
    const reserved = await reserveNew(store, flaggedKey, "B001", NOW);
    const problem = { field: "customer", rule: "rule", message: "m" };
    const flagged = await store.flag(flaggedKey, expectOf(reserved), [problem], "API refused B001-1", NOW);
    await store.recordError(flaggedKey, "timeout", NOW);
    const read = await store.get(flaggedKey);
    const renumbered = await store.reserve({
      key: flaggedKey,
      expect: expectOf(flagged),
      read: read ?? null,
      series: "F001",
      facts: factsFor("F001", "52.00"),
      now: LATER,
      releaseWhy: "the order now needs another series",
    });
    expect(renumbered.documentNumber).toBe("F001-2");
    expect(renumbered).toEqual(await store.get(flaggedKey));
    // A record that is not the one `expect` describes is a programming error, refused before any write.
    await expect(
      store.reserve({
        key: flaggedKey,
        expect: expectOf(undefined),
        read: renumbered,
        series: "F001",
        facts: factsFor("F001"),
        now: LATER,
      }),
    ).rejects.toThrow(/not the record/);
  });

  it("seeds a new series from the API's highest number, and asks only once", async () => {
    const storeId = nextStoreId++;
    let asked = 0;
    const seed = async () => {
      asked++;
      return 66;
    };
    const input = (orderId: number) => ({
      key: { storeId, orderId },
      expect: expectOf(undefined),
      series: "F001",
      facts: factsFor("F001"),
      now: NOW,
      seedCounter: seed,
    });
    expect((await store.reserve(input(1))).documentNumber).toBe("F001-67");
    expect((await store.reserve(input(2))).documentNumber).toBe("F001-68");
    expect(asked).toBe(1);
  });

  it("raises a counter past a number another receipt holds, never lowers it", async () => {
    const storeId = nextStoreId++;
    await reserveNew(store, { storeId, orderId: 1 }, "F001", NOW);
    expect(await store.raiseCounter(storeId, "F001", 9, NOW)).toBe(9);
    expect(await store.raiseCounter(storeId, "F001", 4, NOW)).toBe(9);
    expect((await reserveNew(store, { storeId, orderId: 2 }, "F001", NOW)).documentNumber).toBe("F001-10");
    const counters = await store.listCounters(storeId);
    expect(counters).toEqual([expect.objectContaining({ storeId, series: "F001", last: 10 })]);
  });
});

describe("ReceiptStore: moves are conditional on state and number", () => {
  it("lands RESERVED → SUBMITTED into the pending-CDR index, then → ACCEPTED out of it", async () => {
    const storeId = nextStoreId++;
    const key = { storeId, orderId: 1 };
    const due = NOW.getTime() - 1;
    const submitted = await issuedRecord(store, key, {
      receiptId: 77,
      answer: null,
      now: NOW,
      nextPollAt: due,
    });
    expect(submitted).toMatchObject({
      state: "SUBMITTED",
      receiptId: 77,
      pendingCdr: "PENDING",
      nextPollAt: due,
    });
    expect(submitted.postedAt).toBeUndefined();
    const dueNow = await collectDue(NOW, storeId);
    expect(dueNow.map((r) => [r.orderId, r.documentNumber])).toEqual([[1, "F001-1"]]);
    expect(await collectDue(new Date(due - 1), storeId)).toEqual([]);

    const accepted = await store.recordSunatAnswer(key, "F001-1", "SUBMITTED", ACCEPTED_ANSWER, NOW);
    expect(accepted).toMatchObject({ state: "ACCEPTED", sunatCode: "0", cdrUrl: "http://x/cdr.zip" });
    expect(accepted.pendingCdr).toBeUndefined();
    expect(await collectDue(NOW, storeId)).toEqual([]);
    expect(accepted.history.map((t) => t.to)).toEqual(["RESERVED", "SUBMITTED", "ACCEPTED"]);
  });

  it("records the number the API assigned and releases the one it held", async () => {
    const storeId = nextStoreId++;
    const key = { storeId, orderId: 1 };
    const reserved = await reserveNew(store, key, "B001", NOW);
    const landed = { ...landedOf(reserved, 90, ACCEPTED_ANSWER), correlative: 57 };
    const record = await store.land(key, expectOf(reserved), landed, 0, "API holds receipt 90", NOW);
    expect(record).toMatchObject({ state: "ACCEPTED", documentNumber: "B001-57", correlative: 57 });
    expect(record.releasedNumbers).toEqual([
      expect.objectContaining({
        documentNumber: "B001-1",
        why: "the API holds this order's receipt as B001-57",
      }),
    ]);
  });

  it("refuses a writer that holds an old number, and never moves a final receipt backwards", async () => {
    const storeId = nextStoreId++;
    const key = { storeId, orderId: 1 };
    const reserved = await reserveNew(store, key, "B001", NOW);
    // The order switched to Factura: the B number is released, F001-1 reserved.
    const renumbered = await store.reserve({
      key,
      expect: expectOf(reserved),
      series: "F001",
      facts: factsFor("F001"),
      now: LATER,
      releaseWhy: "the order now needs another series",
    });
    expect(renumbered).toMatchObject({ state: "RESERVED", documentNumber: "F001-1" });
    expect(renumbered.releasedNumbers?.map((n) => n.documentNumber)).toEqual(["B001-1"]);
    // A late success for the old number cannot land on the record that now holds another.
    await expect(
      store.land(key, expectOf(reserved), landedOf(reserved, 5, ACCEPTED_ANSWER), 0, "late", LATER),
    ).rejects.toBeInstanceOf(StateConflictError);
    await expect(store.flag(key, expectOf(reserved), [], "late", LATER)).rejects.toBeInstanceOf(
      StateConflictError,
    );

    const accepted = await store.land(
      key,
      expectOf(renumbered),
      landedOf(renumbered, 6, ACCEPTED_ANSWER),
      0,
      "ok",
      LATER,
    );
    await expect(
      store.recordSunatAnswer(key, "F001-1", "SUBMITTED", REJECTED_ANSWER, LATER),
    ).rejects.toBeInstanceOf(StateConflictError);
    await expect(store.reschedulePoll(key, "F001-1", 1, LATER)).rejects.toBeInstanceOf(StateConflictError);
    await expect(store.markStale(key, "F001-1", "late", LATER)).rejects.toBeInstanceOf(StateConflictError);
    await expect(store.flag(key, expectOf(accepted), [], "late", LATER)).rejects.toThrow(/cannot move/);
    await expect(reserveNew(store, key, "F001", LATER)).rejects.toBeInstanceOf(StateConflictError);
    expect((await store.get(key))?.state).toBe("ACCEPTED");
  });

  it("keeps a refused number through NEEDS_ATTENTION and posts it again once the order is fixed", async () => {
    const storeId = nextStoreId++;
    const key = { storeId, orderId: 1 };
    const problem = {
      field: "billing_details.document_number",
      rule: "ruc_invalid",
      message: "RUC inválido",
    };
    const reserved = await reserveNew(store, key, "F001", NOW);
    const flagged = await store.flag(key, expectOf(reserved), [problem], "API refused F001-1", NOW);
    expect(flagged).toMatchObject({
      state: "NEEDS_ATTENTION",
      documentNumber: "F001-1",
      problems: [problem],
    });
    expect(flagged.postedAt).toBeUndefined();
    const reposted = await store.repost(
      key,
      expectOf(flagged),
      factsFor("F001", "52.00"),
      "order fixed",
      LATER,
    );
    expect(reposted).toMatchObject({
      state: "RESERVED",
      documentNumber: "F001-1",
      grossTotal: "52.00",
      postedAt: LATER.toISOString(),
    });
    expect(reposted.problems).toBeUndefined();
  });

  it("releases the number of an order that is no longer payable, and can issue it later", async () => {
    const storeId = nextStoreId++;
    const key = { storeId, orderId: 1 };
    const firstEvent = new Date("2026-11-21T11:59:00Z");
    const reserved = await store.reserve({
      key,
      expect: expectOf(undefined),
      series: "F001",
      facts: factsFor("F001"),
      now: NOW,
      eventAt: firstEvent,
    });
    const skipped = await store.release(key, expectOf(reserved), "SKIPPED", "payment voided", NOW);
    expect(skipped).toMatchObject({ state: "SKIPPED", skipReason: "payment voided" });
    expect(skipped.documentNumber).toBeUndefined();
    expect(skipped.releasedNumbers?.map((n) => n.documentNumber)).toEqual(["F001-1"]);
    const again = await store.reserve({
      key,
      expect: expectOf(skipped),
      series: "F001",
      facts: factsFor("F001"),
      now: LATER,
    });
    expect(again).toMatchObject({
      state: "RESERVED",
      documentNumber: "F001-2",
      eventAt: firstEvent.toISOString(),
    });
    expect(again.skipReason).toBeUndefined();
  });

  it("records a cancelled order with no receipt as CANCELED", async () => {
    const key = { storeId: nextStoreId++, orderId: 1 };
    const canceled = await store.cancel(key, expectOf(undefined), "El pedido está anulado", NOW);
    expect(canceled).toMatchObject({ state: "CANCELED", storeId: key.storeId, orderId: 1 });
    await expect(store.cancel(key, expectOf(undefined), "again", NOW)).rejects.toBeInstanceOf(
      StateConflictError,
    );
  });

  it("keeps a SUNAT exception on a SUBMITTED receipt, reschedules, and marks stale only while SUBMITTED", async () => {
    const storeId = nextStoreId++;
    const key = { storeId, orderId: 1 };
    await issuedRecord(store, key, { answer: null, now: NOW });
    const exception = { ...ACCEPTED_ANSWER, outcome: "exception" as const, sunatCode: "0100", cdrUrl: null };
    await store.reschedulePoll(key, "F001-1", NOW.getTime() + 60_000, NOW, exception);
    expect(await store.get(key)).toMatchObject({
      state: "SUBMITTED",
      sunatCode: "0100",
      pollCount: 1,
      nextPollAt: NOW.getTime() + 60_000,
    });
    await expect(store.recordSunatAnswer(key, "F001-1", "SUBMITTED", exception, NOW)).rejects.toThrow(
      /not an answer/,
    );
    await store.markStale(key, "F001-1", "no CDR after 72 h", NOW);
    const stale = await store.get(key);
    expect(stale?.state).toBe("STALE");
    expect(stale?.pendingCdr).toBeUndefined();
    // A late answer still reaches a STALE receipt.
    expect(await store.recordSunatAnswer(key, "F001-1", "STALE", ACCEPTED_ANSWER, LATER)).toMatchObject({
      state: "ACCEPTED",
    });
  });
});

describe("ReceiptStore: errors for operators", () => {
  it("keeps the last error on the record, or beside it when the order has no record yet", async () => {
    const storeId = nextStoreId++;
    await store.recordError({ storeId, orderId: 1 }, "Acelérala GET /v1/orders/{id}: 503", NOW);
    expect(await store.get({ storeId, orderId: 1 })).toBeUndefined(); // no record is made up
    expect(await store.summary({ storeId, orderId: 1 })).toEqual({
      lastError: "Acelérala GET /v1/orders/{id}: 503",
    });
    await reserveNew(store, { storeId, orderId: 2 }, "F001", NOW);
    await store.recordError({ storeId, orderId: 2 }, "POST timed out", NOW);
    expect(await store.summary({ storeId, orderId: 2 })).toMatchObject({
      state: "RESERVED",
      lastError: "POST timed out",
    });
    expect(await store.summary({ storeId, orderId: 3 })).toBeUndefined();
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
