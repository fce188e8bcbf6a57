import { describe, expect, it } from "vitest";
import {
  compareNewestFirst,
  documentLabel,
  formatReceiptList,
  formatStatus,
  listRow,
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
    expect(documentLabel({ documentTypeCode: "07", documentNumber: "FC01-1" })).toBe("Tipo 07 FC01-1");
  });
});

describe("statusView and formatStatus", () => {
  it("shows the receipt, its issue date, links and the whole history, customer document masked", () => {
    const view = statusView(record());
    const json = JSON.stringify(view);
    expect(json).not.toContain("20552103816");
    expect(json).not.toContain("admin@agrolight.pe");
    const text = formatStatus(view);
    expect(text).toContain("State:        ACCEPTED (ACEPTADO)");
    expect(text).toContain("Document:     Factura F001-66 (type 01)");
    expect(text).toContain("Total:        S/590.00");
    expect(text).toContain("Customer:     document 6:…816");
    expect(text).toContain("Issue date:   2026-11-21");
    expect(text).toContain("SUNAT:        0 — La Factura numero F001-66, ha sido aceptada");
    expect(text).toMatch(/^ {2}CDR {2}http:\/\/x\/cdr\.zip$/m);
    const history = text.slice(text.indexOf("History:")).split("\n").slice(1);
    expect(history).toHaveLength(3);
    expect(history[0]).toMatch(/2026-11-21T17:00:00.000Z {2}\(new\) +→ RESERVED +number F001-66 reserved/);
    expect(history[2]).toMatch(/SUBMITTED +→ ACCEPTED +SUNAT code 0/);
    expect(text).not.toContain("20552103816");
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
    expect(text).toContain("Last error:   API 500 for customer a***@agrolight.pe");
    expect(text).toContain("Links:        none yet");
    expect(text).not.toContain("SUNAT:");
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
    expect(text).toContain(
      "Posted at:    2026-11-21T17:00:05.000Z (not confirmed yet: looked up before any new POST)",
    );
    expect(text).toContain("  B001-3  2026-11-21T17:00:00.000Z  the order now needs another series");
    expect(text).toContain(
      "  F001-69  receipt 5 of no order (made outside this system); seen 2026-11-21T17:00:01.000Z",
    );
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
    const at = lines.indexOf("Burnt numbers:");
    expect(at).toBeGreaterThan(lines.findIndex((line) => line.startsWith("SUNAT:")));
    expect(lines.slice(at + 1, at + 3)).toEqual([
      "  F001-12  receipt 950, SUNAT 2017; resent 2026-11-21T16:30:00.000Z",
      "  F001-40  resent 2026-11-21T16:50:00.000Z",
    ]);
  });
  it("are absent, in JSON and text, from a receipt that never burnt one", () => {
    for (const burntNumbers of [undefined, []]) {
      const view = statusView(record({ burntNumbers }));
      expect(view).not.toHaveProperty("burntNumbers");
      expect(formatStatus(view)).not.toContain("Burnt numbers");
    }
  });
});

describe("the receipts list", () => {
  it("prints the plugin's columns in Peru time, one store without a store column", () => {
    const rows = [
      record(),
      record({
        orderId: 1002,
        state: "SUBMITTED",
        documentTypeCode: "03",
        documentNumber: "B001-51",
        currencyCode: "USD",
        grossTotal: "10",
        xmlUrl: null,
        pdfUrl: null,
        cdrUrl: null,
      }),
      record({ orderId: 1003, state: "NEEDS_ATTENTION", documentTypeCode: "03", documentNumber: undefined }),
    ].map(listRow);
    const lines = formatReceiptList(rows).split("\n");
    expect(lines[0]).toMatch(
      /^Pedido +Fecha +Emisión +Tipo de documento +Estado en API\/SUNAT +Total +Enlaces$/,
    );
    expect(lines[1]).toMatch(
      /^#1001 +2026-11-21 12:00 +2026-11-21 +Factura F001-66 +ACEPTADO +S\/590\.00 +XML http:\/\/x\/r\.xml {2}PDF http:\/\/x\/r\.pdf {2}CDR http:\/\/x\/cdr\.zip$/,
    );
    expect(lines[2]).toMatch(/^#1002 .* Boleta B001-51 +REGISTRADO +US\$10\.00 +-$/);
    expect(lines[3]).toMatch(/^#1003 .* Boleta +ATENCIÓN /);
  });
  it("adds a store column when stores are mixed", () => {
    const text = formatReceiptList([listRow(record()), listRow(record({ storeId: 612 }))]);
    expect(text.split("\n")[0]).toMatch(/^Tienda +Pedido/);
    expect(text).toMatch(/^612 +#1001/m);
  });
  it("sorts newest first, then by order", () => {
    const sorted = [
      record({ orderId: 1, createdAt: "2026-11-20T00:00:00.000Z" }),
      record({ orderId: 2, createdAt: "2026-11-22T00:00:00.000Z" }),
      record({ orderId: 3, createdAt: "2026-11-22T00:00:00.000Z" }),
    ].sort(compareNewestFirst);
    expect(sorted.map((r) => r.orderId)).toEqual([3, 2, 1]);
  });
});
