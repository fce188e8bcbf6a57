import { describe, expect, it } from "vitest";
import {
  buildReceipt,
  icbperRate,
  type Receipt,
  type ReceiptProblem,
  ReceiptSchema,
  type StoreConfig,
} from "../../../lib/receipt";
import { demoStore, fixtureOrder } from "./helpers";

const store = demoStore();

/** A small valid Boleta order: one line of 40.00, DNI customer, paid and placed. */
function baseOrder(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 1,
    object: "order",
    currency_code: "PEN",
    payment_status: "paid",
    billing_details: {
      first_name: "Manuel",
      last_name: "Cornejo",
      document_type: "dni",
      document_number: "48765432",
      phone: 991231231,
      zip_code: 15035,
    },
    lines: [{ id: 1, name: "Grips", sku: "GRIPS", quantity: 1, price: "40.00", discounts_total: "0.00" }],
    discounts_total: 0,
    taxes_included: true,
    lines_total: "40.00",
    subtotal: "40.00",
    shipping_total: 0,
    total: "40.00",
    placed: "2022-03-27T17:30:18.000Z",
    ...overrides,
  };
}

function receiptOf(order: unknown, storeConfig: StoreConfig = store, options = {}): Receipt {
  const result = buildReceipt(order, storeConfig, options);
  if (!result.ok) throw new Error(`unexpected problems: ${JSON.stringify(result.problems)}`);
  expect(ReceiptSchema.safeParse(result.receipt).success).toBe(true);
  return result.receipt;
}

function problemsOf(order: unknown, storeConfig: StoreConfig = store, options = {}): ReceiptProblem[] {
  const result = buildReceipt(order, storeConfig, options);
  if (result.ok) throw new Error("expected the order to be refused");
  for (const problem of result.problems) expect(problem.message.length).toBeGreaterThan(10);
  return result.problems;
}

const rules = (problems: ReceiptProblem[]) => problems.map((p) => p.rule);

describe("the seed's accepted Factura F777-36862", () => {
  it("gross 40.00 → net 33.90, IGV 6.10, SON CUARENTA CON 00/100 SOLES", () => {
    const receipt = receiptOf(fixtureOrder("factura-ruc-20601373034"));
    expect(receipt).toMatchObject({
      document_type_code: "01",
      series: "F001",
      currency_code: "PEN",
      operation_code: "0101",
      items_net_total: 33.9,
      taxable_total: 33.9,
      sales_tax_total: 6.1,
      net_total: 33.9,
      taxes_total: 6.1,
      gross_total: 40,
      free_total: 0,
      legends: [{ code: 1000, value: "SON CUARENTA CON 00/100 SOLES" }],
      issue_date: "2022-03-27",
      global_discounts: [],
    });
    expect(receipt.items).toEqual([
      expect.objectContaining({
        unit: "NIU",
        quantity: 1,
        sales_tax_rate: 18,
        sales_tax_code: "10",
        net_unit_price: 33.9,
        net_subtotal: 33.9,
        net_total: 33.9,
        taxable_total: 33.9,
        sales_tax_total: 6.1,
        gross_unit_price: 40,
        gross_subtotal: 40,
        gross_total: 40,
        sunat_product_code: "7123123",
      }),
    ]);
    expect(receipt.customer_information).toMatchObject({
      name: "Kalagreen Sac",
      document_type: "ruc",
      document_type_code: "6",
      document_number: "20601373034",
      phone: "990056284",
    });
    expect(receipt.vendor_information).toMatchObject({
      name: "YUCA E.I.R.L.",
      document_number: "20601009171",
    });
  });
});

describe("the seed's own order example (does not add up)", () => {
  it("is refused, each failing relation named with both figures", () => {
    const problems = problemsOf(fixtureOrder("seed-order-32203"));
    expect(problems).toEqual([
      expect.objectContaining({ field: "lines_total", rule: "lines_total_sum" }),
      expect.objectContaining({ field: "subtotal", rule: "subtotal_relation" }),
      expect.objectContaining({ field: "total", rule: "total_mismatch" }),
    ]);
    expect(problems[0]?.message).toMatch(/300\.00.*180\.00/);
    expect(problems[1]?.message).toMatch(/30\.00.*200\.00/);
    expect(problems[2]?.message).toMatch(/80\.00.*30\.00/);
  });
});

describe("corrected fixtures", () => {
  it("Boleta with DNI, a line discount and an order discount (the seed order, fixed)", () => {
    const receipt = receiptOf(fixtureOrder("boleta-dni-discounts"));
    expect(receipt).toMatchObject({
      document_type_code: "03",
      series: "B001",
      issue_date: "2021-03-29",
      items_net_total: 152.54,
      global_discounts_net_total: 84.75,
      global_discounts_gross_total: 100,
      taxable_total: 67.79,
      sales_tax_total: 12.21,
      gross_total: 80,
      legends: [{ code: 1000, value: "SON OCHENTA CON 00/100 SOLES" }],
      customer_information: expect.objectContaining({
        name: "Manuel Cornejo",
        document_type_code: "1",
        zip_code: "15035",
      }),
    });
    expect(receipt.items[0]).toMatchObject({
      quantity: 3,
      gross_unit_price: 100,
      gross_subtotal: 300,
      gross_discounts_total: 120,
      gross_total: 180,
      net_subtotal: 254.24,
      net_discounts_total: 101.7,
      net_total: 152.54,
      sales_tax_total: 27.46,
      discounts: [
        {
          code: "00",
          net_base: 254.24,
          gross_base: 300,
          percentage: 40.00157,
          net_amount: 101.7,
          gross_amount: 120,
        },
      ],
    });
    expect(receipt.global_discounts).toEqual([
      {
        code: "02",
        net_base: 152.54,
        gross_base: 180,
        percentage: 55.5592,
        net_amount: 84.75,
        gross_amount: 100,
      },
    ]);
  });

  it("Factura with line and order discounts, shipping less its discount, and a free line", () => {
    const receipt = receiptOf(fixtureOrder("factura-discounts-shipping"));
    expect(receipt).toMatchObject({
      document_type_code: "01",
      issue_date: "2023-12-31",
      items_net_total: 279.49,
      global_discounts_net_total: 8.47,
      taxable_total: 271.02,
      sales_tax_total: 48.78,
      gross_total: 319.8,
      free_total: 21.19,
      free_sales_tax_total: 3.81,
    });
    expect(receipt.legends).toEqual([
      { code: 1000, value: "SON TRESCIENTOS DIECINUEVE CON 80/100 SOLES" },
      { code: 1002, value: "TRANSFERENCIA GRATUITA DE UN BIEN Y/O SERVICIO PRESTADO GRATUITAMENTE" },
    ]);
    const shipping = receipt.items.at(-1);
    expect(shipping).toMatchObject({
      name: "Servicio de envío",
      unit: "ZZ",
      sunat_product_code: "78102203",
      gross_unit_price: 15,
      gross_discounts_total: 5,
      gross_total: 10,
      net_total: 8.47,
      sales_tax_total: 1.53,
    });
    const free = receipt.items[2];
    expect(free).toMatchObject({
      sales_tax_code: "15",
      gross_total: 0,
      free_unit_price: 21.19,
      free_total: 21.19,
    });
    // A line without sunat_product_code gets the store's default.
    expect(receipt.items[1]?.sunat_product_code).toBe(store.default_sunat_product_code);
  });

  it("USD Boleta without identity, with plastic bags (ICBPER 0.50 in 2023)", () => {
    const receipt = receiptOf(fixtureOrder("boleta-usd-bags"));
    expect(receipt).toMatchObject({
      currency_code: "USD",
      document_type_code: "03",
      taxable_total: 21.36,
      sales_tax_total: 3.84,
      taxes_total: 4.84,
      gross_total: 26.2,
      legends: [{ code: 1000, value: "SON VEINTISÉIS CON 20/100 DÓLARES AMERICANOS" }],
      customer_information: expect.objectContaining({
        document_type: "-",
        document_type_code: "-",
        document_number: "-",
      }),
    });
    expect(receipt.items[1]).toMatchObject({
      sku: "BOLSA-PLASTICO",
      quantity: 2,
      plastic_tax_factor: 0.5,
      plastic_tax_total: 1,
      gross_total: 0.2,
      net_total: 0.17,
      sales_tax_total: 0.03,
    });
  });
});

describe("document type", () => {
  it("receipt_type decides: ticket → Boleta even for a RUC customer", () => {
    const order = baseOrder({
      billing_details: {
        company: "Kalagreen Sac",
        document_type: "ruc",
        document_number: "20601373034",
        receipt_type: "ticket",
      },
    });
    expect(receiptOf(order)).toMatchObject({ document_type_code: "03", series: "B001" });
  });
  it("absent receipt_type: a RUC customer gets a Factura", () => {
    const order = baseOrder({
      billing_details: { company: "Kalagreen Sac", document_type: "ruc", document_number: "20601373034" },
    });
    expect(receiptOf(order)).toMatchObject({ document_type_code: "01", series: "F001" });
  });
  it("absent receipt_type: anyone else gets a Boleta", () => {
    expect(receiptOf(baseOrder())).toMatchObject({ document_type_code: "03", series: "B001" });
    expect(receiptOf(baseOrder({ billing_details: null }))).toMatchObject({
      document_type_code: "03",
      customer_information: expect.objectContaining({ name: "CLIENTES VARIOS", document_type_code: "-" }),
    });
  });
  it.each([
    ["ruc", "6", "20601373034"],
    ["dni", "1", "48765432"],
    ["ce", "4", "X1234567"],
    ["passport", "7", "AB123456"],
    ["cdi", "A", "123456"],
    ["nd", "0", "ND-1"],
    ["dnind", "B", "98765"],
    ["tin", "C", "TIN123"],
    ["in", "D", "IN123"],
    ["tam", "E", "TAM123"],
  ])("Catálogo 06: %s → %s", (type, code, number) => {
    const order = baseOrder({
      billing_details: {
        first_name: "Ana",
        company: "Empresa",
        document_type: type,
        document_number: number,
        receipt_type: "ticket",
      },
    });
    expect(receiptOf(order).customer_information).toMatchObject({
      document_type: type,
      document_type_code: code,
    });
  });
});

describe("refusals: each rule on its own", () => {
  it("Factura without a RUC customer", () => {
    const order = baseOrder({
      billing_details: {
        first_name: "Ana",
        document_type: "dni",
        document_number: "48765432",
        receipt_type: "invoice",
      },
    });
    expect(problemsOf(order)).toEqual([
      expect.objectContaining({ field: "billing_details.document_type", rule: "invoice_requires_ruc" }),
    ]);
  });
  it("Factura with a RUC whose check digit is wrong", () => {
    const order = baseOrder({
      billing_details: {
        company: "X SAC",
        document_type: "ruc",
        document_number: "20601373035",
        receipt_type: "invoice",
      },
    });
    const problems = problemsOf(order);
    expect(problems).toEqual([
      expect.objectContaining({ field: "billing_details.document_number", rule: "ruc_invalid" }),
    ]);
    expect(problems[0]?.message).not.toContain("20601373035");
  });
  it("Factura with a RUC of 10 digits", () => {
    const order = baseOrder({
      billing_details: {
        company: "X SAC",
        document_type: "ruc",
        document_number: "2060137303",
        receipt_type: "invoice",
      },
    });
    expect(rules(problemsOf(order))).toEqual(["ruc_invalid"]);
  });
  it("Factura with a RUC but no name", () => {
    const order = baseOrder({
      billing_details: { document_type: "ruc", document_number: "20601373034", receipt_type: "invoice" },
    });
    expect(rules(problemsOf(order))).toEqual(["customer_name_required"]);
  });
  it("DNI that is not 8 digits", () => {
    const order = baseOrder({
      billing_details: { first_name: "Ana", document_type: "dni", document_number: 4876543 },
    });
    expect(problemsOf(order)).toEqual([
      expect.objectContaining({ field: "billing_details.document_number", rule: "dni_invalid" }),
    ]);
  });
  it("other document not 1–15 alphanumerics or '-'", () => {
    const order = baseOrder({
      billing_details: { first_name: "Ana", document_type: "passport", document_number: "AB 123/45" },
    });
    expect(rules(problemsOf(order))).toEqual(["document_number_invalid"]);
  });
  it("a document type without its number", () => {
    const order = baseOrder({
      billing_details: { first_name: "Ana", document_type: "ce", document_number: null },
    });
    expect(rules(problemsOf(order))).toEqual(["document_number_required"]);
  });
  it("a document type outside Catálogo 06", () => {
    const order = baseOrder({
      billing_details: { first_name: "Ana", document_type: "licencia", document_number: "1" },
    });
    expect(problemsOf(order)).toEqual([
      expect.objectContaining({ field: "billing_details.document_type", rule: "identity_document_type" }),
    ]);
  });
  it("an unknown receipt_type", () => {
    const order = baseOrder({
      billing_details: {
        first_name: "Ana",
        document_type: "dni",
        document_number: "48765432",
        receipt_type: "nota",
      },
    });
    expect(rules(problemsOf(order))).toEqual(["receipt_type"]);
  });
  it("Boleta over S/ 700 without an identity document; 700.00 itself is fine", () => {
    const over = baseOrder({
      billing_details: { first_name: "Ana", document_type: "-" },
      lines: [{ name: "TV", quantity: 1, price: "700.01" }],
      lines_total: "700.01",
      subtotal: "700.01",
      total: "700.01",
    });
    expect(problemsOf(over)).toEqual([
      expect.objectContaining({ field: "billing_details.document_type", rule: "boleta_identity_required" }),
    ]);
    const at = {
      ...over,
      lines: [{ name: "TV", quantity: 1, price: "700.00" }],
      lines_total: 700,
      subtotal: 700,
      total: 700,
    };
    expect(receiptOf(at).gross_total).toBe(700);
  });
  it("Boleta in USD over the store's USD threshold without identity", () => {
    const order = baseOrder({
      currency_code: "USD",
      billing_details: null,
      lines: [{ name: "TV", quantity: 1, price: "175.01" }],
      lines_total: null,
      subtotal: null,
      total: "175.01",
    });
    expect(rules(problemsOf(order))).toEqual(["boleta_identity_required"]);
  });
  it("no lines", () => {
    expect(problemsOf(baseOrder({ lines: [], lines_total: 0, subtotal: 0, total: 0 }))).toEqual([
      expect.objectContaining({ field: "lines", rule: "no_lines" }),
    ]);
  });
  it("quantity ≤ 0", () => {
    const problems = problemsOf(baseOrder({ lines: [{ name: "Grips", quantity: 0, price: "40.00" }] }));
    expect(problems).toContainEqual(
      expect.objectContaining({ field: "lines[0].quantity", rule: "quantity_positive" }),
    );
    const negative = problemsOf(baseOrder({ lines: [{ name: "Grips", quantity: -1, price: "40.00" }] }));
    expect(negative).toContainEqual(
      expect.objectContaining({ field: "lines[0].quantity", rule: "quantity_positive" }),
    );
  });
  it("negative price", () => {
    const problems = problemsOf(baseOrder({ lines: [{ name: "Grips", quantity: 1, price: "-40.00" }] }));
    expect(problems).toContainEqual(
      expect.objectContaining({ field: "lines[0].price", rule: "price_negative" }),
    );
  });
  it("negative line discount", () => {
    const problems = problemsOf(
      baseOrder({ lines: [{ name: "Grips", quantity: 1, price: "40.00", discounts_total: "-1" }] }),
    );
    expect(problems).toContainEqual(
      expect.objectContaining({ field: "lines[0].discounts_total", rule: "discount_negative" }),
    );
  });
  it("line discount above the line subtotal", () => {
    const problems = problemsOf(
      baseOrder({ lines: [{ name: "Grips", quantity: 1, price: "40.00", discounts_total: "41" }] }),
    );
    expect(problems).toContainEqual(
      expect.objectContaining({ field: "lines[0].discounts_total", rule: "line_discount_exceeds" }),
    );
  });
  it("a line whose value rounds to 0.00 (no reference value for a free line)", () => {
    const order = baseOrder({
      lines: [...(baseOrder().lines as unknown[]), { name: "Regalo", quantity: 1, price: 0 }],
    });
    expect(rules(problemsOf(order))).toEqual(["free_line_reference_value"]);
  });
  it("a line with neither name nor SKU", () => {
    expect(rules(problemsOf(baseOrder({ lines: [{ quantity: 1, price: "40.00" }] })))).toEqual(["line_name"]);
  });
  it("malformed Factura series in the store", () => {
    const bad = { ...store, series: { invoice: "F-01", ticket: "B001" } };
    const order = baseOrder({
      billing_details: { company: "K SAC", document_type: "ruc", document_number: "20601373034" },
    });
    expect(problemsOf(order, bad)).toEqual([
      expect.objectContaining({ field: "series.invoice", rule: "series_format" }),
    ]);
  });
  it("malformed Boleta series in the store; 4-digit contingency series are accepted", () => {
    expect(rules(problemsOf(baseOrder(), { ...store, series: { invoice: "F001", ticket: "F001" } }))).toEqual(
      ["series_format"],
    );
    expect(rules(problemsOf(baseOrder(), { ...store, series: { invoice: "F001", ticket: "B01" } }))).toEqual([
      "series_format",
    ]);
    expect(receiptOf(baseOrder(), { ...store, series: { invoice: "F001", ticket: "0001" } }).series).toBe(
      "0001",
    );
  });
  it("a correlative that is not 1–8 digits", () => {
    expect(rules(problemsOf(baseOrder(), store, { correlative: 0 }))).toEqual(["correlative_format"]);
    expect(rules(problemsOf(baseOrder(), store, { correlative: 100_000_000 }))).toEqual([
      "correlative_format",
    ]);
    expect(receiptOf(baseOrder(), store, { correlative: 12 }).correlative).toBe(12);
  });
  it("line subtotal ≠ price × quantity", () => {
    const order = baseOrder({ lines: [{ name: "Grips", quantity: 2, price: "20.00", subtotal: "41.00" }] });
    expect(problemsOf(order)).toEqual([
      expect.objectContaining({ field: "lines[0].subtotal", rule: "line_subtotal" }),
    ]);
  });
  it("line total ≠ subtotal − discounts_total", () => {
    const order = baseOrder({
      lines: [{ name: "Grips", quantity: 1, price: "45.00", discounts_total: "5", total: "41.00" }],
    });
    expect(problemsOf(order)).toEqual([
      expect.objectContaining({ field: "lines[0].total", rule: "line_total" }),
    ]);
  });
  it("line discounts_total ≠ Σ discount_allocations", () => {
    const order = baseOrder({
      lines: [
        {
          name: "Grips",
          quantity: 1,
          price: "45.00",
          discounts_total: "5",
          discount_allocations: [{ amount: "4" }],
        },
      ],
    });
    expect(rules(problemsOf(order))).toEqual(["line_discount_allocations"]);
  });
  it("lines_total ≠ Σ line totals", () => {
    expect(problemsOf(baseOrder({ lines_total: "39.00", subtotal: "39.00" }))).toContainEqual(
      expect.objectContaining({ field: "lines_total", rule: "lines_total_sum" }),
    );
  });
  it("subtotal ≠ lines_total − order discounts", () => {
    const problems = problemsOf(baseOrder({ subtotal: "35.00" }));
    expect(problems).toContainEqual(
      expect.objectContaining({ field: "subtotal", rule: "subtotal_relation" }),
    );
    expect(problems.find((p) => p.rule === "subtotal_relation")?.message).toMatch(/35\.00.*40\.00/);
  });
  it("total ≠ subtotal + shipping − shipping discounts", () => {
    const problems = problemsOf(baseOrder({ shipping_total: "10.00", total: "40.00" }));
    expect(rules(problems)).toEqual(["total_relation", "total_mismatch"]);
    expect(problems[0]?.message).toMatch(/40\.00.*50\.00/);
  });
  it("total ≠ what lines, discounts and shipping add up to (both figures named)", () => {
    const problems = problemsOf(baseOrder({ lines_total: null, subtotal: null, total: "39.99" }));
    expect(problems).toEqual([expect.objectContaining({ field: "total", rule: "total_mismatch" })]);
    expect(problems[0]?.message).toContain("40.00");
    expect(problems[0]?.message).toContain("39.99");
  });
  it("shipping discount above the shipping cost", () => {
    const problems = problemsOf(
      baseOrder({ shipping_total: "5", shipping_discounts_total: "6", total: "39.00", subtotal: "40.00" }),
    );
    expect(rules(problems)).toContain("shipping_discount_exceeds");
  });
  it("negative shipping", () => {
    expect(rules(problemsOf(baseOrder({ shipping_total: "-5", total: "35.00" })))).toContain(
      "amount_negative",
    );
  });
  it("order discount above the lines' value", () => {
    const order = baseOrder({
      lines: [
        { name: "Grips", quantity: 1, price: "40.00" },
        { name: "Regalo", quantity: 1, price: "10.00", discounts_total: "10.00" },
      ],
      discounts_total: "45.00",
      lines_total: "40.00",
      subtotal: "-5.00",
      shipping_total: "10.00",
      total: "5.00",
    });
    expect(rules(problemsOf(order))).toEqual(["order_discount_exceeds"]);
  });
  it("plastic bags whose price does not cover the ICBPER", () => {
    const order = baseOrder({
      lines: [{ name: "Bolsa", sku: "BOLSA-PLASTICO", quantity: 2, price: "0.20" }],
      lines_total: "0.40",
      subtotal: "0.40",
      total: "0.40",
    });
    expect(problemsOf(order)).toEqual([
      expect.objectContaining({ field: "lines[0].price", rule: "icbper_not_charged" }),
    ]);
  });
  it("a fractional number of bags", () => {
    const order = baseOrder({
      lines: [{ name: "Bolsa", sku: "BOLSA-PLASTICO", quantity: 1.5, price: "1.00" }],
      lines_total: 1.5,
      subtotal: 1.5,
      total: 1.5,
    });
    expect(rules(problemsOf(order))).toEqual(["icbper_bag_quantity"]);
  });
  it("an unsupported currency", () => {
    expect(problemsOf(baseOrder({ currency_code: "EUR" }))).toEqual([
      expect.objectContaining({ field: "currency_code", rule: "currency" }),
    ]);
  });
  it("an order of another store", () => {
    expect(rules(problemsOf(baseOrder({ store_id: 4 })))).toEqual(["store_mismatch"]);
  });
  it("no date to issue from, or a malformed issue date", () => {
    expect(rules(problemsOf(baseOrder({ placed: null, created: null })))).toEqual(["issue_date"]);
    expect(rules(problemsOf(baseOrder({ placed: "ayer" })))).toEqual(["issue_date"]);
    expect(rules(problemsOf(baseOrder(), store, { issueDate: "2024-02-30" }))).toEqual(["issue_date"]);
  });
  it("a payload of the wrong shape: field and rule named", () => {
    const problems = problemsOf({ id: 1, currency_code: "PEN", lines: [{ quantity: "tres", price: "1" }] });
    expect(problems).toContainEqual(expect.objectContaining({ field: "lines[0].quantity", rule: "schema" }));
    expect(problems).toContainEqual(expect.objectContaining({ field: "total", rule: "schema" }));
  });
  it("reports every broken rule at once", () => {
    const order = baseOrder({
      billing_details: {
        first_name: "Ana",
        document_type: "dni",
        document_number: "123",
        receipt_type: "invoice",
      },
      lines: [{ name: "Grips", quantity: 0, price: "-1" }],
    });
    expect(rules(problemsOf(order))).toEqual(
      expect.arrayContaining([
        "invoice_requires_ruc",
        "dni_invalid",
        "quantity_positive",
        "price_negative",
        "total_mismatch",
      ]),
    );
  });
});

describe("arithmetic", () => {
  it("taxes_included false: prices are net, line IGV = round(net × 0.18), net_total = order total", () => {
    const order = baseOrder({
      taxes_included: false,
      lines: [{ name: "Grips", quantity: 3, price: "10.05", discounts_total: "0.15" }],
      lines_total: "30.00",
      subtotal: "30.00",
      total: "30.00",
    });
    const receipt = receiptOf(order);
    expect(receipt.items[0]).toMatchObject({
      net_unit_price: 10.05,
      net_subtotal: 30.15,
      net_discounts_total: 0.15,
      net_total: 30,
      sales_tax_total: 5.4,
      gross_total: 35.4,
    });
    expect(receipt).toMatchObject({ net_total: 30, sales_tax_total: 5.4, gross_total: 35.4 });
    expect(receipt.legends[0]?.value).toBe("SON TREINTA Y CINCO CON 40/100 SOLES");
  });

  it("gross 0.23 → 0.19 + 0.04: the closest split (no split is within ½ cent of 18 %)", () => {
    const order = baseOrder({
      lines: [{ name: "Chicle", quantity: 1, price: "0.23" }],
      lines_total: null,
      subtotal: null,
      total: "0.23",
    });
    const item = receiptOf(order).items[0];
    expect(item).toMatchObject({ net_total: 0.19, sales_tax_total: 0.04, gross_total: 0.23 });
  });

  it("rounds half up, never through binary floats (1.005-style amounts)", () => {
    // 1.18 × 0.85 = 1.003 → gross 1.00 → 0.847457… → 0.85; and 2.01 / 1.18 = 1.70338… → 1.70.
    const order = baseOrder({
      lines: [{ name: "A", quantity: 1, price: "2.01" }],
      lines_total: null,
      subtotal: null,
      total: 2.01,
    });
    expect(receiptOf(order).items[0]).toMatchObject({ net_total: 1.7, sales_tax_total: 0.31 });
  });

  it.each([
    [2019, 0.1],
    [2020, 0.2],
    [2021, 0.3],
    [2022, 0.4],
    [2023, 0.5],
    [2026, 0.5],
  ])("ICBPER in %i is %f per bag, tax = bags × rate exactly", (year, rate) => {
    expect(icbperRate(year).toNumber()).toBe(rate);
    const order = baseOrder({
      lines: [{ name: "Bolsa", sku: "BOLSA-PLASTICO", quantity: 3, price: "1.00" }],
      lines_total: 3,
      subtotal: 3,
      total: 3,
      placed: `${year}-05-01T12:00:00Z`,
    });
    const receipt = receiptOf(order);
    expect(receipt.items[0]?.plastic_tax_total).toBeCloseTo(3 * rate, 10);
    expect(receipt.gross_total).toBe(3);
    expect(receipt.taxes_total).toBeCloseTo(receipt.sales_tax_total + 3 * rate, 10);
  });

  it("no ICBPER before 2019: the bag is an ordinary line", () => {
    const order = baseOrder({
      lines: [{ name: "Bolsa", sku: "BOLSA-PLASTICO", quantity: 3, price: "0.10" }],
      lines_total: 0.3,
      subtotal: 0.3,
      total: 0.3,
      placed: "2018-12-31T12:00:00Z",
    });
    expect(receiptOf(order).items[0]?.plastic_tax_total).toBeNull();
  });
});

describe("issue date and determinism", () => {
  it("takes placed in Peru time (UTC−5): 03:00Z on Jan 1st is still Dec 31st in Lima", () => {
    expect(receiptOf(baseOrder({ placed: "2024-01-01T03:00:00Z" })).issue_date).toBe("2023-12-31");
    expect(receiptOf(baseOrder({ placed: "2024-01-01T05:00:00Z" })).issue_date).toBe("2024-01-01");
  });
  it("falls back to created, and the caller can override", () => {
    expect(receiptOf(baseOrder({ placed: null, created: "2022-05-05T10:00:00Z" })).issue_date).toBe(
      "2022-05-05",
    );
    expect(receiptOf(baseOrder(), store, { issueDate: "2024-02-29" }).issue_date).toBe("2024-02-29");
  });
});

describe("tolerant order schema", () => {
  it("accepts amounts as numbers or strings, phone and zip as numbers, nulls and unknown fields", () => {
    const order = baseOrder({
      lines: [
        { name: "Grips", quantity: "1", price: 40, discounts_total: null, weight: null, extra: { a: 1 } },
      ],
      discount_applications: [
        { id: 1, desctiption: "typo field", value: 120.0, total_allocated: "10", target: "categories" },
      ],
      lines_total: 40,
      subtotal: "40",
      total: 40.0,
      unknown_top_level: true,
    });
    expect(receiptOf(order).gross_total).toBe(40);
  });
  it("takes the order discount from the subtotal-targeted applications when no total carries it", () => {
    const order = baseOrder({
      discounts_total: null,
      discount_applications: [{ id: 2, target: "subtotal", total_allocated: "10.00" }],
      lines_total: "40.00",
      subtotal: "30.00",
      total: "30.00",
    });
    expect(receiptOf(order)).toMatchObject({ global_discounts_gross_total: 10, gross_total: 30 });
  });
});
