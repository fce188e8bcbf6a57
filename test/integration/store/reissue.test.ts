import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { expectOf, ReceiptStore, StateConflictError } from "../../../lib/store/receipt-store";
import { factsFor, issuedRecord, REJECTED_ANSWER, reserveNew } from "../../support/receipt-records";

// markForReissue against DynamoDB Local (TABLE_NAME from the integration global setup); own store ids per test.
let store: ReceiptStore;
let nextStoreId = 95_000 + Math.floor(Math.random() * 1_000) * 10;
const NOW = new Date("2026-11-21T12:00:00Z");
const LATER = new Date("2026-11-21T13:00:00Z");

beforeAll(() => {
  const tableName = process.env.TABLE_NAME;
  if (!tableName) throw new Error("TABLE_NAME is not set: the integration global setup did not run");
  store = new ReceiptStore(DynamoDBDocumentClient.from(new DynamoDBClient({})), tableName);
});

async function rejectedOrder(storeId: number, orderId: number) {
  const key = { storeId, orderId };
  await issuedRecord(store, key, {
    receiptId: 67_400 + orderId,
    answer: REJECTED_ANSWER,
    now: NOW,
    grossTotal: "118.00",
  });
  return { key };
}

describe("ReceiptStore.markForReissue", () => {
  it("burns the rejected number, clears it, and lets reserve give the order the next one", async () => {
    const storeId = nextStoreId++;
    await reserveNew(store, { storeId, orderId: 1 }, "F001", NOW);
    const { key } = await rejectedOrder(storeId, 2); // F001-2
    const marked = await store.markForReissue(key, "resend requested", LATER);
    expect(marked.state).toBe("NEEDS_ATTENTION");
    for (const attribute of [
      "series",
      "correlative",
      "documentNumber",
      "receiptId",
      "submittedAt",
      "sunatCode",
      "sunatMessage",
      "cdrUrl",
      "xmlUrl",
      "pdfUrl",
      "finalizedAt",
    ])
      expect(marked).not.toHaveProperty(attribute);
    expect(marked.burntNumbers).toEqual([
      { documentNumber: "F001-2", receiptId: 67_402, sunatCode: "2335", at: LATER.toISOString() },
    ]);
    expect(marked.history.at(-1)).toEqual({
      at: LATER.toISOString(),
      from: "REJECTED",
      to: "NEEDS_ATTENTION",
      why: "resend requested; F001-2 stays burnt (SUNAT 2335)",
    });
    expect(marked.grossTotal).toBe("118.00"); // kept until the worker rebuilds it
    expect(marked.problems).toEqual([expect.objectContaining({ rule: "reissue_requested" })]);

    // What the worker does next: a NEEDS_ATTENTION record without a number takes a NEW one.
    const reserved = await store.reserve({
      key,
      expect: expectOf(marked),
      series: "F001",
      facts: factsFor("F001"),
      now: LATER,
    });
    expect(reserved.documentNumber).toBe("F001-3");
    expect(reserved.burntNumbers?.map((b) => b.documentNumber)).toEqual(["F001-2"]);
    expect(reserved.history.map((t) => t.to)).toEqual([
      "RESERVED",
      "REJECTED",
      "NEEDS_ATTENTION",
      "RESERVED",
    ]);
  });

  it("refuses any state but REJECTED, and a second concurrent resend burns the number only once", async () => {
    const storeId = nextStoreId++;
    await expect(store.markForReissue({ storeId, orderId: 9 }, "resend", LATER)).rejects.toBeInstanceOf(
      StateConflictError,
    );
    const { key } = await rejectedOrder(storeId, 1);
    const results = await Promise.allSettled([
      store.markForReissue(key, "resend", LATER),
      store.markForReissue(key, "resend", LATER),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const refused = results.find((r) => r.status === "rejected");
    expect(refused?.status === "rejected" && refused.reason).toBeInstanceOf(StateConflictError);
    expect((await store.get(key))?.burntNumbers).toHaveLength(1);
    // Now NEEDS_ATTENTION: a later resend of it is not a reissue.
    await expect(store.markForReissue(key, "resend", LATER)).rejects.toBeInstanceOf(StateConflictError);
  });
});
