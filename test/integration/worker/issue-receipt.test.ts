import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  changeShipping,
  mistypedRuc,
  switchToBoleta,
  switchToFactura,
  withRuc,
} from "../../../infra/simulator/order-edits";
import { makeBrokenOrder, makeOrder } from "../../../infra/simulator/order-factory";
import { StoreNotConfiguredError } from "../../../lib/config/env";
import type { ReceiptStore } from "../../../lib/store/receipt-store";
import { issueReceipt } from "../../../lib/worker/issue-receipt";
import {
  depsOf,
  grossOf,
  LOOKUP_DELAY_MS,
  nextSeed,
  orderTotal,
  place,
  receiptsOf,
  STORE,
  settle,
  startWorld,
  type World,
} from "./support";

// The worker's exactly-once logic against the real pieces: DynamoDB Local (global setup), the Acelérala
// simulator over HTTP, the real client and the real receipt domain. Every scenario of a merchant changing the
// order between two steps of the worker runs under each way the API may number receipts (the seed is
// ambiguous). Faults come from the simulator's fault injection; a "crash" is a store whose next write throws.
// The worker's clock is a test clock: "later" (the look-up delay) passes without sleeping.

describe.each(["explicit", "auto"] as const)("issueReceipt, API numbering %s", (numbering) => {
  let world: World;

  beforeAll(async () => {
    world = await startWorld(numbering, { numbering });
  });
  afterAll(async () => {
    await world.simulator.stop();
  });
  beforeEach(() => {
    world.simulator.clearFaults();
    world.simulator.setSunatPolicy({
      delayMs: 0,
      rejectRate: 0,
      observationRate: 0,
      exceptionRate: 0,
      forced: {},
    });
  });

  it("issues one receipt and records SUNAT's answer when it comes with the POST", async () => {
    const key = place(world, "factura");
    const eventAt = new Date(world.clock.now - 1_500);
    const outcome = await issueReceipt(key, depsOf(world), eventAt);
    expect(outcome.status).toBe("issued");
    const record = await world.store.get(key);
    expect(record).toMatchObject({ state: "ACCEPTED", sunatCode: "0", series: "F001" });
    expect(record?.cdrUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/files\//);
    expect(record?.eventAt).toBe(eventAt.toISOString());
    expect(receiptsOf(world, key.orderId)).toHaveLength(1);
    expect(record?.documentNumber).toBe(receiptsOf(world, key.orderId)[0]?.document_number);
  });

  it("gives one receipt for the same event handled twice at once, and for a later event", async () => {
    const key = place(world);
    await Promise.all([issueReceipt(key, depsOf(world)), issueReceipt(key, depsOf(world))]);
    expect(await settle(world, key)).toMatchObject({ status: "already_issued" });
    expect(receiptsOf(world, key.orderId)).toHaveLength(1);
  });

  it("gives one receipt when the worker crashed after the POST and before recording it", async () => {
    const key = place(world);
    const crashing = Object.create(world.store) as ReceiptStore;
    crashing.land = async () => {
      throw new Error("process killed");
    };
    await expect(issueReceipt(key, depsOf(world, { store: crashing }))).rejects.toThrow("process killed");
    expect(await world.store.get(key)).toMatchObject({ state: "RESERVED" });
    expect(receiptsOf(world, key.orderId)).toHaveLength(1); // the POST landed

    expect(await settle(world, key)).toMatchObject({ status: "issued" });
    const record = await world.store.get(key);
    expect(record?.state).toBe("ACCEPTED");
    expect(record?.receiptId).toBe(receiptsOf(world, key.orderId)[0]?.id);
    expect(receiptsOf(world, key.orderId)).toHaveLength(1);
  });

  it("does not POST again before the look-up can be believed, then adopts what landed", async () => {
    const key = place(world);
    world.simulator.setFaults([
      { kind: "timeout_after_commit", routes: ["POST /v1/receipts"], count: 1, timeoutMode: "destroy" },
    ]);
    const first = await issueReceipt(key, depsOf(world));
    expect(first).toMatchObject({ status: "retry", delaySeconds: Math.ceil(LOOKUP_DELAY_MS / 1000) });
    expect((await world.store.get(key))?.lastError).toMatch(/POST \/v1\/receipts/);
    expect(await settle(world, key)).toMatchObject({ status: "issued" });
    expect(receiptsOf(world, key.orderId)).toHaveLength(1);
  });

  it("does not index a reservation in the open-records index until the next attempt finds its number held", async () => {
    const key = place(world);
    const crashing = Object.create(world.store) as ReceiptStore;
    crashing.land = async () => {
      throw new Error("process killed");
    };
    await expect(issueReceipt(key, depsOf(world, { store: crashing }))).rejects.toThrow("process killed");
    const left = await world.store.get(key);
    expect(left).toMatchObject({ state: "RESERVED" });
    expect(left?.openState).toBeUndefined(); // the reservation did not index itself
    const reservedAt = left?.history.at(-1)?.at;

    world.clock.now += 60_000;
    await expect(issueReceipt(key, depsOf(world, { store: crashing }))).rejects.toThrow("process killed");
    // Found held by a later attempt: in the index, since the time it entered RESERVED (the gauge's clock).
    expect(await world.store.get(key)).toMatchObject({ openState: "RESERVED", openSince: reservedAt });

    expect(await settle(world, key)).toMatchObject({ status: "issued" });
    const landed = await world.store.get(key);
    expect(landed).toMatchObject({ state: "ACCEPTED" });
    expect(landed?.openState).toBeUndefined();
    expect(landed?.openSince).toBeUndefined();
  });

  // Scenario 1 of the issue: a Boleta lands unseen; the merchant switches to Factura with a mistyped RUC, then
  // fixes it. The landed Boleta is the order's receipt: a person decides (credit note + new receipt), never a
  // silent second receipt.
  it("never issues a Factura after a Boleta landed unseen, whatever the merchant changes in between", async () => {
    const key = place(world, "boleta");
    world.simulator.setFaults([
      { kind: "timeout_after_commit", routes: ["POST /v1/receipts"], count: 1, timeoutMode: "destroy" },
    ]);
    expect(await issueReceipt(key, depsOf(world))).toMatchObject({ status: "retry" });
    const factura = switchToFactura(nextSeed());
    const ruc = String((factura.billing_details as { document_number: string }).document_number);
    world.simulator.updateOrder(key.orderId, factura);
    world.simulator.updateOrder(key.orderId, withRuc(mistypedRuc(ruc)));

    const broken = await settle(world, key);
    expect(broken.status).toBe("needs_attention");
    const held = await world.store.get(key);
    expect(held).toMatchObject({ state: "NEEDS_ATTENTION", documentTypeCode: "03" });
    expect(held?.documentNumber).toMatch(/^B001-\d+$/);
    expect(held?.problems?.map((p) => p.rule)).toEqual(["landed_receipt_differs", "ruc_invalid"]);

    world.simulator.updateOrder(key.orderId, withRuc(ruc));
    const fixed = await settle(world, key);
    expect(fixed.status).toBe("needs_attention");
    const after = await world.store.get(key);
    expect(after?.problems).toEqual([
      expect.objectContaining({
        rule: "landed_receipt_differs",
        message: expect.stringMatching(/tipo de documento 03 y el pedido pide 01/),
      }),
    ]);
    expect(after?.documentNumber).toBe(held?.documentNumber);
    const receipts = receiptsOf(world, key.orderId);
    expect(receipts.map((r) => r.document_type_code)).toEqual(["03"]);
  });

  it("adopts a landed receipt again once the order changes back to match it", async () => {
    const key = place(world, "boleta");
    world.simulator.updateOrder(key.orderId, switchToBoleta()); // identified: extra shipping may pass S/ 700
    world.simulator.setFaults([
      { kind: "timeout_after_commit", routes: ["POST /v1/receipts"], count: 1, timeoutMode: "destroy" },
    ]);
    expect(await issueReceipt(key, depsOf(world))).toMatchObject({ status: "retry" });
    const before = world.simulator.getOrder(key.orderId);
    world.simulator.updateOrder(key.orderId, changeShipping(before, "10.00"));
    expect(await settle(world, key)).toMatchObject({ status: "needs_attention" });
    world.simulator.updateOrder(key.orderId, changeShipping(world.simulator.getOrder(key.orderId), "-10.00"));
    expect(await settle(world, key)).toMatchObject({ status: "issued" });
    expect(await world.store.get(key)).toMatchObject({ state: "ACCEPTED" });
    expect(receiptsOf(world, key.orderId)).toHaveLength(1);
  });

  // Scenario 2: a POST refused with 503 (nothing stored); the merchant corrects the shipping; the retry sends
  // a body built from the order as it is now, never the one built before.
  it("never re-sends a stale body: the receipt equals the order's total after the merchant's correction", async () => {
    const key = place(world, "factura");
    world.simulator.setFaults([
      { kind: "error_before_commit", routes: ["POST /v1/receipts"], count: 1, status: 503 },
    ]);
    expect(await issueReceipt(key, depsOf(world))).toMatchObject({ status: "retry" });
    const reserved = await world.store.get(key);
    world.simulator.updateOrder(key.orderId, changeShipping(world.simulator.getOrder(key.orderId), "10.00"));
    expect(await settle(world, key)).toMatchObject({ status: "issued" });
    const [receipt] = receiptsOf(world, key.orderId);
    expect(receiptsOf(world, key.orderId)).toHaveLength(1);
    expect(grossOf(receipt)).toBe(orderTotal(world, key.orderId));
    const record = await world.store.get(key);
    expect(record?.grossTotal).toBe(orderTotal(world, key.orderId));
    if (numbering === "explicit") expect(record?.documentNumber).toBe(reserved?.documentNumber); // same series, same number
  });

  it("holds a receipt stored behind a 5xx when the order changed before the retry", async () => {
    const key = place(world, "boleta");
    world.simulator.updateOrder(key.orderId, switchToBoleta()); // identified: extra shipping may pass S/ 700
    world.simulator.setFaults([{ kind: "error_after_commit", routes: ["POST /v1/receipts"], count: 1 }]);
    expect(await issueReceipt(key, depsOf(world))).toMatchObject({ status: "retry" });
    world.simulator.updateOrder(key.orderId, changeShipping(world.simulator.getOrder(key.orderId), "15.00"));
    expect(await settle(world, key)).toMatchObject({ status: "needs_attention" });
    const record = await world.store.get(key);
    expect(record?.problems?.[0]).toMatchObject({
      rule: "landed_receipt_differs",
      message: expect.stringMatching(
        new RegExp(
          `total ${grossOf(receiptsOf(world, key.orderId)[0])} y el pedido cobra ${orderTotal(world, key.orderId)}`,
        ),
      ),
    });
    expect(receiptsOf(world, key.orderId)).toHaveLength(1);
  });

  it("switches series when nothing landed: the old number is released, never posted again", async () => {
    const key = place(world, "boleta");
    world.simulator.setFaults([
      { kind: "error_before_commit", routes: ["POST /v1/receipts"], count: 1, status: 503 },
    ]);
    expect(await issueReceipt(key, depsOf(world))).toMatchObject({ status: "retry" });
    const boleta = await world.store.get(key);
    world.simulator.updateOrder(key.orderId, switchToFactura(nextSeed()));
    expect(await settle(world, key)).toMatchObject({ status: "issued" });
    const record = await world.store.get(key);
    expect(record?.documentNumber).toMatch(/^F001-/);
    expect(record?.releasedNumbers?.map((n) => n.documentNumber)).toContain(boleta?.documentNumber);
    expect(receiptsOf(world, key.orderId).map((r) => r.document_type_code)).toEqual(["01"]);
    const released = world.simulator
      .allReceipts()
      .filter((r) => r.document_number === boleta?.documentNumber);
    if (numbering === "explicit") expect(released).toEqual([]);
  });

  // Scenario 5: a RESERVED number whose order is now cancelled is resolved, not left RESERVED forever.
  it("adopts a receipt that landed before the order was cancelled (a credit note is owed)", async () => {
    const key = place(world);
    world.simulator.setFaults([
      { kind: "timeout_after_commit", routes: ["POST /v1/receipts"], count: 1, timeoutMode: "destroy" },
    ]);
    expect(await issueReceipt(key, depsOf(world))).toMatchObject({ status: "retry" });
    world.simulator.cancelOrder(key.orderId);
    expect(await settle(world, key)).toMatchObject({ status: "issued" });
    const record = await world.store.get(key);
    expect(record?.state).toBe("ACCEPTED");
    expect(record?.history.at(-1)?.why).toMatch(/cancelled now: a credit note is owed/);
  });

  it("releases the number of an order cancelled before its POST landed, and records it CANCELED", async () => {
    const key = place(world);
    world.simulator.setFaults([
      { kind: "error_before_commit", routes: ["POST /v1/receipts"], count: 1, status: 503 },
    ]);
    expect(await issueReceipt(key, depsOf(world))).toMatchObject({ status: "retry" });
    const reserved = await world.store.get(key);
    world.simulator.cancelOrder(key.orderId);
    expect(await settle(world, key)).toMatchObject({ status: "skipped" });
    const record = await world.store.get(key);
    expect(record).toMatchObject({ state: "CANCELED" });
    expect(record?.releasedNumbers?.map((n) => n.documentNumber)).toEqual([reserved?.documentNumber]);
    expect(receiptsOf(world, key.orderId)).toHaveLength(0);
  });

  it("records a cancelled order that never had a receipt, and skips an unpaid one", async () => {
    const unpaid = world.simulator.createOrder(makeOrder(nextSeed(), { payment_status: "pending" }));
    const unpaidKey = { storeId: STORE, orderId: Number(unpaid.id) };
    expect(await settle(world, unpaidKey)).toMatchObject({ status: "skipped" });
    expect(await world.store.get(unpaidKey)).toBeUndefined();
    const key = place(world);
    world.simulator.cancelOrder(key.orderId);
    expect(await settle(world, key)).toMatchObject({ status: "skipped" });
    expect(await world.store.get(key)).toMatchObject({ state: "CANCELED" });
    expect(receiptsOf(world, key.orderId)).toHaveLength(0);
  });

  // Scenario 7: a SUNAT exception is neither an acceptance nor a rejection.
  it("keeps a receipt SUBMITTED when SUNAT answers an exception (0100–1999), never REJECTED", async () => {
    const key = place(world);
    world.simulator.setSunatPolicy({ forced: { [String(key.orderId)]: "exception" } });
    expect(await settle(world, key)).toMatchObject({ status: "issued" });
    expect(await world.store.get(key)).toMatchObject({
      state: "SUBMITTED",
      sunatCode: "0100",
      pendingCdr: "PENDING",
    });
  });

  it("records SUNAT's rejection (2000–3999) with its code", async () => {
    const key = place(world);
    world.simulator.setSunatPolicy({ forced: { [String(key.orderId)]: "rejected" } });
    await settle(world, key);
    const record = await world.store.get(key);
    expect(record?.state).toBe("REJECTED");
    expect(Number(record?.sunatCode)).toBeGreaterThanOrEqual(2000);
    expect(Number(record?.sunatCode)).toBeLessThan(4000);
  });

  it("asks to come back after Retry-After on a 429 before anything is reserved", async () => {
    const key = place(world);
    world.simulator.setFaults([
      { kind: "rate_limit", routes: ["GET /v1/orders/{id}"], count: 1, retryAfterSeconds: 7 },
    ]);
    expect(await issueReceipt(key, depsOf(world))).toMatchObject({ status: "retry", delaySeconds: 7 });
    expect(await world.store.get(key)).toBeUndefined();
  });

  it("flags a Boleta over S/ 700 without a document and never submits it; a fix issues it", async () => {
    const order = world.simulator.createOrder(
      makeBrokenOrder("boleta_over_700_without_document", nextSeed()),
    );
    const key = { storeId: STORE, orderId: Number(order.id) };
    expect(await settle(world, key)).toMatchObject({ status: "needs_attention" });
    const record = await world.store.get(key);
    expect(record?.problems).toContainEqual(
      expect.objectContaining({ field: "billing_details.document_type", rule: "boleta_identity_required" }),
    );
    expect(record?.series).toBeUndefined();
    expect(receiptsOf(world, key.orderId)).toHaveLength(0);
    world.simulator.updateOrder(key.orderId, switchToBoleta());
    expect(await settle(world, key)).toMatchObject({ status: "issued" });
    expect((await world.store.get(key))?.history.map((t) => t.to)).toEqual([
      "NEEDS_ATTENTION",
      "RESERVED",
      "ACCEPTED",
    ]);
  });

  it("flags an order of a store without credentials as store_not_configured instead of retrying into the DLQ", async () => {
    const key = { storeId: 999, orderId: 1 };
    const outcome = await issueReceipt(
      key,
      depsOf(world, {
        api: async (storeId) => {
          throw new StoreNotConfiguredError(storeId);
        },
      }),
    );
    expect(outcome).toMatchObject({ status: "needs_attention" });
    expect(await world.store.get(key)).toMatchObject({
      state: "NEEDS_ATTENTION",
      problems: [expect.objectContaining({ field: "store_id", rule: "store_not_configured" })],
    });
  });

  // Scenario 8: a receipt issued after SUNAT's window carries today's date.
  it("dates a receipt issued long after the sale today (Peru), and says why", async () => {
    const old = world.simulator.createOrder(
      makeOrder(
        nextSeed(),
        { placed: new Date(world.clock.now - 20 * 86_400_000).toISOString() },
        { documentKind: "factura" },
      ),
    );
    const recent = world.simulator.createOrder(
      makeOrder(
        nextSeed(),
        { placed: new Date(world.clock.now - 86_400_000).toISOString() },
        { documentKind: "factura" },
      ),
    );
    const today = new Date(world.clock.now - 5 * 3_600_000).toISOString().slice(0, 10);
    const yesterday = new Date(world.clock.now - 86_400_000 - 5 * 3_600_000).toISOString().slice(0, 10);
    await settle(world, { storeId: STORE, orderId: Number(old.id) });
    await settle(world, { storeId: STORE, orderId: Number(recent.id) });
    const oldRecord = await world.store.get({ storeId: STORE, orderId: Number(old.id) });
    expect(oldRecord?.issueDate).toBe(today);
    expect(receiptsOf(world, Number(old.id))[0]?.issue_date).toBe(today);
    expect((await world.store.get({ storeId: STORE, orderId: Number(recent.id) }))?.issueDate).toBe(
      yesterday,
    );
  });
});

describe.each(["explicit", "auto"] as const)(
  "a store that issued receipts before, API numbering %s",
  (numbering) => {
    let world: World;
    beforeAll(async () => {
      world = await startWorld(`existing-${numbering}`, {
        numbering,
        existingReceipts: { F001: 66, B001: 51 },
      });
    });
    afterAll(async () => {
      await world.simulator.stop();
    });

    // Scenario 4: counters are seeded from the API's highest number in each series.
    it("issues F001-67 and B001-52 next", async () => {
      const factura = place(world, "factura");
      const boleta = place(world, "boleta");
      await settle(world, factura);
      await settle(world, boleta);
      expect((await world.store.get(factura))?.documentNumber).toBe("F001-67");
      expect((await world.store.get(boleta))?.documentNumber).toBe("B001-52");
    });

    // Scenario 3: a number held by a receipt that is not this order's is never adopted.
    it("moves past numbers other receipts hold and records them for the operator", async () => {
      const key = place(world, "factura");
      const next = ((await world.store.readCounter(STORE, "F001"))?.last ?? 0) + 1;
      world.simulator.addOutOfBandReceipt({ series: "F001", correlative: next, order_id: null });
      const other = place(world, "factura");
      world.simulator.addOutOfBandReceipt({ series: "F001", correlative: next + 1, order_id: other.orderId });
      expect(await settle(world, key)).toMatchObject({ status: "issued" });
      const record = await world.store.get(key);
      const [receipt] = receiptsOf(world, key.orderId);
      expect(receiptsOf(world, key.orderId)).toHaveLength(1);
      expect(record?.documentNumber).toBe(receipt?.document_number);
      expect(record?.correlative).toBeGreaterThan(next + 1);
      if (numbering === "explicit") {
        expect(record?.takenNumbers).toEqual([
          expect.objectContaining({ documentNumber: `F001-${next}`, holderOrderId: null }),
          expect.objectContaining({ documentNumber: `F001-${next + 1}`, holderOrderId: other.orderId }),
        ]);
      } else {
        // The API numbered it itself: the record holds the API's number and released the one it reserved.
        expect(record?.releasedNumbers?.map((n) => n.documentNumber)).toEqual([`F001-${next}`]);
      }
    });
  },
);

describe("lists that lag behind writes, and an API that stores a repeated number", () => {
  it("waits for the lists before concluding a timed-out POST did not land (lag 1.2 s)", async () => {
    const world = await startWorld("lag", { numbering: "auto", listLagMs: 1_200 });
    try {
      const key = place(world);
      world.simulator.setFaults([
        { kind: "timeout_after_commit", routes: ["POST /v1/receipts"], count: 1, timeoutMode: "destroy" },
      ]);
      expect(await issueReceipt(key, depsOf(world))).toMatchObject({ status: "retry" });
      // Asked again at once (a redelivery): the list does not show it yet, and nothing is POSTed.
      expect(await issueReceipt(key, depsOf(world))).toMatchObject({ status: "retry" });
      expect(receiptsOf(world, key.orderId)).toHaveLength(1);
      await new Promise((done) => setTimeout(done, 1_300));
      world.clock.now = Date.now() + LOOKUP_DELAY_MS;
      expect(await settle(world, key)).toMatchObject({ status: "issued" });
      expect(receiptsOf(world, key.orderId)).toHaveLength(1);
    } finally {
      await world.simulator.stop();
    }
  });

  it("never POSTs a number twice when the API would store the repeat", async () => {
    const world = await startWorld("repeat", { numbering: "repeat" });
    try {
      const key = place(world);
      world.simulator.setFaults([{ kind: "error_after_commit", routes: ["POST /v1/receipts"], count: 1 }]);
      expect(await issueReceipt(key, depsOf(world))).toMatchObject({ status: "retry" });
      expect(await settle(world, key)).toMatchObject({ status: "issued" });
      const receipts = receiptsOf(world, key.orderId);
      expect(receipts).toHaveLength(1);
      expect(receipts[0]?.sunat_code).toBe("0");
    } finally {
      await world.simulator.stop();
    }
  });
});
