import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTableInput, ensureReceiptsTable } from "../../../infra/local/receipts-table";
import { countOverdueRecords } from "../../../lib/ops/overdue-records";
import { OverdueQueries } from "../../../lib/store/overdue-query";
import { expectOf, noteKey, ReceiptStore } from "../../../lib/store/receipt-store";
import { ACCEPTED_ANSWER, issuedRecord, landedOf, reserveNew } from "../../support/receipt-records";

// The overdue gauges' queries against DynamoDB Local (global setup), in a table of their own so the counts are
// exactly this file's records: the state index finds the records stuck in RESERVED or NEEDS_ATTENTION, the
// pending-CDR index the SUBMITTED ones past the STALE limit; counters, fresh records and final ones are left out.

const dynamo = new DynamoDBClient({});
const db = DynamoDBDocumentClient.from(dynamo);
const tableName = `overdue-${process.pid}`;
const oldTable = `overdue-old-${process.pid}`;
let store: ReceiptStore;
let queries: OverdueQueries;

const NOW = new Date("2026-11-21T12:00:00.000Z");
const ago = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);
const PROBLEMS = [{ field: "billing_details.document_number", rule: "ruc_invalid", message: "RUC inválido" }];

beforeAll(async () => {
  await ensureReceiptsTable(dynamo, tableName);
  store = new ReceiptStore(db, tableName);
  queries = new OverdueQueries(db, tableName);

  // RESERVED and found unresolved by a later attempt: one reserved 20 minutes ago (stuck), one 5 minutes ago (a
  // retry on its way), one credit note an hour ago; and one reserved an hour ago that no attempt has found yet
  // (the happy path's in-flight reservation: not indexed, not counted).
  const stuck = await reserveNew(store, { storeId: 511, orderId: 1 }, "F001", ago(20));
  await store.markUnresolved({ storeId: 511, orderId: 1 }, stuck);
  const recent = await reserveNew(store, { storeId: 511, orderId: 2 }, "F001", ago(5));
  await store.markUnresolved({ storeId: 511, orderId: 2 }, recent);
  const note = noteKey({ storeId: 511, orderId: 3 }, "canceled");
  const reservedNote = await store.reserve({
    key: note,
    expect: expectOf(undefined),
    series: "FC01",
    facts: { documentTypeCode: "07", currencyCode: "PEN", grossTotal: "10.00" },
    now: ago(60),
  });
  await store.markUnresolved(note, reservedNote);
  await reserveNew(store, { storeId: 511, orderId: 9 }, "F001", ago(60));
  // NEEDS_ATTENTION: flagged two hours ago (overdue), ten minutes ago (not yet).
  await store.flag({ storeId: 511, orderId: 4 }, expectOf(undefined), PROBLEMS, "RUC inválido", ago(120));
  await store.flag({ storeId: 511, orderId: 5 }, expectOf(undefined), PROBLEMS, "RUC inválido", ago(10));
  // SUBMITTED 73 hours ago (past the STALE limit) and an hour ago; ACCEPTED three days ago (final: never overdue).
  await issuedRecord(store, { storeId: 511, orderId: 6 }, { series: "B001", now: ago(73 * 60) });
  await issuedRecord(store, { storeId: 511, orderId: 7 }, { series: "B001", now: ago(60) });
  await issuedRecord(store, { storeId: 511, orderId: 8 }, { answer: ACCEPTED_ANSWER, now: ago(72 * 60) });
});

afterAll(async () => {
  for (const name of [tableName, oldTable])
    await dynamo.send(new DeleteTableCommand({ TableName: name })).catch(() => undefined);
  dynamo.destroy();
});

describe("OverdueQueries", () => {
  it("counts the records of an open state that entered it before a time, oldest first, credit notes included", async () => {
    const reserved = await queries.inStateSince("RESERVED", ago(15), 100);
    expect(reserved).toEqual({
      count: 2,
      capped: false,
      sample: [
        { storeId: 511, orderId: 3, document: "NOTE#canceled" },
        { storeId: 511, orderId: 1 },
      ],
    });
    const attention = await queries.inStateSince("NEEDS_ATTENTION", ago(60), 100);
    expect(attention).toMatchObject({ count: 1, sample: [{ storeId: 511, orderId: 4 }] });
    // The index is sparse: a final record is not in it.
    expect((await queries.inStateSince("ACCEPTED", ago(0), 100)).count).toBe(0);
  });

  it("keeps when a record entered its state through moves within it, and drops it when the record leaves", async () => {
    const key = { storeId: 512, orderId: 1 };
    const flagged = await store.flag(key, expectOf(undefined), PROBLEMS, "RUC inválido", ago(90));
    // Flagged again now (another event of the still-broken order): still NEEDS_ATTENTION since 90 minutes ago.
    const again = await store.flag(key, expectOf(flagged), PROBLEMS, "RUC inválido", ago(0));
    expect(again).toMatchObject({ openState: "NEEDS_ATTENTION", openSince: ago(90).toISOString() });
    const before = await queries.inStateSince("NEEDS_ATTENTION", ago(60), 100);
    expect(before.sample).toContainEqual(key);
    const reserved = await store.reserve({
      key,
      expect: expectOf(again),
      series: "F001",
      facts: { documentTypeCode: "01", currencyCode: "PEN", grossTotal: "1.00" },
      now: ago(0),
    });
    // Leaving NEEDS_ATTENTION for RESERVED leaves the index: a reservation is indexed only once found unresolved.
    expect(reserved.openState).toBeUndefined();
    expect((await queries.inStateSince("NEEDS_ATTENTION", ago(60), 100)).sample).not.toContainEqual(key);
    const later = new Date(NOW.getTime() + 60_000);
    await store.markUnresolved(key, reserved);
    // A second attempt that read the record before the first indexed it writes the same date again.
    await store.markUnresolved(key, { ...reserved, updatedAt: later.toISOString() });
    expect(await store.get(key)).toMatchObject({ openState: "RESERVED", openSince: ago(0).toISOString() });
    const landed = await store.land(
      key,
      expectOf(reserved),
      landedOf(reserved, 9, ACCEPTED_ANSWER),
      0,
      "ok",
      ago(0),
    );
    expect(landed.openState).toBeUndefined();
    expect(landed.openSince).toBeUndefined();
    // A late attempt holding the record as it was before it landed writes nothing.
    await store.markUnresolved(key, reserved);
    expect((await store.get(key))?.openState).toBeUndefined();
  });

  it("counts the SUBMITTED records submitted before a time from the pending-CDR index", async () => {
    expect(await queries.submittedBefore(ago(72 * 60 + 35), 100)).toEqual({
      count: 1,
      capped: false,
      sample: [{ storeId: 511, orderId: 6 }],
    });
    expect((await queries.submittedBefore(ago(0), 100)).count).toBe(2);
  });

  it("stops at the cap and says there may be more", async () => {
    expect(await queries.inStateSince("RESERVED", ago(0), 2)).toMatchObject({ count: 2, capped: true });
    expect(await queries.submittedBefore(ago(0), 1)).toMatchObject({ count: 1, capped: true });
  });

  it("gives the poller's gauges: one RESERVED (and a note) stuck, one NEEDS_ATTENTION, one SUBMITTED", async () => {
    const overdue = await countOverdueRecords(queries, NOW);
    expect([overdue.reserved.count, overdue.needsAttention.count, overdue.submitted.count]).toEqual([
      2, 1, 1,
    ]);
  });
});

describe("ensureReceiptsTable", () => {
  it("adds the state index to a table created before it existed (a persisted local database), once", async () => {
    const { GlobalSecondaryIndexes = [], AttributeDefinitions = [], ...input } = createTableInput(oldTable);
    const pendingOnly = GlobalSecondaryIndexes.filter((index) => index.IndexName === "pending-cdr");
    const oldAttributes = AttributeDefinitions.filter(
      (a) => !["openState", "openSince"].includes(a.AttributeName ?? ""),
    );
    await dynamo.send(
      new CreateTableCommand({
        ...input,
        AttributeDefinitions: oldAttributes,
        GlobalSecondaryIndexes: pendingOnly,
      }),
    );
    await waitUntilTableExists({ client: dynamo, maxWaitTime: 30, minDelay: 1 }, { TableName: oldTable });
    await reserveNew(new ReceiptStore(db, oldTable), { storeId: 511, orderId: 1 }, "F001", ago(30));

    await ensureReceiptsTable(dynamo, oldTable);
    // A second start finds it there (CREATING or ACTIVE) and asks for nothing more.
    await ensureReceiptsTable(dynamo, oldTable);
    const described = await dynamo.send(new DescribeTableCommand({ TableName: oldTable }));
    const indexes = described.Table?.GlobalSecondaryIndexes ?? [];
    expect(indexes.map((index) => index.IndexName).sort()).toEqual(["open-records", "pending-cdr"]);
    // DynamoDB Local backfills it in a background job (seconds alone, far longer while the whole suite loads it),
    // so what is checked is what was asked for: the definition's keys and projection.
    expect(indexes.find((index) => index.IndexName === "open-records")).toMatchObject({
      KeySchema: [
        { AttributeName: "openState", KeyType: "HASH" },
        { AttributeName: "openSince", KeyType: "RANGE" },
      ],
      Projection: { ProjectionType: "INCLUDE", NonKeyAttributes: ["storeId", "orderId"] },
    });
  });
});
