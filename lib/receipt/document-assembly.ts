import { amountInWords, type CurrencyCode } from "./amount-in-words";
import {
  type CreditNoteMotiveCode,
  type DocumentTypeCode,
  FREE_TRANSFER_TEXT,
  LEGEND,
  OPERATION_TYPE,
  type SaleDocumentTypeCode,
} from "./catalogs";
import type { DocumentTotals } from "./document-totals";
import { toJsonNumber } from "./money";
import type { CustomerInformation, DocumentItem, ReceiptDiscount } from "./receipt-schema";
import type { VendorInformation } from "./store-config";

/**
 * Assembly of a document: the header, the parties, the legends and the totals around already computed items,
 * in the seed's field names and order (the receipt object near the end of 002_…). Shared by every document
 * kind; the builders on top decide the figures.
 */

export interface Legend {
  code: number;
  value: string;
}

/** What a note adds to the header: the document it modifies and why (Catálogo 09). */
export interface NoteReference {
  affected_document_type_code: SaleDocumentTypeCode;
  affected_document_number: string;
  note_motive_code: CreditNoteMotiveCode;
  note_motive_description: string;
}

export interface DocumentParts<Type extends DocumentTypeCode, Item extends DocumentItem> {
  orderId: number | string;
  storeId: number;
  documentTypeCode: Type;
  series: string;
  correlative?: number;
  issueDate: string;
  currency: CurrencyCode;
  reference?: NoteReference;
  totals: DocumentTotals;
  vendor: VendorInformation;
  customer: CustomerInformation;
  globalDiscounts: ReceiptDiscount[];
  items: Item[];
}

/** Legend 1000 (the total in words) always; 1002 when any item is a free transfer. */
function legendsFor(totals: DocumentTotals, currency: CurrencyCode): Legend[] {
  const legends: Legend[] = [
    { code: LEGEND.AMOUNT_IN_WORDS, value: amountInWords(totals.grossTotal, currency) },
  ];
  if (totals.hasFreeItems) legends.push({ code: LEGEND.FREE_TRANSFER, value: FREE_TRANSFER_TEXT });
  return legends;
}

export function assembleDocument<Type extends DocumentTypeCode, Item extends DocumentItem>(
  parts: DocumentParts<Type, Item>,
) {
  const { totals } = parts;
  return {
    order_id: parts.orderId,
    store_id: parts.storeId,
    document_type_code: parts.documentTypeCode,
    series: parts.series,
    ...(parts.correlative !== undefined ? { correlative: parts.correlative } : {}),
    issue_date: parts.issueDate,
    currency_code: parts.currency,
    ...(parts.reference ?? {}),
    operation_code: OPERATION_TYPE.INTERNAL_SALE,
    advances_total: 0,
    global_discounts_net_total: toJsonNumber(totals.globalDiscountNet),
    global_discounts_gross_total: toJsonNumber(totals.globalDiscountGross),
    other_charges_total: 0,
    items_net_total: toJsonNumber(totals.itemsNet),
    taxable_total: toJsonNumber(totals.taxable),
    exempt_total: toJsonNumber(totals.exempt),
    unaffected_total: toJsonNumber(totals.unaffected),
    sales_tax_total: toJsonNumber(totals.salesTax),
    free_sales_tax_total: toJsonNumber(totals.freeSalesTax),
    free_total: toJsonNumber(totals.free),
    // No advances: net_total is the base after global discounts, so gross_total = net_total + taxes_total as
    // the seed defines it.
    net_total: toJsonNumber(totals.netTotal),
    taxes_total: toJsonNumber(totals.taxesTotal),
    gross_total: toJsonNumber(totals.grossTotal),
    legends: legendsFor(totals, parts.currency),
    vendor_information: parts.vendor,
    customer_information: parts.customer,
    global_discounts: parts.globalDiscounts,
    items: parts.items,
    advances: [] as never[],
    detraction: null,
  };
}
