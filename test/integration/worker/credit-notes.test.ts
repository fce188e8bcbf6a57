import { Decimal } from "decimal.js";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { changeShipping, switchToBoleta } from "../../../infra/simulator/order-edits";
import { sunatAnswerOf } from "../../../lib/acelerala/sunat-answer";
import { reissueOrder } from "../../../lib/ops/reissue";
import { expectOf } from "../../../lib/store/receipt-store";
import { decideCreditNote } from "../../../lib/worker/credit-notes";
import { issueReceipt } from "../../../lib/worker/issue-receipt";
import { depsOf, notesOf, place, receiptsOf, settle, startWorld, type World } from "./support";

// Credit notes (Nota de crédito 07) through the worker's guard, against the simulator over HTTP (which checks
// notes as SUNAT does: the affected receipt accepted, F/B series, Catálogo 09, never crediting more than the
// receipt) and DynamoDB Local, under each way the API may number documents.

const money = (value: unknown) => new Decimal(String(value)).toFixed(2);

const credited = (world: World, orderId: number) =>
  notesOf(world, orderId)
    .filter((note) => note.sunat_code !== "1033")
    .reduce((total, note) => total.plus(String(note.gross_total)), new Decimal(0))
    .toFixed(2);

describe.each(["explicit", "auto"] as const)("credit notes, API numbering %s", (numbering) => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld(`notes-${numbering}`, { numbering });
  });
  afterAll(async () => {
    await world.simulator.stop();
  });
  beforeEach(() => {
    world.simulator.clearFaults();
    world.simulator.setSunatPolicy({ delayMs: 0, forced: {} });
  });

  it("cancels an accepted receipt with one note (01) for all of it; a redelivered event adds nothing", async () => {
    const key = place(world, "factura");
    expect(await settle(world, key)).toMatchObject({ status: "issued" });
    world.simulator.cancelOrder(key.orderId);
    const outcome = await settle(world, key);
    expect(outcome).toMatchObject({
      status: "already_issued",
      notes: [{ note: "canceled", status: "issued" }],
    });
    const [note] = notesOf(world, key.orderId);
    const [receipt] = receiptsOf(world, key.orderId);
    expect(notesOf(world, key.orderId)).toHaveLength(1);
    expect(note).toMatchObject({
      series: "FC01",
      note_motive_code: "01",
      affected_document_number: receipt?.document_number,
      sunat_code: "0",
    });
    expect(money(note?.gross_total)).toBe(money(receipt?.gross_total));
    const [record] = await world.store.notesOf(key);
    expect(record).toMatchObject({ state: "ACCEPTED", document: "NOTE#canceled", noteMotive: "01" });
    expect(await settle(world, key)).toMatchObject({ notes: [{ status: "already_issued" }] });
    expect(notesOf(world, key.orderId)).toHaveLength(1);
    expect((await world.store.get(key))?.state).toBe("ACCEPTED"); // the sale receipt stays what it is
  });

  it("waits while the receipt is SUBMITTED, and issues the note once SUNAT accepted it", async () => {
    world.simulator.setSunatPolicy({ delayMs: 400 });
    const key = place(world);
    await settle(world, key);
    const sale = await world.store.get(key);
    expect(sale?.state).toBe("SUBMITTED");
    world.simulator.cancelOrder(key.orderId);
    const waiting = await issueReceipt(key, depsOf(world));
    expect(waiting).toMatchObject({ status: "retry", notes: [{ note: "canceled", status: "waiting" }] });
    expect(notesOf(world, key.orderId)).toHaveLength(0);
    // SUNAT answers; the poller (or a receipt event) records it.
    await new Promise((done) => setTimeout(done, 500));
    const answer = sunatAnswerOf(await world.client.getReceipt(sale?.receiptId ?? 0));
    if (!answer) throw new Error("the simulated SUNAT did not answer");
    await world.store.recordSunatAnswer(key, sale?.documentNumber ?? "", "SUBMITTED", answer, new Date());
    expect(await settle(world, key)).toMatchObject({ notes: [{ status: "issued" }] });
    expect(notesOf(world, key.orderId)).toHaveLength(1);
  });

  it("credits each refund transaction exactly, then the rest when the order is fully refunded, never more", async () => {
    const key = place(world, "factura");
    await settle(world, key);
    const total = String(world.simulator.getOrder(key.orderId).total);
    const first = world.simulator.refund(key.orderId, "10.00");
    const partial = await settle(world, key);
    expect(partial).toMatchObject({ notes: [{ note: `refund-${first.id}`, status: "issued" }] });
    expect(
      notesOf(world, key.orderId).map((note) => [note.note_motive_code, money(note.gross_total)]),
    ).toEqual([["09", "10.00"]]);
    const rest = new Decimal(total).minus("10.00").toFixed(2);
    const second = world.simulator.refund(key.orderId, rest);
    expect(world.simulator.getOrder(key.orderId).payment_status).toBe("refunded");
    const full = await settle(world, key);
    expect(full.notes?.map((note) => [note.note, note.status])).toEqual([
      [`refund-${first.id}`, "already_issued"],
      [`refund-${second.id}`, "issued"],
      ["refunded", "skipped"], // the two refunds credited all of it
    ]);
    expect(credited(world, key.orderId)).toBe(new Decimal(total).toFixed(2));
    // A cancellation after everything was credited credits nothing more.
    world.simulator.cancelOrder(key.orderId);
    expect((await settle(world, key)).notes?.at(-1)).toMatchObject({ note: "canceled", status: "skipped" });
    expect(credited(world, key.orderId)).toBe(new Decimal(total).toFixed(2));
  });

  it("credits what is not yet credited when the order is set refunded without a transaction (06)", async () => {
    const key = place(world);
    await settle(world, key);
    const total = String(world.simulator.getOrder(key.orderId).total);
    world.simulator.refund(key.orderId, "5.00");
    await settle(world, key);
    world.simulator.updateOrder(key.orderId, { payment_status: "refunded" });
    const outcome = await settle(world, key);
    expect(outcome.notes?.at(-1)).toMatchObject({ note: "refunded", status: "issued" });
    const notes = notesOf(world, key.orderId);
    expect(notes.map((note) => note.note_motive_code)).toEqual(["09", "06"]);
    expect(money(notes[1]?.gross_total)).toBe(new Decimal(total).minus("5.00").toFixed(2));
  });

  it("issues one note when its POST timed out after the API stored it", async () => {
    const key = place(world);
    await settle(world, key);
    world.simulator.cancelOrder(key.orderId);
    world.simulator.setFaults([
      { kind: "timeout_after_commit", routes: ["POST /v1/receipts"], count: 1, timeoutMode: "destroy" },
    ]);
    expect(await issueReceipt(key, depsOf(world))).toMatchObject({ status: "retry" });
    expect(notesOf(world, key.orderId)).toHaveLength(1);
    expect(await settle(world, key)).toMatchObject({ notes: [{ status: "issued" }] });
    expect(notesOf(world, key.orderId)).toHaveLength(1);
  });

  it("holds a note the API refused for a person, then reissues it under the same number once fixed", async () => {
    const key = place(world);
    await settle(world, key);
    world.simulator.cancelOrder(key.orderId);
    // A note the API refuses (a motive text that is not Catálogo 09's), then the right one.
    const broken = depsOf(world, {
      decideNote: (input) => {
        const decision = decideCreditNote({ ...input, stores: world.stores });
        return decision.action === "issue"
          ? { ...decision, body: { ...decision.body, note_motive_description: "porque sí" } }
          : decision;
      },
    });
    const refused = await issueReceipt(key, broken);
    expect(refused.notes).toEqual([expect.objectContaining({ note: "canceled", status: "needs_attention" })]);
    const [held] = await world.store.notesOf(key);
    expect(held).toMatchObject({ state: "NEEDS_ATTENTION" });
    expect(notesOf(world, key.orderId)).toHaveLength(0);
    expect(await settle(world, key)).toMatchObject({ notes: [{ status: "issued" }] });
    const [issued] = await world.store.notesOf(key);
    if (numbering === "explicit") expect(issued?.documentNumber).toBe(held?.documentNumber);
    expect(notesOf(world, key.orderId)).toHaveLength(1);
  });

  it("gives a cancelled order with a rejected receipt no note, and records it CANCELED", async () => {
    const key = place(world);
    world.simulator.setSunatPolicy({ forced: { [String(key.orderId)]: "rejected" } });
    await settle(world, key);
    expect((await world.store.get(key))?.state).toBe("REJECTED");
    world.simulator.cancelOrder(key.orderId);
    await settle(world, key);
    expect(await world.store.get(key)).toMatchObject({ state: "CANCELED" });
    expect(notesOf(world, key.orderId)).toHaveLength(0);
  });

  it("cpe reissue: a receipt that landed and differs is undone by a note, then a new receipt is issued", async () => {
    const key = place(world, "boleta");
    // An identified customer: the shipping added below may take the Boleta over S/ 700.
    world.simulator.updateOrder(key.orderId, switchToBoleta());
    world.simulator.setFaults([
      { kind: "timeout_after_commit", routes: ["POST /v1/receipts"], count: 1, timeoutMode: "destroy" },
    ]);
    expect(await issueReceipt(key, depsOf(world))).toMatchObject({ status: "retry" });
    world.simulator.updateOrder(key.orderId, changeShipping(world.simulator.getOrder(key.orderId), "10.00"));
    expect(await settle(world, key)).toMatchObject({ status: "needs_attention" });
    const held = await world.store.get(key);
    expect(held?.problems?.[0]?.rule).toBe("landed_receipt_differs");

    const requested = await reissueOrder(key, {
      getRecord: (k) => world.store.get(k),
      getReceipt: (id) => world.client.getReceipt(id),
      getOrder: (id) => world.client.getOrder(id),
      requestReissue: (k, expect, reissue, now) => world.store.requestReissue(k, expect, reissue, now),
      enqueue: async () => {},
      now: () => new Date(world.clock.now),
    });
    expect(requested).toMatchObject({
      outcome: "requested",
      motive: "01",
      documentNumber: held?.documentNumber,
    });
    expect(await settle(world, key)).toMatchObject({ status: "issued", notes: [{ status: "issued" }] });

    const record = await world.store.get(key);
    const receipts = receiptsOf(world, key.orderId);
    expect(receipts).toHaveLength(2); // the landed one (undone) and the new one
    expect(record?.state).toBe("ACCEPTED");
    expect(record?.documentNumber).not.toBe(held?.documentNumber);
    expect(record?.grossTotal).toBe(String(world.simulator.getOrder(key.orderId).total));
    expect(record?.replacedNumbers).toEqual([
      expect.objectContaining({ documentNumber: held?.documentNumber, receiptId: held?.receiptId }),
    ]);
    // Undone by a credit note, not "never landed": it is not among the released numbers.
    expect((record?.releasedNumbers ?? []).map((n) => n.documentNumber)).not.toContain(held?.documentNumber);
    expect(
      record?.history.find((step) => step.to === "RESERVED" && step.from === "NEEDS_ATTENTION")?.why,
    ).toMatch(new RegExp(`^${held?.documentNumber} undone by credit note `));
    const [note] = notesOf(world, key.orderId);
    expect(note).toMatchObject({ affected_document_number: held?.documentNumber, note_motive_code: "01" });
    expect(notesOf(world, key.orderId)).toHaveLength(1);
    // Once done, the same request again is refused; the event again issues nothing.
    expect(await settle(world, key)).toMatchObject({ status: "already_issued" });
    expect(receiptsOf(world, key.orderId)).toHaveLength(2);
    expect(expectOf(record).state).toBe("ACCEPTED");
  });
});
