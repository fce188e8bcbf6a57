import { describe, expect, it } from "vitest";
import type { AceleralaOrder } from "../../../lib/acelerala/schemas";
import { mayHaveCreditNotes } from "../../../lib/ops/order-list";
import {
  documentLabel,
  formatOrderList,
  formatStatus,
  LIST_WIDTH,
  matchesStateFilter,
  orderRow,
  STATE_LABELS,
  stateLabel,
  statusView,
} from "../../../lib/ops/receipt-view";
import { RECEIPT_STATES, type ReceiptRecord } from "../../../lib/store/receipt-record";

function record(overrides: Partial<ReceiptRecord> = {}): ReceiptRecord {
  return {
    storeId: 511,
    orderId: 1001,
    state: "ACCEPTED",
    createdAt: "2026-11-21T17:00:00.000Z",
    updatedAt: "2026-11-21T17:02:00.000Z",
    documentTypeCode: "01",
    series: "F001",
    correlative: 66,
    documentNumber: "F001-66",
    currencyCode: "PEN",
    grossTotal: "590.00",
    issueDate: "2026-11-21",
    customerDocument: "6:…816",
    receiptId: 987,
    sunatCode: "0",
    sunatMessage: "La Factura numero F001-66, ha sido aceptada",
    xmlUrl: "http://x/r.xml",
    pdfUrl: "http://x/r.pdf",
    cdrUrl: "http://x/cdr.zip",
    history: [
      { at: "2026-11-21T17:00:00.000Z", from: null, to: "RESERVED", why: "number F001-66 reserved" },
      { at: "2026-11-21T17:01:00.000Z", from: "RESERVED", to: "SUBMITTED", why: "API confirmed receipt 987" },
      { at: "2026-11-21T17:02:00.000Z", from: "SUBMITTED", to: "ACCEPTED", why: "SUNAT code 0" },
    ],
    ...overrides,
  };
}

describe("labels", () => {
  it("has a Spanish label for every receipt state", () => {
    for (const state of RECEIPT_STATES) expect(STATE_LABELS[state]).toMatch(/\S/);
    expect(stateLabel("SUBMITTED")).toBe("REGISTRADO");
    expect(stateLabel("NEEDS_ATTENTION")).toBe("ATENCIÓN");
    expect(stateLabel("STALE")).toBe("VENCIDO");
    expect(stateLabel("SOMETHING_NEW")).toBe("N/A");
    expect(stateLabel(undefined)).toBe("N/A");
  });
  it("names the document as the plugin does", () => {
    expect(documentLabel({ documentTypeCode: "01", documentNumber: "F001-66" })).toBe("Factura F001-66");
    expect(documentLabel({ documentTypeCode: "03", documentNumber: "B001-51" })).toBe("Boleta B001-51");
    expect(documentLabel({ documentTypeCode: "03" })).toBe("Boleta");
    expect(documentLabel({})).toBe("-");
    expect(documentLabel({ documentTypeCode: "07", documentNumber: "FC01-1" })).toBe(
      "Nota de crédito FC01-1",
    );
  });
  it("filters N/A as no record or SKIPPED, and every other state as itself", () => {
    expect(matchesStateFilter(undefined, "NONE")).toBe(true);
    expect(matchesStateFilter("SKIPPED", "NONE")).toBe(true);
    expect(matchesStateFilter("ACCEPTED", "NONE")).toBe(false);
    expect(matchesStateFilter(undefined, "ACCEPTED")).toBe(false);
    expect(matchesStateFilter("ACCEPTED", "ACCEPTED")).toBe(true);
    expect(matchesStateFilter(undefined, undefined)).toBe(true);
  });
});

function note(overrides: Partial<ReceiptRecord> = {}): ReceiptRecord {
  return record({
    document: "NOTE#refund-501",
    state: "ACCEPTED",
    createdAt: "2026-11-22T10:00:00.000Z",
    documentTypeCode: "07",
    series: "FC01",
    correlative: 3,
    documentNumber: "FC01-3",
    grossTotal: "100.00",
    noteMotive: "09",
    affectedDocumentNumber: "F001-66",
    noteReason: "refund transaction 501",
    sunatCode: "0",
    sunatMessage: "La Nota de crédito numero FC01-3, ha sido aceptada",
    xmlUrl: "http://x/n.xml",
    pdfUrl: "http://x/n.pdf",
    cdrUrl: "http://x/n.zip",
    history: [{ at: "2026-11-22T10:00:00.000Z", from: "NONE", to: "ACCEPTED", why: "API holds credit note" }],
    ...overrides,
  });
}

describe("statusView and formatStatus", () => {
  it("shows the receipt, its issue date, SUNAT's answer, links and the whole history, in Spanish", () => {
    const view = statusView(record());
    const json = JSON.stringify(view);
    expect(json).not.toContain("20552103816");
    expect(json).not.toContain("admin@agrolight.pe");
    const text = formatStatus(view);
    expect(text).toMatch(/^Pedido: +#1001 \(tienda 511\)$/m);
    expect(text).toMatch(/^Estado en API\/SUNAT: +ACEPTADO \(ACCEPTED\)$/m);
    expect(text).toMatch(/^Documento: +Factura F001-66 \(tipo 01\)$/m);
    expect(text).toMatch(/^Total: +S\/590\.00$/m);
    expect(text).toMatch(/^Cliente: +documento 6:…816$/m);
    expect(text).toMatch(/^Fecha de emisión: +2026-11-21$/m);
    expect(text).toMatch(/^Código SUNAT: +0$/m);
    expect(text).toMatch(/^Descripción de la respuesta: +La Factura numero F001-66, ha sido aceptada$/m);
    expect(text).toMatch(/^ {2}CDR {2}http:\/\/x\/cdr\.zip$/m);
    const history = text.slice(text.indexOf("Historial:")).split("\n").slice(1, 4);
    expect(history[0]).toMatch(/2026-11-21 12:00 {2}\(nuevo\) +→ RESERVED +number F001-66 reserved/);
    expect(history[2]).toMatch(/SUBMITTED +→ ACCEPTED +SUNAT code 0/);
    expect(text).toContain("Notas de crédito: ninguna");
    expect(text).not.toContain("20552103816");
  });
  it("gives every key in JSON, null for no value", () => {
    const view = statusView(record({ sunatCode: undefined, sunatMessage: undefined, xmlUrl: undefined }));
    const json = JSON.parse(JSON.stringify(view));
    expect(json.sunatCode).toBeNull();
    expect(json.sunatMessage).toBeNull();
    expect(json.links).toEqual({ xml: null, pdf: "http://x/r.pdf", cdr: "http://x/cdr.zip" });
    expect(json.postedAt).toBeNull();
    expect(json.burntNumbers).toEqual([]);
    expect(json.creditNotes).toEqual([]);
    expect(Object.values(json)).not.toContain("-");
  });
  it("lists problems and the last error, with customer data in free text masked", () => {
    const view = statusView(
      record({
        state: "NEEDS_ATTENTION",
        receiptId: undefined,
        sunatCode: undefined,
        sunatMessage: undefined,
        xmlUrl: undefined,
        pdfUrl: undefined,
        cdrUrl: undefined,
        problems: [
          {
            field: "customer_information.document_number",
            rule: "ruc_check_digit",
            message: "20552103817 no es un RUC válido",
          },
        ],
        lastError: "API 500 for customer admin@agrolight.pe",
      }),
    );
    const text = formatStatus(view);
    expect(text).toContain(
      "customer_information.document_number [ruc_check_digit]: 2055*****17 no es un RUC válido",
    );
    expect(text).toMatch(/^Último error: +API 500 for customer a\*\*\*@agrolight\.pe$/m);
    expect(text).toContain("Enlaces: ninguno todavía");
    expect(text).not.toContain("Código SUNAT");
  });
  it("lists the order's credit notes, oldest first, each with its motive, SUNAT answer and links", () => {
    const view = statusView(record(), [
      note({ document: "NOTE#cancel", documentNumber: "FC01-4", createdAt: "2026-11-23T10:00:00.000Z" }),
      note(),
    ]);
    expect(view.creditNotes.map((n) => n.documentNumber)).toEqual(["FC01-3", "FC01-4"]);
    expect(view.creditNotes[0]).toMatchObject({
      key: "NOTE#refund-501",
      state: "ACCEPTED",
      stateLabel: "ACEPTADO",
      document: "Nota de crédito FC01-3",
      affectedDocumentNumber: "F001-66",
      motiveCode: "09",
      motive: "Disminución en el valor",
      total: "S/100.00",
      sunatCode: "0",
      links: { xml: "http://x/n.xml", pdf: "http://x/n.pdf", cdr: "http://x/n.zip" },
    });
    const text = formatStatus(view);
    const at = text.indexOf("Nota de crédito FC01-3:");
    expect(at).toBeGreaterThan(text.indexOf("Historial:"));
    const block = text.slice(at);
    expect(block).toContain("  Modifica: F001-66");
    expect(block).toContain("  Motivo: 09 Disminución en el valor");
    expect(block).toContain(
      "  Descripción de la respuesta: La Nota de crédito numero FC01-3, ha sido aceptada",
    );
    expect(block).toMatch(/^ {4}XML {2}http:\/\/x\/n\.xml$/m);
  });
});

describe("released and taken numbers", () => {
  it("shows numbers given up and numbers other receipts hold, and a RESERVED record's pending POST", () => {
    const view = statusView(
      record({
        state: "RESERVED",
        documentNumber: "F001-70",
        postedAt: "2026-11-21T17:00:05.000Z",
        releasedNumbers: [
          {
            documentNumber: "B001-3",
            at: "2026-11-21T17:00:00.000Z",
            why: "the order now needs another series",
          },
        ],
        takenNumbers: [
          { documentNumber: "F001-69", receiptId: 5, holderOrderId: null, at: "2026-11-21T17:00:01.000Z" },
        ],
      }),
    );
    const text = formatStatus(view);
    expect(text).toMatch(
      /^Enviado: +2026-11-21 12:00 \(sin confirmar: se consulta antes de cualquier nuevo envío\)$/m,
    );
    expect(text).toContain("  B001-3: 2026-11-21 12:00, the order now needs another series");
    expect(text).toContain(
      "  F001-69: comprobante 5 de ningún pedido (hecho fuera de este sistema); visto 2026-11-21 12:00",
    );
  });
});

describe("a receipt that landed and differs, undone by cpe reissue", () => {
  it("shows the reissue under way, then what it replaced", () => {
    const asked = formatStatus(
      statusView(
        record({
          state: "NEEDS_ATTENTION",
          reissue: { receiptId: 70, documentNumber: "B001-3", motive: "02", at: "2026-11-21T17:10:00.000Z" },
        }),
      ),
    );
    expect(asked).toMatch(
      /^Reemisión en curso: +B001-3: nota de crédito de motivo 02, luego un comprobante nuevo \(pedida 2026-11-21 12:10\)$/m,
    );
    const done = statusView(
      record({
        replacedNumbers: [
          { documentNumber: "B001-3", receiptId: 70, creditNote: "BC01-1", at: "2026-11-21T17:20:00.000Z" },
        ],
      }),
    );
    expect(done.reissue).toBeNull();
    expect(done.replacedNumbers).toEqual([
      { documentNumber: "B001-3", receiptId: 70, creditNote: "BC01-1", at: "2026-11-21T17:20:00.000Z" },
    ]);
    const lines = formatStatus(done).split("\n");
    const at = lines.indexOf("Comprobantes anulados con nota de crédito y reemplazados:");
    expect(lines[at + 1]).toBe("  B001-3: comprobante 70, anulado por BC01-1; 2026-11-21 12:20");
  });
});

describe("burnt numbers (a REJECTED receipt reissued under a new number)", () => {
  const reissued = () =>
    record({
      documentNumber: "F001-67",
      burntNumbers: [
        { documentNumber: "F001-12", receiptId: 950, sunatCode: "2017", at: "2026-11-21T16:30:00.000Z" },
        { documentNumber: "F001-40", sunatCode: null, at: "2026-11-21T16:50:00.000Z" },
      ],
    });
  it("are their own field of the JSON view, oldest first, with receipt id and SUNAT code", () => {
    const view = statusView(reissued());
    expect(JSON.parse(JSON.stringify(view)).burntNumbers).toEqual([
      { documentNumber: "F001-12", receiptId: 950, sunatCode: "2017", at: "2026-11-21T16:30:00.000Z" },
      { documentNumber: "F001-40", sunatCode: null, at: "2026-11-21T16:50:00.000Z" },
    ]);
    expect(view.documentNumber).toBe("F001-67");
  });
  it("get their own block in the text, after SUNAT's answer of the current number", () => {
    const lines = formatStatus(statusView(reissued())).split("\n");
    const at = lines.indexOf("Números rechazados por SUNAT (quemados):");
    expect(at).toBeGreaterThan(lines.findIndex((line) => line.startsWith("Código SUNAT:")));
    expect(lines.slice(at + 1, at + 3)).toEqual([
      "  F001-12: comprobante 950, SUNAT 2017; reenviado 2026-11-21 11:30",
      "  F001-40: reenviado 2026-11-21 11:50",
    ]);
  });
  it("are empty in JSON and absent from the text of a receipt that never burnt one", () => {
    for (const burntNumbers of [undefined, []]) {
      const view = statusView(record({ burntNumbers }));
      expect(view.burntNumbers).toEqual([]);
      expect(formatStatus(view)).not.toContain("quemados");
    }
  });
});

/** An Acelérala order as the API lists it (a loose object): only what the listing reads. */
function order(id: number, overrides: Record<string, unknown> = {}): AceleralaOrder {
  return {
    id,
    payment_status: "paid",
    currency_code: "PEN",
    total: "118.00",
    created: "2026-11-21T15:00:00.000Z",
    placed: "2026-11-21T15:01:00.000Z",
    canceled: null,
    billing_details: {
      first_name: "Manuel",
      last_name: "Cornejo",
      company: "",
      email: "manuelcornejo@testmail.com",
      document_type: "dni",
      document_number: "48765432",
      receipt_type: "ticket",
      city: "Lima",
    },
    shipping_address: { city: "Santa Anita" },
    ...overrides,
  } as AceleralaOrder;
}

describe("the order list (cpe receipts and the console)", () => {
  it("makes a row of an order without a record: N/A, the document it asks for, the order's total", () => {
    const row = orderRow({ storeId: 511, orderId: 106, order: order(106) });
    expect(row).toMatchObject({
      orderId: 106,
      state: null,
      stateLabel: "N/A",
      document: "Boleta",
      documentTypeCode: "03",
      documentNumber: null,
      total: "118.00",
      totalLabel: "S/118.00",
      customerName: "Manuel Cornejo",
      city: "Santa Anita",
      orderStatus: "paid",
      orderStatusLabel: "Pagado",
      links: { xml: null, pdf: null, cdr: null },
      creditNotes: [],
    });
    // Never the customer's document number or e-mail.
    expect(JSON.stringify(row)).not.toMatch(/48765432|testmail/);
  });
  it("takes the receipt's figures when there is one, and the order's total when the record has none", () => {
    const accepted = orderRow({ storeId: 511, orderId: 1001, order: order(1001), record: record() });
    expect(accepted).toMatchObject({
      document: "Factura F001-66",
      stateLabel: "ACEPTADO",
      totalLabel: "S/590.00",
    });
    const flagged = orderRow({
      storeId: 511,
      orderId: 1003,
      order: order(1003, { currency_code: "USD", total: "57.00" }),
      record: record({
        state: "NEEDS_ATTENTION",
        grossTotal: undefined,
        currencyCode: undefined,
        documentNumber: undefined,
      }),
    });
    expect(flagged).toMatchObject({ stateLabel: "ATENCIÓN", document: "Factura", totalLabel: "US$57.00" });
  });
  it("names the order's own state: cancelled, not placed yet, or its payment status", () => {
    const status = (overrides: Record<string, unknown>) =>
      orderRow({ storeId: 511, orderId: 1, order: order(1, overrides) }).orderStatusLabel;
    expect(status({ canceled: "2026-11-22T00:00:00.000Z" })).toBe("Cancelado");
    expect(status({ placed: null })).toBe("Sin confirmar");
    expect(status({ payment_status: "pending" })).toBe("Pago pendiente");
    expect(status({ payment_status: "refunded" })).toBe("Devuelto");
  });
  it("a company is the customer's name; a RUC customer without receipt_type asks for a Factura", () => {
    const row = orderRow({
      storeId: 511,
      orderId: 2,
      order: order(2, {
        billing_details: {
          company: "Agrolight Perú S.A.C.",
          document_type: "ruc",
          document_number: "20552103816",
        },
        shipping_address: null,
      }),
    });
    expect(row).toMatchObject({ customerName: "Agrolight Perú S.A.C.", document: "Factura", city: null });
  });

  it("prints every order in at most 120 columns, short link labels, totals on every row, notes under their order", () => {
    const long = "Inversiones y Representaciones del Sur Oriente Peruano S.A.C.";
    const rows = [
      orderRow({ storeId: 511, orderId: 32206, order: order(32206) }),
      orderRow({
        storeId: 511,
        orderId: 32205,
        order: order(32205, { billing_details: { company: long, receipt_type: "invoice" } }),
        record: record({
          state: "NEEDS_ATTENTION",
          grossTotal: undefined,
          documentNumber: undefined,
          xmlUrl: undefined,
          pdfUrl: undefined,
          cdrUrl: undefined,
        }),
      }),
      orderRow({ storeId: 511, orderId: 32204, order: order(32204), record: record(), notes: [note()] }),
    ];
    const text = formatOrderList(rows);
    const lines = text.split("\n");
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(LIST_WIDTH);
    expect(lines[0]).toMatch(
      /^Pedido +Fecha +Cliente +Ciudad +Estado +Tipo de documento +API\/SUNAT +Total +Enlaces$/,
    );
    expect(lines[1]).toMatch(
      /^#32206 +2026-11-21 +Manuel Cornejo +Santa Anita +Pagado +Boleta +N\/A +S\/118\.00 +-$/,
    );
    expect(lines[2]).toMatch(
      /^#32205 +2026-11-21 +Inversiones y .*… +Santa Anita +Pagado +Factura +ATENCIÓN +S\/118\.00 +-$/,
    );
    expect(lines[3]).toMatch(/^#32204 .* Factura F001-66 +ACEPTADO +S\/590\.00 +XML PDF CDR$/);
    expect(lines[4]).toMatch(/^ +└ NC FC01-3 +ACEPTADO +S\/100\.00 +XML PDF CDR$/);
    expect(text).not.toContain("http://");
  });
  it("makes the link labels terminal hyperlinks when asked", () => {
    const text = formatOrderList(
      [orderRow({ storeId: 511, orderId: 1, order: order(1), record: record() })],
      {
        hyperlinks: true,
      },
    );
    expect(text).toContain("\u001b]8;;http://x/r.xml\u0007XML\u001b]8;;\u0007");
  });
});

describe("which orders may have credit notes", () => {
  it("an accepted receipt, one being reissued or one that replaced another; never one without a record", () => {
    expect(mayHaveCreditNotes(undefined)).toBe(false);
    expect(mayHaveCreditNotes(record())).toBe(true);
    expect(mayHaveCreditNotes(record({ state: "SUBMITTED" }))).toBe(false);
    expect(mayHaveCreditNotes(record({ state: "REJECTED" }))).toBe(false);
    expect(
      mayHaveCreditNotes(
        record({
          state: "NEEDS_ATTENTION",
          reissue: { receiptId: 1, documentNumber: "B001-3", motive: "01", at: "2026-11-21T17:10:00.000Z" },
        }),
      ),
    ).toBe(true);
    expect(
      mayHaveCreditNotes(
        record({
          state: "SUBMITTED",
          replacedNumbers: [{ documentNumber: "B001-3", receiptId: 1, creditNote: "BC01-1", at: "x" }],
        }),
      ),
    ).toBe(true);
  });
});
