import { Decimal } from "decimal.js";
import { buildReceipt, findStoreConfig, OrderSchema, type StoreConfig, shouldIssue } from "../receipt";
import { issueDateFor } from "../receipt/issue-date";
import type { ReceiptProblemRecord } from "../store/receipt-record";
import type { Decision } from "./issue-receipt";

/**
 * The problem of an order whose store this deployment cannot issue for (no configuration, no credentials): a
 * person must configure it, retrying cannot help. `message` says what is missing, for the merchant.
 */
export function storeNotConfigured(message: string): ReceiptProblemRecord {
  return { field: "store_id", rule: "store_not_configured", message };
}

/**
 * The receipt domain's verdict on an order as it is now, in the worker's terms: skip it (issue policy), flag
 * it for a person (a rule is broken), or issue this body. Pure: the clock is given.
 */
export function decideForOrder(
  order: unknown,
  storeId: number,
  stores: readonly StoreConfig[],
  now: Date = new Date(),
): Decision {
  const store = findStoreConfig(stores, storeId);
  if (!store) {
    return {
      action: "needs_attention",
      problems: [
        storeNotConfigured(
          `La tienda ${storeId} no está configurada (STORES_CONFIG_PATH): no se puede emitir.`,
        ),
      ],
    };
  }
  const parsed = OrderSchema.safeParse(order);
  if (parsed.success) {
    const policy = shouldIssue(parsed.data, store);
    if (!policy.issue) return { action: "skip", rule: policy.rule, reason: policy.reason };
  }
  const dates = {
    ticket: issueDateFor(parsed.success ? parsed.data : {}, "ticket", store.issue_date, now),
    invoice: issueDateFor(parsed.success ? parsed.data : {}, "invoice", store.issue_date, now),
  };
  if (parsed.success && !dates.ticket.ok) {
    return {
      action: "needs_attention",
      problems: [{ field: dates.ticket.field, rule: "issue_date", message: dates.ticket.message }],
    };
  }
  // buildReceipt also reports a payload that does not parse, naming the field.
  let built = buildReceipt(order, store, dates.ticket.ok ? { issueDate: dates.ticket.issueDate } : {});
  let dated = dates.ticket;
  if (built.ok && built.receipt.document_type_code === "01" && dates.invoice.ok) {
    dated = dates.invoice;
    if (dates.invoice.issueDate !== built.receipt.issue_date) {
      built = buildReceipt(order, store, { issueDate: dates.invoice.issueDate });
    }
  }
  if (!built.ok) return { action: "needs_attention", problems: built.problems };
  const { correlative: _assignedAtReservation, ...body } = built.receipt;
  const customer = built.receipt.customer_information;
  return {
    action: "issue",
    documentTypeCode: built.receipt.document_type_code,
    series: built.receipt.series,
    currencyCode: built.receipt.currency_code,
    grossTotal: new Decimal(built.receipt.gross_total).toFixed(2),
    issueDate: built.receipt.issue_date,
    ...(dated.ok && dated.moved ? { issueDateMoved: dated.moved } : {}),
    customer: {
      documentTypeCode: String(customer.document_type_code ?? "-"),
      documentNumber: String(customer.document_number ?? "-"),
    },
    body,
  };
}
