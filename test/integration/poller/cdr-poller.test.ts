import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureReceiptsTable } from "../../../infra/local/receipts-table";
import { makeOrder } from "../../../infra/simulator/order-factory";
import { type Simulator, startSimulator } from "../../../infra/simulator/server";
import { AceleralaClient } from "../../../lib/acelerala/client";
import { createLogger, createMetrics } from "../../../lib/observability/logger";
import { DEFAULT_POLLER_OPTIONS } from "../../../lib/poller/poll-cdrs";
import { type PollerDependencies, runPoller } from "../../../lib/poller/poller";
import { createDocumentClient } from "../../../lib/runtime";
import { OverdueQueries } from "../../../lib/store/overdue-query";
import { expectOf, ReceiptStore } from "../../../lib/store/receipt-store";
import { landedOf, reserveNew } from "../../support/receipt-records";

// The poller handler against DynamoDB Local (global setup) and the simulator: receipts submitted while SUNAT
// has not answered become ACCEPTED / REJECTED once it has, and overlapping runs cannot regress them.

let simulator: Simulator;
let store: ReceiptStore;
let overdue: OverdueQueries;
let client: AceleralaClient;
let clock = Date.now();
const storeId = 511;

beforeAll(async () => {
  // SUNAT answers 1.5 s after each POST: the first run sees nothing, a later one sees the answer.
  simulator = await startSimulator({ sunatDelayMs: 1_500, seed: 11 });
  // A table of its own: the poller reads the whole pending-CDR index, and other test files' receipts live
  // in another simulator whose receipt ids overlap with this one's.
  const tableName = `cdr-poller-test-${process.pid}`;
  await ensureReceiptsTable(new DynamoDBClient({}), tableName);
  const db = createDocumentClient(process.env.AWS_REGION ?? "us-east-1");
  store = new ReceiptStore(db, tableName);
  overdue = new OverdueQueries(db, tableName);
  client = new AceleralaClient({
    baseUrl: simulator.url,
    credentials: { client_id: "demo-client", client_secret: "demo-secret" },
  });
});

afterAll(async () => {
  await simulator.stop();
});

/** One poller run (lib/poller/poller.ts, what the handler calls) with 45 s of the invocation left. */
function poll() {
  const deps: PollerDependencies = {
    store,
    overdue,
    api: async () => client,
    options: { ...DEFAULT_POLLER_OPTIONS, baseDelayMs: 1_000 },
    aceleralaTimeoutSeconds: 10,
    logger: createLogger("cdr-poller-test"),
    metrics: createMetrics("cdr-poller-test"),
    now: () => new Date(clock),
  };
  return runPoller(45_000, deps);
}

/** Submits a receipt through the simulator and records it SUBMITTED, as the worker would. */
async function submitted(forced?: "rejected" | "no_answer" | "exception", nextPollAt = clock) {
  const order = simulator.createOrder(
    makeOrder(Math.floor(Math.random() * 1e6), {}, { documentKind: "boleta" }),
  );
  const orderId = Number(order.id);
  if (forced) simulator.setSunatPolicy({ forced: { [String(orderId)]: forced } });
  const key = { storeId, orderId };
  const reserved = await reserveNew(store, key, "B001", new Date(), "1.00");
  const receipt = simulator.createReceipt({
    ...orderReceiptBody(orderId),
    correlative: reserved.correlative,
  });
  await store.land(
    key,
    expectOf(reserved),
    { ...landedOf(reserved, Number(receipt.id), null), correlative: receipt.correlative },
    nextPollAt,
    "API holds the receipt",
    new Date(),
  );
  return key;
}

function orderReceiptBody(orderId: number) {
  return {
    order_id: orderId,
    document_type_code: "03",
    series: "B001",
    currency_code: "PEN",
    items: [
      {
        name: "Grips",
        unit: "NIU",
        quantity: 1,
        sales_tax_code: "10",
        sales_tax_rate: 18,
        net_unit_price: 0.85,
        net_subtotal: 0.85,
        net_discounts_total: 0,
        net_total: 0.85,
        taxable_total: 0.85,
        sales_tax_total: 0.15,
        gross_unit_price: 1,
        gross_subtotal: 1,
        gross_discounts_total: 0,
        gross_total: 1,
      },
    ],
    items_net_total: 0.85,
    taxable_total: 0.85,
    sales_tax_total: 0.15,
    net_total: 0.85,
    taxes_total: 0.15,
    gross_total: 1,
    customer_information: { name: "CLIENTES VARIOS", document_type: "-", document_number: "-" },
  };
}

describe("cdr-poller handler", () => {
  it("reschedules while SUNAT has not answered, then records the answers", async () => {
    clock = Date.now();
    const accepted = await submitted();
    const rejected = await submitted("rejected");

    const firstRun = await poll();
    expect(firstRun).toMatchObject({ stillPending: 2, accepted: 0, rejected: 0 });
    expect((await store.get(accepted))?.state).toBe("SUBMITTED");

    clock += 3_600_000; // past every back-off
    await waitForAcknowledged([accepted, rejected]);
    const secondRun = await poll();
    expect(secondRun).toMatchObject({ accepted: 1, rejected: 1, errors: 0 });
    expect(await store.get(accepted)).toMatchObject({ state: "ACCEPTED", sunatCode: "0" });
    const rejectedRecord = await store.get(rejected);
    expect(rejectedRecord?.state).toBe("REJECTED");
    expect(rejectedRecord?.cdrUrl).toMatch(/\.zip$/);
    expect(rejectedRecord?.pendingCdr).toBeUndefined();
  });

  it("lets two overlapping runs record each answer once, never regressing a receipt", async () => {
    clock = Date.now();
    const keys = await Promise.all(Array.from({ length: 6 }, () => submitted()));
    await waitForAcknowledged(keys);
    const [a, b] = await Promise.all([poll(), poll()]);
    expect(a.accepted + b.accepted + a.skipped + b.skipped).toBe(12);
    expect(a.accepted + b.accepted).toBe(6);
    expect(a.errors + b.errors).toBe(0);
    for (const key of keys) {
      const record = await store.get(key);
      expect(record?.state).toBe("ACCEPTED");
      expect(record?.history.filter((t) => t.to === "ACCEPTED")).toHaveLength(1);
    }
  });

  it("keeps a receipt SUBMITTED through a SUNAT exception (0100) and records the acceptance that follows", async () => {
    // SUNAT answers 0100 after 1.5 s; the simulator's Acelérala sends it again and SUNAT accepts 1.5 s later.
    clock = Date.now();
    const key = await submitted("exception");
    await expect
      .poll(
        () =>
          (simulator.listReceipts({ order_id: String(key.orderId) }).data[0] as { sunat_code?: string })
            ?.sunat_code,
        {
          timeout: 5_000,
          interval: 20,
        },
      )
      .toBe("0100");
    const first = await poll();
    expect(first).toMatchObject({ exceptions: 1, rejected: 0, accepted: 0 });
    expect(await store.get(key)).toMatchObject({ state: "SUBMITTED", sunatCode: "0100" });

    clock += 3_600_000;
    await expect
      .poll(
        () =>
          (simulator.listReceipts({ order_id: String(key.orderId) }).data[0] as { sunat_code?: string })
            ?.sunat_code,
        {
          timeout: 5_000,
          interval: 20,
        },
      )
      .toBe("0");
    const second = await poll();
    expect(second).toMatchObject({ accepted: 1, rejected: 0 });
    expect(await store.get(key)).toMatchObject({ state: "ACCEPTED", sunatCode: "0" });
  });

  it("marks STALE a receipt whose polls keep failing once it is older than 72 hours", async () => {
    clock = Date.now() + 73 * 3_600_000;
    const key = await submitted("no_answer");
    simulator.setFaults([{ kind: "error_before_commit", routes: ["GET /v1/receipts/{id}"] }]);
    try {
      const run = await poll();
      expect(run).toMatchObject({ stale: 1, checked: 0 });
      expect(run.errors).toBeGreaterThanOrEqual(1);
      expect(await store.get(key)).toMatchObject({ state: "STALE" });
    } finally {
      simulator.clearFaults();
    }
  });

  it("counts a SUBMITTED receipt past the STALE limit that the poller did not finish in the OverdueSubmitted gauge", async () => {
    // A receipt the poller never got to (its next poll far away): 73 hours after submission it is still
    // SUBMITTED. The run leaves it, and the gauge it emits after polling names it.
    clock = Date.now() + 73 * 3_600_000;
    const key = await submitted("no_answer", clock + 10 * 3_600_000);
    const run = await poll();
    expect(run.stale).toBe(0);
    expect((await store.get(key))?.state).toBe("SUBMITTED");
    expect(run.overdue.submitted.count).toBeGreaterThanOrEqual(1);
    expect(run.overdue.submitted.sample).toContainEqual({ storeId: key.storeId, orderId: key.orderId });
    // The next poll takes it: a receipt past the limit becomes STALE, and the gauge no longer counts it.
    await store.reschedulePoll(key, (await store.get(key))?.documentNumber ?? "", clock, new Date(clock));
    const next = await poll();
    expect(next.stale).toBe(1);
    expect(next.overdue.submitted.sample).not.toContainEqual({ storeId: key.storeId, orderId: key.orderId });
  });

  it("marks STALE a receipt SUNAT never answered within 72 hours", async () => {
    clock = Date.now() + 73 * 3_600_000; // the poller runs 73 hours after the submission
    const key = await submitted("no_answer");
    const run = await poll();
    expect(run.stale).toBe(1);
    expect((await store.get(key))?.state).toBe("STALE");
  });
});

async function waitForAcknowledged(keys: { orderId: number }[]) {
  await expect
    .poll(
      () =>
        keys.every((key) => {
          const found = simulator.listReceipts({ order_id: String(key.orderId) }).data[0] as
            | { sunat_acknowledged?: number }
            | undefined;
          return found?.sunat_acknowledged === 1;
        }),
      { timeout: 5_000, interval: 50 },
    )
    .toBe(true);
}
