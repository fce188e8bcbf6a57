import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import {
  buildCreditNote,
  buildReceipt,
  type CreditAllocation,
  type CreditNote,
  type CreditNoteRequest,
  CreditNoteSchema,
  type ReceiptProblem,
  type StoreConfig,
} from "../../../lib/receipt";
import { mixedReceiptObject, seedReceiptObject } from "./credit-note-fixtures";
import { demoStore, fixtureOrder } from "./helpers";

const store = demoStore();
const D = Decimal.clone({ precision: 40 });
const ISSUE_DATE = "2024-06-01";

function noteOf(receipt: unknown, request: Partial<CreditNoteRequest>, storeConfig: StoreConfig = store) {
  const result = buildCreditNote(receipt, storeConfig, {
    motive: "01",
    scope: { kind: "remainder" },
    issueDate: ISSUE_DATE,
    ...request,
  });
  if (!result.ok) throw new Error(`unexpected problems: ${JSON.stringify(result.problems)}`);
  const parsed = CreditNoteSchema.safeParse(result.note);
  expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
  return result;
}

function problemsOf(
  receipt: unknown,
  request: Partial<CreditNoteRequest>,
  storeConfig = store,
): ReceiptProblem[] {
  const result = buildCreditNote(receipt, storeConfig, {
    motive: "01",
    scope: { kind: "remainder" },
    issueDate: ISSUE_DATE,
    ...request,
  });
  if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result.note)}`);
  for (const problem of result.problems) expect(problem.message.length).toBeGreaterThan(10);
  return result.problems;
}

const figures = (note: CreditNote) => ({
  taxable: note.taxable_total,
  exempt: note.exempt_total,
  unaffected: note.unaffected_total,
  igv: note.sales_tax_total,
  taxes: note.taxes_total,
  gross: note.gross_total,
});

describe("a note on the seed's accepted Factura F777-36862 (the API's receipt object)", () => {
  it("01 Anulación de la operación: the whole receipt, mirrored", () => {
    const { note, allocation } = noteOf(seedReceiptObject(), { orderId: 796, correlative: 3 });
    expect(note).toMatchObject({
      order_id: 796,
      store_id: 511,
      document_type_code: "07",
      series: "FC01",
      correlative: 3,
      issue_date: ISSUE_DATE,
      currency_code: "PEN",
      affected_document_type_code: "01",
      affected_document_number: "F777-36862",
      note_motive_code: "01",
      note_motive_description: "Anulación de la operación",
      taxable_total: 33.9,
      sales_tax_total: 6.1,
      net_total: 33.9,
      taxes_total: 6.1,
      gross_total: 40,
      legends: [{ code: 1000, value: "SON CUARENTA CON 00/100 SOLES" }],
      global_discounts: [],
      customer_information: {
        name: "Kalagreen Sac",
        document_type_code: "6",
        document_number: "20601373034",
      },
    });
    expect(note.items).toEqual([
      expect.objectContaining({
        name: "Plan Crece Mensual - Costo fijo (Del 27/03/22 al 27/04/22)",
        sunat_product_code: "7123123",
        unit: "ZZ",
        quantity: 1,
        sales_tax_code: "10",
        net_total: 33.9,
        sales_tax_total: 6.1,
        gross_total: 40,
      }),
    ]);
    expect(allocation).toEqual({
      affected_document_number: "F777-36862",
      gross_total: "40.00",
      lines: [{ line: 0, quantity: "1", net: "33.90", igv: "6.10", plastic: "0.00", free: "0.00" }],
    });
  });

  it("09 of 10.00, then 06 for the rest: 8.47 + 1.53, then 25.43 + 4.57; together the receipt", () => {
    const partial = noteOf(seedReceiptObject(), {
      orderId: 796,
      motive: "09",
      scope: { kind: "amount", amount: "10.00", currency_code: "PEN" },
    });
    expect(partial.note).toMatchObject({
      note_motive_description: "Disminución en el valor",
      gross_total: 10,
    });
    expect(partial.note.items[0]).toMatchObject({ quantity: 1, net_total: 8.47, sales_tax_total: 1.53 });
    const rest = noteOf(seedReceiptObject(), {
      orderId: 796,
      motive: "06",
      alreadyCredited: [partial.allocation],
    });
    expect(rest.note).toMatchObject({ note_motive_description: "Devolución total", gross_total: 30 });
    expect(rest.note.items[0]).toMatchObject({ quantity: 1, net_total: 25.43, sales_tax_total: 4.57 });
    expect(
      problemsOf(seedReceiptObject(), {
        orderId: 796,
        alreadyCredited: [partial.allocation, rest.allocation],
      }),
    ).toEqual([expect.objectContaining({ rule: "nothing_left_to_credit" })]);
  });
});

describe("a note on a receipt this product built (the body it POSTed)", () => {
  const built = buildReceipt(fixtureOrder("factura-discounts-shipping"), store, { correlative: 41 });
  if (!built.ok) throw new Error("fixture refused");
  const receipt = built.receipt;

  it("the whole remainder equals the receipt's totals; the order discount is spread over the products only", () => {
    const { note, allocation } = noteOf(receipt, { motive: "06" });
    expect(note).toMatchObject({
      order_id: receipt.order_id,
      affected_document_number: "F001-41",
      taxable_total: receipt.taxable_total,
      sales_tax_total: receipt.sales_tax_total,
      gross_total: receipt.gross_total,
      free_total: receipt.free_total,
      free_sales_tax_total: receipt.free_sales_tax_total,
      global_discounts_net_total: 0,
    });
    expect(note.legends.map((legend) => legend.code)).toEqual([1000, 1002]);
    expect(note.items.map((item) => item.sales_tax_code)).toEqual(
      receipt.items.map((item) => item.sales_tax_code),
    );
    // The shipping line took no part of the order discount (as in the sale builder): it credits what was charged.
    const shipping = note.items.at(-1);
    expect(shipping).toMatchObject({
      name: "Servicio de envío",
      unit: "ZZ",
      net_total: 8.47,
      gross_total: 10,
    });
    expect(allocation.gross_total).toBe(receipt.gross_total.toFixed(2));
  });

  it("a Boleta note goes in the B series; the series are the store's", () => {
    const boleta = buildReceipt(fixtureOrder("boleta-dni-discounts"), store, { correlative: 9 });
    if (!boleta.ok) throw new Error("fixture refused");
    expect(noteOf(boleta.receipt, {}).note).toMatchObject({
      series: "BC01",
      affected_document_number: "B001-9",
    });
    const custom = { ...store, series: { ...store.series, credit_ticket: "BN07" } };
    expect(noteOf(boleta.receipt, {}, custom).note.series).toBe("BN07");
  });
});

describe("a receipt with every family a note mirrors (10, 20, 30, a 21 gift, ICBPER, a global discount)", () => {
  it("01: each line mirrors its Catálogo 07 code; totals are the receipt's", () => {
    const { note } = noteOf(mixedReceiptObject(), {});
    expect(note.items.map((item) => [item.name, item.sales_tax_code, item.unit])).toEqual([
      ["Polo", "10", "NIU"],
      ["Libro", "20", "NIU"],
      ["Manzanas", "30", "KGM"],
      ["Libro de regalo", "21", "NIU"],
      ["Bolsa", "10", "NIU"],
    ]);
    expect(figures(note)).toEqual({
      taxable: 76.45,
      exempt: 50,
      unaffected: 30,
      igv: 13.75,
      taxes: 14.75,
      gross: 171.2,
    });
    expect(note).toMatchObject({ series: "BC01", affected_document_type_code: "03", free_total: 12 });
    // An exonerated gift owes no IGV; its legend 1002 is there.
    expect(note.free_sales_tax_total).toBe(0);
    expect(note.legends.map((legend) => legend.code)).toEqual([1000, 1002]);
    // The global discount (8.47 + 1.53) is spread over the two gravado lines by their net and IGV.
    expect(note.items[0]).toMatchObject({ net_total: 76.3, sales_tax_total: 13.72, gross_total: 90.02 });
    expect(note.items[4]).toMatchObject({
      net_total: 0.15,
      sales_tax_total: 0.03,
      plastic_tax_total: 1,
      plastic_tax_factor: 0.5,
    });
    // Exonerated and unaffected lines carry no IGV and no taxable total (as the receipt's do).
    expect(note.items[1]).toMatchObject({ net_total: 50, sales_tax_total: 0, taxable_total: 0 });
  });

  it("09 of 50.00: spread over the charged lines by what is left of each, in cents that add up", () => {
    const { note, allocation } = noteOf(mixedReceiptObject(), {
      motive: "09",
      scope: { kind: "amount", amount: 50 },
    });
    expect(note.gross_total).toBe(50);
    expect(note.items.map((item) => [item.name, item.gross_total])).toEqual([
      ["Polo", 26.45],
      ["Libro", 14.69],
      ["Manzanas", 8.81],
      ["Bolsa", 0.05],
    ]);
    expect(note.items[0]).toMatchObject({ quantity: 1, net_total: 22.42, sales_tax_total: 4.03 });
    expect(note.items[3]).toMatchObject({ net_total: 0.04, sales_tax_total: 0.01, plastic_tax_total: null });
    expect(figures(note)).toEqual({
      taxable: 22.46,
      exempt: 14.69,
      unaffected: 8.81,
      igv: 4.04,
      taxes: 4.04,
      gross: 50,
    });
    expect(allocation.lines.every((line) => line.quantity === "0")).toBe(true);
  });

  it("07 item by item: half the units credit half of what is left; the last units take exactly the rest", () => {
    const first = noteOf(mixedReceiptObject(), {
      motive: "07",
      scope: {
        kind: "lines",
        lines: [
          { line: 0, quantity: 1 },
          { line: 4, quantity: "1" },
        ],
      },
    });
    expect(first.note.note_motive_description).toBe("Devolución por ítem");
    expect(first.note.items).toEqual([
      expect.objectContaining({ name: "Polo", quantity: 1, net_total: 38.15, sales_tax_total: 6.86 }),
      expect.objectContaining({
        name: "Bolsa",
        quantity: 1,
        net_total: 0.08,
        sales_tax_total: 0.02,
        plastic_tax_total: 0.5,
      }),
    ]);
    const second = noteOf(mixedReceiptObject(), {
      motive: "07",
      scope: { kind: "lines", lines: [{ line: 0 }, { line: 4 }] },
      alreadyCredited: [first.allocation],
    });
    expect(second.note.items).toEqual([
      expect.objectContaining({ name: "Polo", quantity: 1, net_total: 38.15, sales_tax_total: 6.86 }),
      expect.objectContaining({
        name: "Bolsa",
        quantity: 1,
        net_total: 0.07,
        sales_tax_total: 0.01,
        plastic_tax_total: 0.5,
      }),
    ]);
    // What is left is what the receipt has on its other lines.
    const rest = noteOf(mixedReceiptObject(), {
      motive: "01",
      alreadyCredited: [first.allocation, second.allocation],
    });
    expect(rest.note.items.map((item) => item.name)).toEqual(["Libro", "Manzanas", "Libro de regalo"]);
    const total = [first, second, rest].reduce((acc, { note }) => acc.plus(note.gross_total), new D(0));
    expect(total.toNumber()).toBe(171.2);
  });

  it("an amount that would take part of the bags' ICBPER is refused; everything left is accepted", () => {
    expect(
      problemsOf(mixedReceiptObject(), { motive: "09", scope: { kind: "amount", amount: "170.21" } }),
    ).toEqual([expect.objectContaining({ field: "scope.amount", rule: "amount_exceeds_creditable_value" })]);
    const all = noteOf(mixedReceiptObject(), { motive: "09", scope: { kind: "amount", amount: "171.20" } });
    // Everything left is the whole remainder, the gift included.
    expect(all.note).toMatchObject({ gross_total: 171.2, taxes_total: 14.75, free_total: 12 });
  });
});

describe("the split of an amount into net and IGV", () => {
  it("is net = share / 1.18 as on a sale line, but never more net or IGV than the line has left", () => {
    // A receipt SUNAT accepted whose line carries an unusual IGV (0.10 + 1.00): the note follows the line.
    const odd = mixedReceiptObject();
    const items = odd.items as Record<string, unknown>[];
    odd.items = [
      { ...items[0], quantity: 1, net_total: 0.1, taxable_total: 0.1, sales_tax_total: 1, gross_total: 1.1 },
    ];
    Object.assign(odd, {
      global_discounts_net_total: 0,
      global_discounts_gross_total: 0,
      global_discounts: [],
      taxable_total: 0.1,
      exempt_total: 0,
      unaffected_total: 0,
      sales_tax_total: 1,
      free_total: 0,
      net_total: 0.1,
      taxes_total: 1,
      gross_total: 1.1,
    });
    const { note } = noteOf(odd, { motive: "09", scope: { kind: "amount", amount: "1.00" } });
    // 1.00 / 1.18 = 0.85 of net, but only 0.10 is left: 0.10 + 0.90.
    expect(note.items[0]).toMatchObject({ net_total: 0.1, sales_tax_total: 0.9, gross_total: 1 });
  });
});

/** One refusal: the receipt, the request, and the problem expected. */
interface RefusalCase {
  name: string;
  receipt?: unknown;
  request?: Partial<CreditNoteRequest>;
  store?: StoreConfig;
  field: string;
  rule: string;
  message?: RegExp;
}

const mixed = (change: Record<string, unknown>) => ({ ...mixedReceiptObject(), ...change });
const fullAllocation = (): CreditAllocation => noteOf(mixedReceiptObject(), {}).allocation;

const refusals: RefusalCase[] = [
  // --- motive (Catálogo 09) and scope
  {
    name: "a motive outside Catálogo 09",
    request: { motive: "99" },
    field: "motive",
    rule: "motive_catalog",
  },
  {
    name: "a Catálogo 09 motive this product does not issue (04 Descuento global)",
    request: { motive: "04" },
    field: "motive",
    rule: "motive_not_supported",
    message: /Descuento global/,
  },
  {
    name: "06 Devolución total for an amount",
    request: { motive: "06", scope: { kind: "amount", amount: "5.00" } },
    field: "scope",
    rule: "motive_scope_mismatch",
  },
  {
    name: "09 for the whole remainder",
    request: { motive: "09" },
    field: "scope",
    rule: "motive_scope_mismatch",
  },
  {
    name: "07 for an amount",
    request: { motive: "07", scope: { kind: "amount", amount: "5.00" } },
    field: "scope",
    rule: "motive_scope_mismatch",
  },
  // --- date, number, series
  {
    name: "an issue date that does not exist",
    request: { issueDate: "2024-02-30" },
    field: "issueDate",
    rule: "issue_date",
  },
  {
    name: "an issue date before the receipt's",
    request: { issueDate: "2024-03-09" },
    field: "issueDate",
    rule: "issue_date_before_receipt",
    message: /2024-03-09.*2024-03-10/,
  },
  { name: "correlative 0", request: { correlative: 0 }, field: "correlative", rule: "correlative_format" },
  {
    name: "a note series on a Boleta that is not a B series (SUNAT 2399)",
    store: { ...store, series: { ...store.series, credit_ticket: "FC01" } },
    field: "series.credit_ticket",
    rule: "series_format",
  },
  // --- the affected receipt
  {
    name: "a receipt SUNAT did not accept",
    receipt: mixed({ sunat_accepted: 0 }),
    field: "receipt.sunat_accepted",
    rule: "receipt_not_accepted",
  },
  {
    name: "a revoked receipt",
    receipt: mixed({ sunat_revoked: 1 }),
    field: "receipt.sunat_revoked",
    rule: "receipt_revoked",
  },
  {
    name: "a receipt of another store",
    receipt: mixed({ store_id: 4 }),
    field: "receipt.store_id",
    rule: "store_mismatch",
  },
  {
    name: "a receipt of another issuer",
    receipt: mixed({ vendor_information: { document_number: "20601373034" } }),
    field: "receipt.vendor_information.document_number",
    rule: "vendor_mismatch",
  },
  {
    name: "a note on a note",
    receipt: mixed({ document_type_code: "07" }),
    field: "receipt.document_type_code",
    rule: "affected_document_type",
  },
  {
    name: "a receipt in EUR",
    receipt: mixed({ currency_code: "EUR" }),
    field: "receipt.currency_code",
    rule: "currency",
  },
  {
    name: "a receipt with advances",
    receipt: mixed({ advances_total: 10 }),
    field: "receipt.advances_total",
    rule: "charges_not_supported",
  },
  {
    name: "a receipt of an export operation",
    receipt: mixed({ operation_code: "0200" }),
    field: "receipt.operation_code",
    rule: "operation_not_supported",
  },
  {
    name: "an IVAP line (Catálogo 07 code 17)",
    receipt: (() => {
      const receipt = mixedReceiptObject();
      (receipt.items as Record<string, unknown>[])[0] = {
        ...(receipt.items as Record<string, unknown>[])[0],
        sales_tax_code: "17",
      };
      return receipt;
    })(),
    field: "receipt.items[0].sales_tax_code",
    rule: "tax_code_not_supported",
  },
  {
    name: "a receipt whose total is not its lines",
    receipt: mixed({ gross_total: 171.21 }),
    field: "receipt.gross_total",
    rule: "receipt_totals_inconsistent",
    message: /171\.21.*171\.20/,
  },
  {
    name: "a line whose value and IGV do not make its total",
    receipt: (() => {
      const receipt = mixedReceiptObject();
      const items = receipt.items as Record<string, unknown>[];
      items[0] = { ...items[0], gross_total: 100.01 };
      return receipt;
    })(),
    field: "receipt.items[0]",
    rule: "receipt_line_inconsistent",
  },
  {
    name: "the body POSTed without its reserved number",
    receipt: mixed({ document_number: null, correlative: null }),
    field: "receipt.document_number",
    rule: "affected_document_number_unknown",
  },
  {
    name: "a receipt number with leading zeros (SUNAT 2117)",
    receipt: mixed({ document_number: "B001-055" }),
    field: "receipt.document_number",
    rule: "affected_document_number_format",
  },
  {
    name: "a Boleta number in an F series (SUNAT 2117)",
    receipt: mixed({ document_number: "F001-55" }),
    field: "receipt.document_number",
    rule: "affected_document_number_format",
  },
  {
    name: "a receipt without items",
    receipt: mixed({ items: [] }),
    field: "receipt.items",
    rule: "schema",
  },
  {
    name: "no order to attach the note to",
    receipt: seedReceiptObject(),
    request: { issueDate: "2022-04-01" },
    field: "orderId",
    rule: "order_id_required",
  },
  {
    name: "a customer name longer than a note admits (SUNAT 2022 for notes: 1,000)",
    receipt: mixed({
      customer_information: { name: "N".repeat(1001), document_type: "dni", document_number: "48765432" },
    }),
    field: "receipt.customer_information.name",
    rule: "customer_name_length",
  },
  // --- what to credit
  {
    name: "nothing left after a full note",
    request: { alreadyCredited: [fullAllocation()] },
    field: "scope",
    rule: "nothing_left_to_credit",
  },
  {
    name: "an amount of zero",
    request: { motive: "09", scope: { kind: "amount", amount: "0.00" } },
    field: "scope.amount",
    rule: "zero_amount",
  },
  {
    name: "a negative amount",
    request: { motive: "09", scope: { kind: "amount", amount: "-5" } },
    field: "scope.amount",
    rule: "amount_format",
  },
  {
    name: "an amount with 3 decimals",
    request: { motive: "09", scope: { kind: "amount", amount: "10.001" } },
    field: "scope.amount",
    rule: "amount_format",
  },
  {
    name: "more than the receipt's gross_total",
    request: { motive: "09", scope: { kind: "amount", amount: "171.21" } },
    field: "scope.amount",
    rule: "credit_exceeds_receipt",
    message: /171\.21.*171\.20/,
  },
  {
    name: "more than what is left after earlier notes",
    request: {
      motive: "09",
      scope: { kind: "amount", amount: "100.00" },
      alreadyCredited: [
        noteOf(mixedReceiptObject(), { motive: "09", scope: { kind: "amount", amount: "80" } }).allocation,
      ],
    },
    field: "scope.amount",
    rule: "credit_exceeds_receipt",
    message: /100\.00.*91\.20/,
  },
  {
    name: "a refund in another currency",
    request: { motive: "09", scope: { kind: "amount", amount: "5", currency_code: "USD" } },
    field: "scope.currency_code",
    rule: "currency_mismatch",
  },
  {
    name: "a line the receipt does not have",
    request: { motive: "07", scope: { kind: "lines", lines: [{ line: 9 }] } },
    field: "scope.lines[0].line",
    rule: "line_unknown",
  },
  {
    name: "the same line twice",
    request: {
      motive: "07",
      scope: {
        kind: "lines",
        lines: [
          { line: 0, quantity: 1 },
          { line: 0, quantity: 1 },
        ],
      },
    },
    field: "scope.lines[1].line",
    rule: "line_repeated",
  },
  {
    name: "more units than were sold",
    request: { motive: "07", scope: { kind: "lines", lines: [{ line: 0, quantity: 3 }] } },
    field: "scope.lines[0].quantity",
    rule: "quantity_exceeds_remaining",
  },
  {
    name: "half a bag",
    request: { motive: "07", scope: { kind: "lines", lines: [{ line: 4, quantity: "0.5" }] } },
    field: "scope.lines[0].quantity",
    rule: "icbper_bag_quantity",
  },
  {
    name: "only the gift: a note must credit money",
    request: { motive: "07", scope: { kind: "lines", lines: [{ line: 3 }] } },
    field: "scope.lines",
    rule: "zero_amount",
  },
  {
    name: "an earlier note on another receipt",
    request: { alreadyCredited: [{ ...fullAllocation(), affected_document_number: "B001-56" }] },
    field: "alreadyCredited[0].affected_document_number",
    rule: "already_credited_other_receipt",
  },
  {
    name: "an earlier note whose lines do not add up to its total",
    request: { alreadyCredited: [{ ...fullAllocation(), gross_total: "1.00" }] },
    field: "alreadyCredited[0].gross_total",
    rule: "already_credited_format",
  },
  {
    name: "earlier notes that credit more than a line holds",
    request: { alreadyCredited: [fullAllocation(), fullAllocation()] },
    field: "alreadyCredited",
    rule: "already_credited_exceeds",
  },
];

describe("credit note refusals: each rule on its own", () => {
  it.each(refusals)("$name", ({ receipt, request, store: storeConfig, field, rule, message }) => {
    const problems = problemsOf(receipt ?? mixedReceiptObject(), request ?? {}, storeConfig ?? store);
    expect(problems.map((problem) => [problem.field, problem.rule])).toContainEqual([field, rule]);
    if (message) expect(problems.find((problem) => problem.rule === rule)?.message).toMatch(message);
  });
});
