import { Decimal } from "decimal.js";
import { buildReceipt, findStoreConfig, OrderSchema, type StoreConfig, shouldIssue } from "../receipt";
import type { Decision } from "./issue-receipt";

/**
 * The receipt domain's verdict on an order, in the worker's terms: skip it (issue policy), flag it for a
 * person (a rule is broken), or issue this body. Pure.
 */
export function decideForOrder(order: unknown, storeId: number, stores: readonly StoreConfig[]): Decision {
  const store = findStoreConfig(stores, storeId);
  if (!store) {
    return {
      action: "needs_attention",
      problems: [
        {
          field: "store_id",
          rule: "store_not_configured",
          message: `La tienda ${storeId} no está configurada (STORES_CONFIG_PATH): no se puede emitir.`,
        },
      ],
    };
  }
  const parsed = OrderSchema.safeParse(order);
  if (parsed.success) {
    const policy = shouldIssue(parsed.data, store);
    if (!policy.issue) return { action: "skip", reason: policy.reason };
  }
  // buildReceipt also reports a payload that does not parse, naming the field.
  const built = buildReceipt(order, store);
  if (!built.ok) return { action: "needs_attention", problems: built.problems };
  const { correlative: _assignedAtReservation, ...body } = built.receipt;
  return {
    action: "issue",
    documentTypeCode: built.receipt.document_type_code,
    series: built.receipt.series,
    currencyCode: built.receipt.currency_code,
    grossTotal: new Decimal(built.receipt.gross_total).toFixed(2),
    body,
  };
}
