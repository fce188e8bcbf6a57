import { describe, expect, it } from "vitest";
import type { AceleralaReceipt } from "../../../lib/acelerala/schemas";
import type { IssueDecision } from "../../../lib/worker/issue-receipt";
import { belongsToOrder, differences, maskDocument, ownSaleReceipts } from "../../../lib/worker/landed";

function receipt(fields: Partial<AceleralaReceipt> = {}): AceleralaReceipt {
  return {
    id: 70,
    order_id: 32204,
    series: "B001",
    correlative: 3,
    document_number: "B001-3",
    document_type_code: "03",
    currency_code: "PEN",
    gross_total: 142.46,
    customer_information: { document_type_code: "1", document_number: "45678912" },
    sunat_acknowledged: true,
    ...fields,
  };
}

const decision: IssueDecision = {
  action: "issue",
  documentTypeCode: "03",
  series: "B001",
  currencyCode: "PEN",
  grossTotal: "142.46",
  issueDate: "2026-11-30",
  customer: { documentTypeCode: "1", documentNumber: "45678912" },
  body: {},
};

describe("which receipts are this order's", () => {
  it("adopts only receipts naming this order, and never a note or a burnt number", () => {
    expect(belongsToOrder(receipt({ order_id: "32204" }), 32204)).toBe(true);
    expect(belongsToOrder(receipt({ order_id: null }), 32204)).toBe(false);
    expect(belongsToOrder(receipt({ order_id: 32205 }), 32204)).toBe(false);
    const own = ownSaleReceipts(
      [
        receipt(),
        receipt({ id: 70 }), // the same receipt found twice (by number and by order)
        receipt({ id: 71, order_id: null, document_number: "B001-4" }),
        receipt({ id: 72, document_type_code: "07", document_number: "BC01-1" }),
        receipt({ id: 73, document_number: "B001-1" }),
      ],
      32204,
      { burntNumbers: [{ documentNumber: "B001-1", at: "2026-11-01T00:00:00Z" }] },
    );
    expect(own.map((r) => r.id)).toEqual([70]);
  });
});

describe("differences between what landed and the order now", () => {
  it("is empty when the landed receipt is what the order asks for (amounts compared as decimals)", () => {
    expect(differences(receipt({ gross_total: "142.460" }), decision)).toEqual([]);
  });

  it("names document type, currency, total and customer, with the document masked", () => {
    const found = differences(
      receipt({
        document_type_code: "01",
        currency_code: "USD",
        gross_total: "152.46",
        customer_information: { document_type_code: "6", document_number: "20601373034" },
      }),
      decision,
    );
    expect(found).toEqual([
      "tipo de documento 01 y el pedido pide 03",
      "moneda USD y el pedido está en PEN",
      "total 152.46 y el pedido cobra 142.46",
      "cliente 6:…034 y el pedido indica 1:…912",
    ]);
    expect(found.join(" ")).not.toContain("20601373034");
  });

  it("masks documents to their type and last three characters", () => {
    expect(maskDocument("6", "20601373034")).toBe("6:…034");
    expect(maskDocument("-", "-")).toBe("-:-");
    expect(maskDocument(undefined, null)).toBe("?:-");
  });
});
