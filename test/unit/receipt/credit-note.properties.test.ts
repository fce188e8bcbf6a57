import Decimal from "decimal.js";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  amountInWords,
  buildCreditNote,
  buildReceipt,
  CREDIT_NOTE_MOTIVE,
  type CreditAllocation,
  type CreditNote,
  CreditNoteSchema,
  type CreditScope,
  type Receipt,
} from "../../../lib/receipt";
import { demoStore } from "./helpers";
import { orderArbitrary } from "./order-arbitrary";

/**
 * For any accepted receipt (a random consistent order through buildReceipt) and any sequence of cancellations,
 * full refunds, partial refunds and returns, the notes never credit more than the receipt, each note's figures
 * add up, each note line mirrors its receipt line, and once the remainder is credited the notes together are
 * the receipt. The expectations are computed here from the notes' own figures and the receipt's, not from the
 * allocation code under test.
 */

const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });
const store = demoStore();
const ISSUE_DATE = "2027-01-15";
const FREE_CODES = new Set([
  "11",
  "12",
  "13",
  "14",
  "15",
  "16",
  "21",
  "31",
  "32",
  "33",
  "34",
  "35",
  "36",
  "37",
]);
const dec = (value: number | string) => new D(value);
const sumOf = (values: (number | null)[]) => values.reduce<Decimal>((acc, v) => acc.plus(v ?? 0), new D(0));

type Operation =
  | { kind: "cancel" }
  | { kind: "refund_full" }
  | { kind: "refund_amount"; share: number }
  | { kind: "return"; picks: { line: number; all: boolean; fraction: number }[] };

const operation: fc.Arbitrary<Operation> = fc.oneof(
  { arbitrary: fc.constant({ kind: "cancel" as const }), weight: 1 },
  { arbitrary: fc.constant({ kind: "refund_full" as const }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant("refund_amount" as const),
      share: fc.double({ min: 0, max: 1.2, noNaN: true }),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("return" as const),
      picks: fc.array(
        fc.record({
          line: fc.nat(50),
          all: fc.boolean(),
          fraction: fc.double({ min: 0, max: 1, noNaN: true }),
        }),
        { minLength: 1, maxLength: 3 },
      ),
    }),
    weight: 4,
  },
);

/** How often each kind of note was issued over the whole run (a property that refuses everything must fail). */
const issued = { cancel: 0, refund_full: 0, refund_amount: 0, return: 0, refused: 0 };

/** The model: what the notes issued so far credited, read from the notes themselves. */
interface Model {
  notes: { note: CreditNote; allocation: CreditAllocation; returnsGoods: boolean }[];
}

const creditedGross = (model: Model) => sumOf(model.notes.map(({ note }) => note.gross_total));
const creditedPlastic = (model: Model) =>
  sumOf(model.notes.map(({ note }) => dec(note.taxes_total).minus(note.sales_tax_total).toNumber()));
const plasticOf = (document: { taxes_total: number; sales_tax_total: number }) =>
  dec(document.taxes_total).minus(document.sales_tax_total);

/** Units of each receipt line the notes that return goods have returned. */
function returnedQuantity(model: Model, line: number): Decimal {
  let returned = new D(0);
  for (const { note, allocation, returnsGoods } of model.notes) {
    if (!returnsGoods) continue;
    allocation.lines.forEach((credited, position) => {
      if (credited.line === line) returned = returned.plus(note.items[position]?.quantity ?? 0);
    });
  }
  return returned;
}

function checkNoteAddsUp(note: CreditNote, receipt: Receipt, allocation: CreditAllocation, motive: string) {
  const parsed = CreditNoteSchema.safeParse(note);
  expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
  expect(note).toMatchObject({
    document_type_code: "07",
    series: receipt.document_type_code === "01" ? "FC01" : "BC01",
    affected_document_type_code: receipt.document_type_code,
    affected_document_number: `${receipt.series}-${receipt.correlative}`,
    note_motive_code: motive,
    note_motive_description: CREDIT_NOTE_MOTIVE[motive as keyof typeof CREDIT_NOTE_MOTIVE],
    order_id: receipt.order_id,
    currency_code: receipt.currency_code,
    customer_information: receipt.customer_information,
    global_discounts: [],
  });

  // Each note line mirrors its receipt line.
  expect(note.items).toHaveLength(allocation.lines.length);
  note.items.forEach((item, position) => {
    const line = allocation.lines[position]?.line ?? -1;
    const original = receipt.items[line];
    expect(original).toBeDefined();
    expect(item).toMatchObject({
      sales_tax_code: original?.sales_tax_code,
      name: original?.name,
      unit: original?.unit,
      sku: original?.sku,
      sunat_product_code: original?.sunat_product_code,
      sales_tax_rate: original?.sales_tax_rate,
    });
    expect(item.quantity).toBeGreaterThan(0);
    if (FREE_CODES.has(item.sales_tax_code)) {
      expect([item.net_total, item.sales_tax_total, item.gross_total]).toEqual([0, 0, 0]);
      expect(item.free_total).toBeGreaterThan(0);
    } else {
      expect(dec(item.net_total).plus(item.sales_tax_total).toNumber()).toBe(item.gross_total);
      expect(item.gross_subtotal).toBe(item.gross_total);
      expect(item.net_subtotal).toBe(item.net_total);
      // SUNAT 3103: line IGV = base × 18 % (±1.00); SUNAT 3271: quantity × unit value = line value (±1.00).
      expect(dec(item.sales_tax_total).minus(dec(item.net_total).times("0.18")).abs().lte(1)).toBe(true);
      expect(dec(item.quantity).times(item.net_unit_price).minus(item.net_total).abs().lte(1)).toBe(true);
    }
    for (const amount of [
      item.net_total,
      item.sales_tax_total,
      item.free_total,
      item.plastic_tax_total ?? 0,
    ]) {
      expect(amount).toBeGreaterThanOrEqual(0);
    }
  });

  // Lines → totals.
  const charged = note.items.filter((item) => !FREE_CODES.has(item.sales_tax_code));
  const free = note.items.filter((item) => FREE_CODES.has(item.sales_tax_code));
  expect(sumOf(charged.map((item) => item.net_total)).toNumber()).toBe(note.items_net_total);
  expect(sumOf(charged.map((item) => item.net_total)).toNumber()).toBe(note.taxable_total);
  expect(sumOf(charged.map((item) => item.sales_tax_total)).toNumber()).toBe(note.sales_tax_total);
  expect(sumOf(note.items.map((item) => item.plastic_tax_total)).toNumber()).toBe(plasticOf(note).toNumber());
  expect(sumOf(free.map((item) => item.free_total)).toNumber()).toBe(note.free_total);
  expect(note.net_total).toBe(note.taxable_total);
  expect(dec(note.net_total).plus(note.taxes_total).toNumber()).toBe(note.gross_total);
  expect(note.gross_total).toBeGreaterThan(0);
  expect(dec(note.sales_tax_total).minus(dec(note.taxable_total).times("0.18")).abs().lte(1)).toBe(true);
  expect(note.legends[0]).toEqual({ code: 1000, value: amountInWords(note.gross_total, note.currency_code) });
  expect(note.legends.some((legend) => legend.code === 1002)).toBe(free.length > 0);
}

/** Never more than the receipt: in all, per family of figures, and per line. */
function checkNeverMoreThanReceipt(model: Model, receipt: Receipt) {
  const notes = model.notes.map(({ note }) => note);
  expect(creditedGross(model).lte(receipt.gross_total)).toBe(true);
  expect(sumOf(notes.map((note) => note.taxable_total)).lte(receipt.taxable_total)).toBe(true);
  expect(sumOf(notes.map((note) => note.sales_tax_total)).lte(receipt.sales_tax_total)).toBe(true);
  expect(creditedPlastic(model).lte(plasticOf(receipt))).toBe(true);
  expect(sumOf(notes.map((note) => note.free_total)).lte(receipt.free_total)).toBe(true);
  receipt.items.forEach((item, line) => {
    let gross = new D(0);
    let freeValue = new D(0);
    for (const { note, allocation } of model.notes) {
      allocation.lines.forEach((credited, position) => {
        if (credited.line !== line) return;
        const noteItem = note.items[position];
        gross = gross.plus(noteItem?.gross_total ?? 0).plus(noteItem?.plastic_tax_total ?? 0);
        freeValue = freeValue.plus(noteItem?.free_total ?? 0);
      });
    }
    expect(gross.lte(dec(item.gross_total).plus(item.plastic_tax_total ?? 0))).toBe(true);
    expect(freeValue.lte(item.free_total)).toBe(true);
    expect(returnedQuantity(model, line).lte(item.quantity)).toBe(true);
  });
}

function request(
  operation: Operation,
  receipt: Receipt,
  model: Model,
): { motive: string; scope: CreditScope } | null {
  switch (operation.kind) {
    case "cancel":
      return { motive: "01", scope: { kind: "remainder" } };
    case "refund_full":
      return { motive: "06", scope: { kind: "remainder" } };
    case "refund_amount": {
      const left = dec(receipt.gross_total).minus(creditedGross(model));
      const amount = D.max(left.times(operation.share).toDecimalPlaces(2), "0.01");
      return {
        motive: "09",
        scope: { kind: "amount", amount: amount.toFixed(2), currency_code: receipt.currency_code },
      };
    }
    case "return": {
      const lines: { line: number; quantity: string }[] = [];
      for (const pick of operation.picks) {
        const line = pick.line % receipt.items.length;
        const item = receipt.items[line];
        if (!item || lines.some((chosen) => chosen.line === line)) continue;
        const left = dec(item.quantity).minus(returnedQuantity(model, line));
        if (!left.gt(0)) continue;
        const whole = item.plastic_tax_factor !== null || dec(item.quantity).isInteger();
        let quantity = pick.all
          ? left
          : left.times(pick.fraction).toDecimalPlaces(whole ? 0 : 3, Decimal.ROUND_DOWN);
        if (!quantity.gt(0)) quantity = whole && left.gte(1) ? new D(1) : left;
        lines.push({ line, quantity: quantity.toFixed() });
      }
      return lines.length > 0 ? { motive: "07", scope: { kind: "lines", lines } } : null;
    }
  }
}

describe("buildCreditNote properties (random accepted receipts, random sequences of notes)", () => {
  afterAll(() => {
    // Each kind of note was actually issued, many times, over the run.
    for (const kind of ["cancel", "refund_full", "refund_amount", "return"] as const) {
      expect(issued[kind], kind).toBeGreaterThan(30);
    }
  });

  it("never credits more than the receipt; each note adds up and mirrors its lines; all notes end as the receipt", () => {
    fc.assert(
      fc.property(
        orderArbitrary,
        fc.integer({ min: 1, max: 99_999_999 }),
        fc.array(operation, { maxLength: 6 }),
        ({ order }, correlative, operations) => {
          const built = buildReceipt(order, store, { correlative });
          if (!built.ok) throw new Error(`refused a consistent order: ${JSON.stringify(built.problems)}`);
          const receipt = built.receipt;
          const model: Model = { notes: [] };

          for (const op of [...operations, { kind: "cancel" } as const]) {
            const wanted = request(op, receipt, model);
            if (!wanted) continue;
            const alreadyCredited = model.notes.map(({ allocation }) => allocation);
            const result = buildCreditNote(receipt, store, {
              ...wanted,
              issueDate: ISSUE_DATE,
              alreadyCredited,
            });
            const moneyLeft = dec(receipt.gross_total).minus(creditedGross(model));
            const valueLeft = moneyLeft.minus(plasticOf(receipt).minus(creditedPlastic(model)));

            if (!result.ok) {
              issued.refused += 1;
              const rules = result.problems.map((problem) => problem.rule);
              if (wanted.scope.kind !== "lines") expect(rules).toHaveLength(1);
              if (wanted.scope.kind === "remainder")
                expect([rules, moneyLeft.toFixed(2)]).toEqual([["nothing_left_to_credit"], "0.00"]);
              if (wanted.scope.kind === "amount") {
                const amount = dec(wanted.scope.amount);
                expect(amount.gt(valueLeft) && !amount.eq(moneyLeft)).toBe(true);
                expect(rules).toEqual([
                  amount.gt(moneyLeft) ? "credit_exceeds_receipt" : "amount_exceeds_creditable_value",
                ]);
              }
              if (wanted.scope.kind === "lines") {
                // A line whose value earlier refunds took, or only gifts: nothing to credit.
                for (const rule of rules) {
                  expect(["line_nothing_left", "zero_amount", "quantity_exceeds_remaining"]).toContain(rule);
                  if (rule === "quantity_exceeds_remaining") expect(moneyLeft.isZero()).toBe(true);
                }
              }
              continue;
            }

            const { note, allocation } = result;
            checkNoteAddsUp(note, receipt, allocation, wanted.motive);
            if (wanted.scope.kind === "remainder") expect(note.gross_total).toBe(moneyLeft.toNumber());
            if (wanted.scope.kind === "amount") {
              const amount = dec(wanted.scope.amount);
              expect(note.gross_total).toBe(amount.toNumber());
              // Only everything left takes the bags' ICBPER.
              if (!amount.eq(moneyLeft))
                expect([amount.lte(valueLeft), plasticOf(note).toNumber()]).toEqual([true, 0]);
            }
            if (wanted.scope.kind === "lines") {
              expect(note.items.map((item) => String(item.quantity))).toEqual(
                wanted.scope.lines
                  .filter((chosen) => allocation.lines.some((credited) => credited.line === chosen.line))
                  .map((chosen) => String(Number(chosen.quantity))),
              );
            }
            issued[op.kind] += 1;
            model.notes.push({
              note,
              allocation,
              returnsGoods: wanted.scope.kind !== "amount" || note.gross_total === moneyLeft.toNumber(),
            });
            checkNeverMoreThanReceipt(model, receipt);
          }

          // The final cancellation credited the remainder: together the notes are the receipt, to the cent.
          const notes = model.notes.map(({ note }) => note);
          expect(creditedGross(model).toNumber()).toBe(receipt.gross_total);
          expect(sumOf(notes.map((note) => note.taxable_total)).toNumber()).toBe(receipt.taxable_total);
          expect(sumOf(notes.map((note) => note.sales_tax_total)).toNumber()).toBe(receipt.sales_tax_total);
          expect(creditedPlastic(model).toNumber()).toBe(plasticOf(receipt).toNumber());
        },
      ),
      { numRuns: 300 },
    );
    // About 2 s alone; the whole suite shares 2 cores with the integration tests' servers.
  }, 60_000);
});
