import type { Order } from "./order-schema";
import type { StoreConfig } from "./store-config";

export type IssueDecision =
  | { issue: true }
  | {
      issue: false;
      /** Machine-readable reason: canceled | not_placed | payment_status. */
      rule: "canceled" | "not_placed" | "payment_status";
      /** For the merchant (Spanish, like every message of the receipt domain). */
      reason: string;
    };

/**
 * Whether an order gets its receipt now, under the store's issue policy (default: placed and paid). A
 * cancelled order never does, whatever the policy: its receipt (if one was issued) is undone with a
 * Nota de crédito, not by issuing another document. Pure: reads only the order and the store.
 */
export function shouldIssue(order: Order, store: StoreConfig): IssueDecision {
  const fulfillmentStatus = order.fulfillment_details?.status ?? null;
  if ((order.canceled ?? null) !== null || fulfillmentStatus === "canceled") {
    return { issue: false, rule: "canceled", reason: "El pedido está anulado: no se emite comprobante." };
  }
  if (store.issue_policy.require_placed && !order.placed) {
    return {
      issue: false,
      rule: "not_placed",
      reason: "El pedido aún no ha sido realizado (placed): no se emite comprobante.",
    };
  }
  const paymentStatus = order.payment_status ?? "";
  if (!store.issue_policy.payment_statuses.includes(paymentStatus)) {
    return {
      issue: false,
      rule: "payment_status",
      reason: `El estado de pago es "${paymentStatus || "desconocido"}"; la tienda emite con: ${store.issue_policy.payment_statuses.join(", ")}.`,
    };
  }
  return { issue: true };
}
