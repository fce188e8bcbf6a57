import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalStack, startLocalStack } from "../../../infra/local/stack";
import { makeBrokenOrder, makeOrder } from "../../../infra/simulator/order-factory";
import { loadStores } from "../../../lib/config/stores";
import type { BackfillSummary } from "../../../lib/ops/backfill";
import type { ReconcileReport } from "../../../lib/ops/reconcile";
import { buildReceipt } from "../../../lib/receipt";
import { createReceiptStore } from "../../../lib/runtime";
import type { ReceiptRecord, ReceiptState } from "../../../lib/store/receipt-record";
import type { ReceiptStore } from "../../../lib/store/receipt-store";
import { localAwsEnv } from "../../support/local-stack";
import { cpe, createScratch } from "../ops/support";

// The operator flows (`cpe backfill`, `cpe reconcile`, `cpe resend`, `cpe webhooks`) against the whole local
// pipeline: the commands run in-process with --local-env pointing at this stack; the receiver, the worker and
// the poller are the real handlers on the local Lambda runner. SUNAT answers within the POST (delay 0), so an
// issued order is ACCEPTED (or REJECTED) as soon as the worker recorded it. Each test uses its own window of
// `placed` dates, so the listings of one test never see another's orders.

const STORE = 511;
const scratch = createScratch();
let stack: LocalStack;
let store: ReceiptStore;
let envFile: string;
let seed = 70_000;

beforeAll(async () => {
  stack = await startLocalStack({
    emulators: { env: localAwsEnv(), namePrefix: `flows-${process.pid}`, visibilityTimeoutSeconds: 2 },
    sunatDelayMs: 0,
    cdrPollSeconds: 0.5,
    cdrPollBaseSeconds: 0.5,
    workerRetryBaseSeconds: 0.2,
    aceleralaTimeoutSeconds: 1.5,
    receiptLookupDelaySeconds: 2,
    workerConcurrency: 4,
  });
  store = createReceiptStore({ region: stack.env.AWS_REGION ?? "", tableName: stack.env.TABLE_NAME ?? "" });
  envFile = join(scratch.dir, "flows-env.json");
  writeFileSync(envFile, JSON.stringify(stack.env));
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  scratch.remove();
});

/** A paid order placed at `placed`, PEN, boleta or factura; webhooks go out (or not) per the delivery config. */
function placeOrder(placed: string, kind: "boleta" | "factura" = "boleta", overrides = {}) {
  const order = stack.simulator.createOrder(
    makeOrder(seed++, { placed, ...overrides }, { documentKind: kind, currency: "PEN" }),
  );
  return Number(order.id);
}

/** `count` instants one minute apart from `start` (ISO, UTC). */
function minutesFrom(start: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => new Date(Date.parse(start) + i * 60_000).toISOString());
}

function receiptsOf(orderId: number) {
  return stack.simulator.listReceipts({ order_id: String(orderId), limit: "100" }).data;
}

async function recordsIn(orderIds: readonly number[]): Promise<(ReceiptRecord | undefined)[]> {
  return Promise.all(orderIds.map((orderId) => store.get({ storeId: STORE, orderId })));
}

async function waitForStates(orderIds: readonly number[], states: ReceiptState[], timeout = 60_000) {
  await expect
    .poll(async () => (await recordsIn(orderIds)).filter((r) => r && states.includes(r.state)).length, {
      timeout,
      interval: 250,
    })
    .toBe(orderIds.length);
}

async function waitForState(orderId: number, states: ReceiptState[], timeout = 20_000) {
  await waitForStates([orderId], states, timeout);
  return (await store.get({ storeId: STORE, orderId })) as ReceiptRecord;
}

function apiCalls(): number {
  return stack.simulator.getStats().api_total;
}

describe("cpe backfill", () => {
  it("issues exactly the 300 of 500 paid orders that had no receipt, and nothing more when run again", async () => {
    const placed = minutesFrom("2025-03-01T15:00:00.000Z", 500);
    // 200 orders go through the real webhook pipeline first: a final record AND a receipt in Acelérala.
    stack.simulator.setDeliveryConfig({ drop: false });
    const issued = placed.slice(0, 200).map((at, i) => placeOrder(at, i % 3 === 0 ? "factura" : "boleta"));
    await waitForStates(issued, ["ACCEPTED"], 90_000);
    // The other 300 are placed while the webhook sender is down: no event ever reaches the receiver.
    stack.simulator.setDeliveryConfig({ drop: true });
    const missed = placed.slice(200).map((at) => placeOrder(at));
    // Orders outside the range, or not paid, are not listed.
    const outside = placeOrder("2025-03-05T15:00:00.000Z");
    const unpaid = placeOrder("2025-03-01T20:00:00.000Z", "boleta", { payment_status: "pending" });
    await stack.simulator.deliveriesSettled();
    expect(missed.every((orderId) => receiptsOf(orderId).length === 0)).toBe(true);

    const callsBefore = apiCalls();
    const listCallsBefore = stack.simulator.getStats().requests["GET /v1/orders"] ?? 0;
    const started = performance.now();
    const args = ["backfill", "--store", "511", "--placed-from", "2025-03-01", "--placed-to", "2025-03-02"];
    const first = await cpe([...args, "--json", "--local-env", envFile]);
    const backfillMs = performance.now() - started;
    const listCalls = (stack.simulator.getStats().requests["GET /v1/orders"] ?? 0) - listCallsBefore;
    expect(first.code, first.stderr).toBe(0);
    const summary = JSON.parse(first.stdout) as BackfillSummary;
    expect(summary).toMatchObject({ found: 500, alreadyIssued: 200, enqueued: 300, skipped: 0, failed: 0 });
    expect(summary.enqueuedOrderIds.map(Number).sort()).toEqual([...missed].sort());
    expect(first.stderr).toMatch(/\[#{20}\] 100% 500 encontrados/);
    // Five pages of 100 (sorted by placed, cursor after the last id).
    expect(listCalls).toBe(5);

    // The same backfill again straight away (an impatient operator): SQS drops the duplicates (same ids).
    const second = await cpe([...args, "--json", "--local-env", envFile]);
    expect(second.code, second.stderr).toBe(0);

    await waitForStates(missed, ["ACCEPTED"], 120_000);
    const issuedMs = performance.now() - started;
    for (const orderId of [...issued, ...missed]) expect(receiptsOf(orderId)).toHaveLength(1);
    expect(receiptsOf(outside)).toHaveLength(0);
    expect(receiptsOf(unpaid)).toHaveLength(0);
    expect(await store.get({ storeId: STORE, orderId: outside })).toBeUndefined();

    // Once everything is issued, a third run finds all 500 issued and enqueues nothing.
    const third = await cpe([...args, "--json", "--local-env", envFile]);
    expect(JSON.parse(third.stdout)).toMatchObject({ found: 500, alreadyIssued: 500, enqueued: 0 });
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // any late duplicate would show by now
    for (const orderId of missed) expect(receiptsOf(orderId)).toHaveLength(1);
    console.info(
      `backfill of 500 orders: command ${backfillMs.toFixed(0)} ms (${listCalls} list calls, ` +
        `${apiCalls() - callsBefore} API calls in all incl. the worker's), all 300 issued after ${issuedMs.toFixed(0)} ms`,
    );
  }, 240_000);

  it("with --dry-run counts and enqueues nothing; skips orders that need attention, naming why", async () => {
    stack.simulator.setDeliveryConfig({ drop: true });
    const broken = stack.simulator.createOrder({
      ...makeBrokenOrder("boleta_over_700_without_document", seed++),
      placed: "2025-04-01T15:00:00.000Z",
    });
    const brokenId = Number(broken.id);
    const fresh = placeOrder("2025-04-01T16:00:00.000Z");
    // The broken one goes through the pipeline once (resend) and is flagged.
    expect((await cpe(["resend", String(brokenId), "--local-env", envFile])).code).toBe(0);
    await waitForState(brokenId, ["NEEDS_ATTENTION"]);

    const dry = await cpe([
      "backfill",
      "--store",
      "511",
      "--placed-from",
      "2025-04-01",
      "--placed-to",
      "2025-04-01",
      "--dry-run",
      "--local-env",
      envFile,
    ]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/simulación: no se encoló nada/);
    expect(dry.stdout).toMatch(/se encolarían\s+1/);
    expect(dry.stdout).toMatch(
      /requiere revisión \(boleta_identity_required\): corrija el pedido y luego cpe resend/,
    );
    const dryJson = await cpe([
      "backfill",
      "--store",
      "511",
      "--placed-from",
      "2025-04-01",
      "--placed-to",
      "2025-04-01",
      "--dry-run",
      "--json",
      "--local-env",
      envFile,
    ]);
    expect(JSON.parse(dryJson.stdout)).toMatchObject({ dryRun: true, enqueued: 0, wouldEnqueue: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await store.get({ storeId: STORE, orderId: fresh })).toBeUndefined();
  });

  it("refuses a range that ends before it starts, naming the options", async () => {
    const result = await cpe([
      "backfill",
      "--store",
      "511",
      "--placed-from",
      "2025-03-02",
      "--placed-to",
      "2025-03-01T00:00:00Z",
      "--local-env",
      envFile,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--placed-to .* debe ser posterior a --placed-from/);
  });
});

describe("cpe reconcile", () => {
  it("finds the orders whose webhooks were dropped, and --fix issues exactly those", async () => {
    stack.simulator.setDeliveryConfig({ drop: false });
    const window = minutesFrom("2025-05-01T15:00:00.000Z", 8);
    const delivered = window.slice(0, 3).map((at) => placeOrder(at));
    await waitForStates(delivered, ["ACCEPTED"]);
    stack.simulator.setDeliveryConfig({ drop: true });
    const dropped = window.slice(3, 7).map((at) => placeOrder(at));
    // A delivered order whose total changed afterwards (no webhook either): the amounts differ.
    const changed = delivered[0] as number;
    stack.simulator.updateOrder(changed, { total: "1.00" });
    // A receipt someone issued by hand for an order this system never saw: reported, never enqueued.
    const [storeConfig] = await loadStores(stack.env.STORES_CONFIG_PATH);
    const handIssued = placeOrder(window[7] as string);
    const built = buildReceipt(
      stack.simulator.getOrder(handIssued),
      storeConfig as NonNullable<typeof storeConfig>,
    );
    if (!built.ok) throw new Error("the factory order must build");
    stack.simulator.createReceipt({ ...built.receipt, series: "B001", correlative: 900_001 });
    // And a receipt naming an order Acelérala does not have.
    stack.simulator.createReceipt({
      ...built.receipt,
      order_id: 99_999_999,
      series: "B001",
      correlative: 900_002,
    });
    await stack.simulator.deliveriesSettled();
    expect(stack.simulator.deliveries().filter((d) => d.status === "dropped").length).toBeGreaterThan(0);

    const since = "2025-05-01T14:00:00Z";
    const check = await cpe([
      "reconcile",
      "--store",
      "511",
      "--since",
      since,
      "--json",
      "--local-env",
      envFile,
    ]);
    expect(check.code, check.stderr).toBe(3);
    const report = JSON.parse(check.stdout) as ReconcileReport;
    expect(report.missing.map((m) => Number(m.orderId))).toEqual(dropped);
    expect(report.issuedOutside.map((m) => Number(m.orderId))).toEqual([handIssued]);
    expect(report.amountMismatches).toEqual([
      expect.objectContaining({ orderId: String(changed), orderTotal: "1.00" }),
    ]);
    expect(report.receiptsWithoutOrder.map((o) => o.reason).sort()).toEqual(["no_record", "order_not_found"]);
    expect(report.enqueued).toBe(0);
    // Without --fix nothing moved.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await recordsIn(dropped)).every((record) => record === undefined)).toBe(true);

    const text = await cpe(["reconcile", "--store", "511", "--since", since, "--local-env", envFile]);
    expect(text.code).toBe(3);
    expect(text.stdout).toMatch(/Pedidos pagados sin comprobante: 4/);
    expect(text.stdout).toMatch(/Vuelva a ejecutarlo con --fix/);

    const fix = await cpe([
      "reconcile",
      "--store",
      "511",
      "--since",
      since,
      "--fix",
      "--json",
      "--local-env",
      envFile,
    ]);
    expect(JSON.parse(fix.stdout)).toMatchObject({ enqueued: 4 });
    await waitForStates(dropped, ["ACCEPTED"]);
    for (const orderId of dropped) expect(receiptsOf(orderId)).toHaveLength(1);
    expect(receiptsOf(handIssued)).toHaveLength(1); // still only the hand-issued one
    expect(await store.get({ storeId: STORE, orderId: handIssued })).toBeUndefined();

    const after = JSON.parse(
      (await cpe(["reconcile", "--store", "511", "--since", since, "--json", "--local-env", envFile])).stdout,
    ) as ReconcileReport;
    expect(after.missing).toEqual([]);
  });
});

describe("cpe resend", () => {
  it("re-issues a REJECTED order under a new number; the history and cpe status show both", async () => {
    stack.simulator.setDeliveryConfig({ drop: false });
    const orderId = placeOrder("2025-06-01T15:00:00.000Z", "factura", { payment_status: "pending" });
    stack.simulator.setSunatPolicy({ forced: { [String(orderId)]: "rejected" } });
    stack.simulator.updateOrder(orderId, { payment_status: "paid" });
    const rejected = await waitForState(orderId, ["REJECTED"]);
    const burnt = rejected.documentNumber as string;
    expect(burnt).toMatch(/^F001-\d+$/);

    // The merchant corrected what SUNAT objected to; SUNAT accepts the new document.
    stack.simulator.setSunatPolicy({ forced: { [String(orderId)]: "accepted" } });
    const resend = await cpe(["resend", String(orderId), "--local-env", envFile]);
    expect(resend.code, resend.stderr).toBe(0);
    expect(resend.stdout).toMatch(
      new RegExp(
        `#${orderId} +EN COLA +en cola para emitir \\(estaba en RECHAZADO\\); ${burnt} queda quemado`,
      ),
    );
    const accepted = await waitForState(orderId, ["ACCEPTED"]);
    expect(accepted.documentNumber).toMatch(/^F001-\d+$/);
    expect(accepted.documentNumber).not.toBe(burnt);
    expect(accepted.burntNumbers).toEqual([
      expect.objectContaining({
        documentNumber: burnt,
        receiptId: rejected.receiptId,
        sunatCode: rejected.sunatCode,
      }),
    ]);
    expect(accepted.history.map((step) => `${step.from}>${step.to}`)).toEqual([
      "NONE>RESERVED",
      "RESERVED>REJECTED",
      "REJECTED>NEEDS_ATTENTION",
      "NEEDS_ATTENTION>RESERVED",
      "RESERVED>ACCEPTED",
    ]);
    // Acelérala holds both: the rejected one (number burnt) and the accepted one.
    const inApi = receiptsOf(orderId);
    expect(inApi.map((r) => r.document_number).sort()).toEqual([burnt, accepted.documentNumber].sort());

    const status = await cpe(["status", String(orderId), "--local-env", envFile]);
    expect(status.stdout).toContain(`${burnt} stays burnt`);
    expect(status.stdout).toContain(`number ${accepted.documentNumber} reserved`);
    // A reconcile of that day sees no receipt without an order: the burnt one is explained by the record.
    const report = JSON.parse(
      (
        await cpe([
          "reconcile",
          "--store",
          "511",
          "--since",
          "2025-06-01",
          "--json",
          "--grace-minutes",
          "0",
          "--local-env",
          envFile,
        ])
      ).stdout,
    ) as ReconcileReport;
    expect(report.receiptsWithoutOrder.filter((o) => o.orderId === String(orderId))).toEqual([]);

    // An ACCEPTED receipt is not resent: nothing enqueued, nothing to do (exit 0).
    const again = await cpe(["resend", `#${orderId}`, "--local-env", envFile]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/YA EMITIDO +ya emitido .*nota de crédito/);
  });

  it("issues a NEEDS_ATTENTION order once the merchant fixed it, with the same flow", async () => {
    stack.simulator.setDeliveryConfig({ drop: true });
    const broken = stack.simulator.createOrder({
      ...makeBrokenOrder("boleta_over_700_without_document", seed++),
      placed: "2025-07-01T15:00:00.000Z",
    });
    const orderId = Number(broken.id);
    expect((await cpe(["resend", String(orderId), "--local-env", envFile])).code).toBe(0);
    await waitForState(orderId, ["NEEDS_ATTENTION"]);
    expect(receiptsOf(orderId)).toHaveLength(0);
    // The merchant adds the customer's DNI (no webhook: the sender is down); then resends.
    stack.simulator.updateOrder(orderId, {
      billing_details: { document_type: "dni", document_number: "48765432" },
    });
    const resend = await cpe(["resend", String(orderId), "--local-env", envFile]);
    expect(resend.code, resend.stderr).toBe(0);
    const record = await waitForState(orderId, ["ACCEPTED"]);
    expect(receiptsOf(orderId)).toHaveLength(1);
    expect(record.history.map((step) => step.to)).toEqual(["NEEDS_ATTENTION", "RESERVED", "ACCEPTED"]);
  });

  it("fails on an order Acelérala does not know, without touching anything", async () => {
    const result = await cpe(["resend", "99999998", "--local-env", envFile]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/#99999998 +FALLÓ +falló: Acelérala no tiene este pedido/);
    expect(await store.get({ storeId: STORE, orderId: 99_999_998 })).toBeUndefined();
  });

  it("sends several orders at once (the plugin's bulk send), with progress and a result for each", async () => {
    stack.simulator.setDeliveryConfig({ drop: true });
    const lost = [placeOrder("2025-08-01T15:00:00.000Z"), placeOrder("2025-08-01T15:01:00.000Z", "factura")];
    await stack.simulator.deliveriesSettled();
    expect((await recordsIn(lost)).every((record) => record === undefined)).toBe(true);
    const result = await cpe(["resend", String(lost[0]), `#${lost[1]}`, "--json", "--local-env", envFile]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(new RegExp(`^\\[1/2\\] #${lost[0]}: en cola para emitir`, "m"));
    expect(result.stderr).toMatch(new RegExp(`^\\[2/2\\] #${lost[1]}: en cola para emitir`, "m"));
    const results = JSON.parse(result.stdout);
    expect(results).toEqual([
      expect.objectContaining({ orderId: lost[0], outcome: "enqueued", previousState: null, error: null }),
      expect.objectContaining({ orderId: lost[1], outcome: "enqueued", previousState: null, error: null }),
    ]);
    await waitForStates(lost, ["ACCEPTED"]);
    for (const orderId of lost) expect(receiptsOf(orderId)).toHaveLength(1);
    // Sent again with an order that does not exist: the issued ones are left alone, the unknown one fails (exit 1).
    const again = await cpe(["resend", ...lost.map(String), "99999997", "--local-env", envFile]);
    expect(again.code).toBe(1);
    expect(again.stdout.split("\n").filter((line) => line.includes("YA EMITIDO"))).toHaveLength(2);
    expect(again.stdout).toMatch(/#99999997 +FALLÓ/);
    for (const orderId of lost) expect(receiptsOf(orderId)).toHaveLength(1);
  });
});

describe("cpe webhooks", () => {
  it("registers the receiver for the order and receipt events once, and lists it", async () => {
    const url = "http://127.0.0.1:9/webhooks/acelerala-ops-test";
    const events = [
      "orders.created.placed",
      "orders.updated.placed",
      "orders.updated.canceled",
      "receipts.created",
      "receipts.created.accepted",
      "receipts.created.rejected",
    ];
    const first = await cpe(["webhooks", "register", "--url", url, "--json", "--local-env", envFile]);
    expect(first.code, first.stderr).toBe(0);
    const created = JSON.parse(first.stdout);
    expect(created).toMatchObject({
      outcome: "created",
      added: events,
      webhook: { url, enabled_events: events },
    });
    const second = await cpe(["webhooks", "register", "--url", url, "--local-env", envFile]);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(new RegExp(`Ya registrado: el/los webhook\\(s\\) ${created.webhook.id} `));
    const list = await cpe(["webhooks", "list", "--local-env", envFile]);
    expect(list.code).toBe(0);
    const rows = list.stdout.split("\n").filter((line) => line.includes(url));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(/ -$/); // nothing missing
    expect(list.stdout).toContain(stack.receiverUrl); // the stack's own subscription
  });

  it("an older registration of the order events only is flagged, then completed with the receipt events", async () => {
    const url = "http://127.0.0.1:9/webhooks/acelerala-older";
    stack.simulator.createWebhook({
      url,
      enabled_events: ["orders.created.placed", "orders.updated.placed", "orders.updated.canceled"],
    });
    const before = await cpe(["webhooks", "list", "--local-env", envFile]);
    expect(before.stdout.split("\n").find((line) => line.includes(url))).toMatch(
      /receipts\.created,receipts\.created\.accepted,receipts\.created\.rejected$/,
    );
    const register = await cpe(["webhooks", "register", "--url", url, "--json", "--local-env", envFile]);
    expect(JSON.parse(register.stdout)).toMatchObject({
      outcome: "created",
      added: ["receipts.created", "receipts.created.accepted", "receipts.created.rejected"],
    });
    const after = await cpe(["webhooks", "list", "--local-env", envFile]);
    const rows = after.stdout.split("\n").filter((line) => line.includes(url));
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row).toMatch(/ -$/);
  });

  it("a per-store URL must name the --store that registers it", async () => {
    const base = "http://127.0.0.1:9/webhooks/acelerala";
    const wrong = await cpe([
      "webhooks",
      "register",
      "--url",
      `${base}/4`,
      "--store",
      "511",
      "--local-env",
      envFile,
    ]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/--url nombra la tienda "4" en su ruta pero --store es 511/);
    const right = await cpe([
      "webhooks",
      "register",
      "--url",
      `${base}/511`,
      "--store",
      "511",
      "--local-env",
      envFile,
    ]);
    expect(right.code, right.stderr).toBe(0);
  });

  it("refuses a plain-http URL that is not loopback", async () => {
    const result = await cpe([
      "webhooks",
      "register",
      "--url",
      "http://example.com/hook",
      "--local-env",
      envFile,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--url debe usar https/);
  });
});
