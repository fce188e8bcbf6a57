import { describe, expect, it } from "vitest";
import { AceleralaError } from "../../../lib/acelerala/errors";
import type { AceleralaOrder, AceleralaReceipt } from "../../../lib/acelerala/schemas";
import { parseReconcileOptions } from "../../../lib/cli/commands/reconcile";
import {
  aceleralaReconcileSources,
  formatReconcileReport,
  isClean,
  type ReconcileDeps,
  receiptsSince,
  reconcile,
  reconcileEventId,
} from "../../../lib/ops/reconcile";
import type { ReceiptRecord, ReceiptState } from "../../../lib/store/receipt-record";

const NOW = new Date("2026-01-21T15:30:00Z");
const SINCE = new Date("2026-01-20T00:00:00Z");

function order(id: number, total = "100.00"): AceleralaOrder {
  return { id, payment_status: "paid", placed: "2026-01-20T10:00:00.000Z", canceled: null, total };
}
function receipt(id: number, orderId: number | null, documentNumber: string): AceleralaReceipt {
  return {
    id,
    order_id: orderId,
    series: documentNumber.split("-")[0] as string,
    correlative: Number(documentNumber.split("-")[1]),
    document_number: documentNumber,
    sunat_acknowledged: true,
    created: "2026-01-20T11:00:00.000Z",
  };
}
function record(orderId: number, state: ReceiptState, extra: Partial<ReceiptRecord> = {}): ReceiptRecord {
  return { storeId: 511, orderId, state, createdAt: "", updatedAt: "", history: [], ...extra };
}

function deps(
  orders: AceleralaOrder[],
  receipts: AceleralaReceipt[],
  records: ReceiptRecord[],
  failEnqueue = false,
): { deps: ReconcileDeps; enqueued: string[] } {
  const enqueued: string[] = [];
  const byOrder = new Map(records.map((r) => [r.orderId, r]));
  return {
    enqueued,
    deps: {
      listOrders: () =>
        (async function* () {
          yield* orders;
        })(),
      listReceipts: () =>
        (async function* () {
          yield* receipts;
        })(),
      findOrder: async (id) => (id === 777 ? order(777) : null),
      getRecord: async (key) => byOrder.get(key.orderId),
      enqueue: async (event) => {
        if (failEnqueue) throw new Error("SQS is down");
        enqueued.push(event.webhookId);
      },
      now: () => NOW,
    },
  };
}

describe("reconcile", () => {
  const orders = [order(1), order(2), order(3, "50.00"), order(4), order(5), order(6)];
  const receipts = [
    receipt(10, 1, "B001-1"),
    receipt(11, 3, "B001-2"),
    receipt(12, 4, "F001-1"), // issued by hand: order 4 has no record
    receipt(13, 3, "B001-9"), // a second receipt for order 3
    receipt(14, 999, "B001-10"), // no such order
    receipt(15, null, "B001-11"),
    receipt(16, 777, "B001-12"), // an order outside the window, no record
    receipt(17, 6, "F001-2"), // burnt number of order 6, now re-issued as F001-3
    receipt(18, 6, "F001-3"),
  ];
  const records = [
    record(1, "ACCEPTED", { receiptId: 10, documentNumber: "B001-1", grossTotal: "100.00" }),
    record(3, "ACCEPTED", { receiptId: 11, documentNumber: "B001-2", grossTotal: "55.00" }),
    record(5, "NEEDS_ATTENTION", {
      problems: [{ field: "f", rule: "boleta_identity_required", message: "" }],
    }),
    record(6, "ACCEPTED", {
      receiptId: 18,
      documentNumber: "F001-3",
      grossTotal: "100.00",
      burntNumbers: [{ documentNumber: "F001-2", receiptId: 17, at: "" }],
    }),
  ];

  it("sorts what it finds into the five kinds, and enqueues nothing without fix", async () => {
    const { deps: d, enqueued } = deps(orders, receipts, records);
    const report = await reconcile({ storeId: 511, since: SINCE, fix: false }, d);
    expect(report.until).toBe("2026-01-21T15:20:00.000Z");
    expect(report.ordersChecked).toBe(6);
    expect(report.receiptsChecked).toBe(9);
    expect(report.missing.map((m) => m.orderId)).toEqual(["2"]);
    expect(report.issuedOutside).toEqual([expect.objectContaining({ orderId: "4", receipts: ["F001-1"] })]);
    expect(report.needsAttention).toEqual([{ orderId: "5", rules: ["boleta_identity_required"] }]);
    expect(report.amountMismatches).toEqual([
      { orderId: "3", documentNumber: "B001-2", recordTotal: "55.00", orderTotal: "50.00" },
    ]);
    expect(report.receiptsWithoutOrder.map((o) => [o.receiptId, o.reason])).toEqual([
      ["12", "no_record"],
      ["13", "record_holds_other_receipt"],
      ["14", "order_not_found"],
      ["15", "no_order_id"],
      ["16", "no_record"],
    ]);
    expect(enqueued).toEqual([]);
    expect(isClean(report)).toBe(false);
    const text = formatReconcileReport(report);
    expect(text).toMatch(/Pedidos pagados sin comprobante: 1\n {2}pedido 2/);
    expect(text).toMatch(
      /Pedidos que requieren revisión \(corríjalos y luego cpe resend\): 1\n {2}pedido 5 +boleta_identity_required/,
    );
    expect(text).toMatch(/Vuelva a ejecutarlo con --fix/);
    // An order that needs attention is a finding by itself (cpe reconcile exits 3 for it).
    expect(
      isClean({ ...report, missing: [], issuedOutside: [], amountMismatches: [], receiptsWithoutOrder: [] }),
    ).toBe(false);
  });

  it("with fix enqueues only the missing orders (a stuck RESERVED one too), once per hour id", async () => {
    const { deps: d, enqueued } = deps(
      [order(2), order(8)],
      [],
      [record(8, "RESERVED", { documentNumber: "B001-4" })],
    );
    const report = await reconcile({ storeId: 511, since: SINCE, fix: true }, d);
    expect(report.missing).toEqual([
      expect.objectContaining({ orderId: "2" }),
      expect.objectContaining({ orderId: "8", state: "RESERVED" }),
    ]);
    expect(enqueued.sort()).toEqual(["rc_511_2_2026012115", "rc_511_8_2026012115"]);
    expect(report.enqueued).toBe(2);
    expect(isClean({ ...report, missing: [] })).toBe(true);
  });

  it("does not call a RESERVED order's own, not yet recorded receipt a stray one", async () => {
    const { deps: d } = deps(
      [order(8)],
      [receipt(30, 8, "B001-4")],
      [record(8, "RESERVED", { documentNumber: "B001-4" })],
    );
    const report = await reconcile({ storeId: 511, since: SINCE, fix: false }, d);
    expect(report.receiptsWithoutOrder).toEqual([]);
    expect(report.issuedOutside).toEqual([]);
    expect(report.missing.map((m) => m.orderId)).toEqual(["8"]);
  });

  it("reports enqueue failures instead of throwing", async () => {
    const { deps: d } = deps([order(2)], [], [], true);
    const report = await reconcile({ storeId: 511, since: SINCE, fix: true }, d);
    expect(report.enqueueFailures).toEqual([{ orderId: "2", error: "Error: SQS is down" }]);
  });

  it("asks for paid orders placed in [since, now − grace), by id", async () => {
    const seen: unknown[] = [];
    const { deps: d } = deps([], [], []);
    await reconcile(
      { storeId: 511, since: SINCE, fix: false, graceMinutes: 0 },
      {
        ...d,
        listOrders: (params) => {
          seen.push(params);
          return d.listOrders(params);
        },
      },
    );
    expect(seen).toEqual([
      {
        limit: 100,
        filters: {
          placed: { gte: "2026-01-20T00:00:00.000Z", lt: "2026-01-21T15:30:00.000Z" },
          payment_status: ["paid"],
        },
      },
    ]);
  });
});

describe("receipt listing and sources", () => {
  it("asks for receipts created from since on, and drops any the API says is older, in any timestamp form", async () => {
    const listed = [
      { ...receipt(1, 1, "B001-1"), created: "2026-01-19T18:59:59.000-05" }, // 23:59:59Z the day before
      { ...receipt(2, 1, "B001-2"), created: "2026-01-19T19:00:00.000-0500" }, // exactly since
      { ...receipt(3, 1, "B001-3"), created: "2026-01-21T00:00:00Z" },
    ];
    const calls: unknown[] = [];
    const list = receiptsSince((filters) => {
      calls.push(filters);
      return (async function* () {
        yield* listed;
      })();
    });
    const ids: unknown[] = [];
    for await (const r of list(SINCE)) ids.push(r.id);
    expect(ids).toEqual([2, 3]);
    expect(calls).toEqual([{ created: { gte: "2026-01-20T00:00:00.000Z" } }]);
  });

  it("turns a 404 for an order into null and lets other API errors through", async () => {
    const error = (kind: "not_found" | "server") =>
      new AceleralaError({
        kind,
        route: "GET /v1/orders/{id}",
        retryable: kind === "server",
        ambiguous: false,
      });
    const sources = (kind: "not_found" | "server") =>
      aceleralaReconcileSources({
        iterateOrders: () => (async function* () {})(),
        iterateReceipts: () => (async function* () {})(),
        getOrder: async () => {
          throw error(kind);
        },
        refundsOfOrder: async () => [],
      });
    expect(await sources("not_found").findOrder(1)).toBeNull();
    await expect(sources("server").findOrder(1)).rejects.toBeInstanceOf(AceleralaError);
  });

  it("ids one run per hour", () => {
    expect(reconcileEventId(511, 5, NOW)).toBe("rc_511_5_2026012115");
  });

  it("parses the options, naming the one that is wrong", () => {
    expect(parseReconcileOptions({ store: "511", since: "2026-01-20", "grace-minutes": "0" })).toMatchObject({
      storeId: 511,
      since: new Date("2026-01-20T05:00:00.000Z"),
      graceMinutes: 0,
      fix: false,
    });
    expect(() => parseReconcileOptions({ since: "2026-01-20" })).toThrow(/falta --store ID/);
    expect(() => parseReconcileOptions({ store: "511" })).toThrow(/falta --since FECHA/);
    expect(() => parseReconcileOptions({ store: "511", since: "2026-01-20", "grace-minutes": "-1" })).toThrow(
      /--grace-minutes debe ser un número entero de minutos/,
    );
  });
});
