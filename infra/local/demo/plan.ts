import Decimal from "decimal.js";
import type { StoreConfig } from "../../../lib/receipt";
import {
  BROKEN_ORDER_KINDS,
  type BrokenOrderKind,
  type FactoryOrder,
  makeBrokenOrder,
  makeOrder,
  type OrderFactoryOptions,
} from "../../simulator/order-factory";
import { createRandom, type Random, randomInt } from "../../simulator/random";

/**
 * What the demo will place: a deterministic (per seed) mix of valid orders — facturas and boletas, PEN and USD,
 * with the factory's line and order discounts and shipping — and broken ones, each kind with the rule the
 * product must name when it flags the order NEEDS_ATTENTION. Pure: no I/O.
 */

export type ExpectedState = "ACCEPTED" | "NEEDS_ATTENTION";

/** The rule `buildReceipt` reports for each broken kind (the field and message come from the product). */
export const EXPECTED_RULES: Readonly<Record<BrokenOrderKind, string>> = {
  totals_mismatch: "total_mismatch",
  line_total_mismatch: "line_total",
  factura_invalid_ruc_check_digit: "ruc_invalid",
  factura_ruc_wrong_length: "ruc_invalid",
  factura_without_ruc: "invoice_requires_ruc",
  boleta_over_700_without_document: "boleta_identity_required",
};

export interface DemoOrderPlan {
  /** 1-based position in placing order. */
  index: number;
  /** "valid" or the way the order is broken. */
  kind: "valid" | BrokenOrderKind;
  expected: ExpectedState;
  /** For broken orders: the rule the product must report. */
  expectedRule?: string;
  /** The order body for POST /v1/orders (the simulator assigns the id). */
  body: FactoryOrder;
  /** Short Spanish description of the case, no customer data: "factura USD, descuento, envío". */
  description: string;
}

export interface PlanOptions {
  orders: number;
  seed: number;
  /** Share of broken orders, 0–1. */
  brokenRate: number;
  /** The demo store's configuration (boleta identity thresholds per currency). */
  store: Pick<StoreConfig, "boleta_identity_thresholds">;
}

/** Valid cases cycle through these, so even a small run has both documents and both currencies. */
const VALID_PROFILES: readonly Required<Pick<OrderFactoryOptions, "documentKind" | "currency">>[] = [
  { documentKind: "boleta", currency: "PEN" },
  { documentKind: "factura", currency: "PEN" },
  { documentKind: "boleta", currency: "USD" },
  { documentKind: "boleta", currency: "PEN" },
  { documentKind: "factura", currency: "USD" },
  { documentKind: "factura", currency: "PEN" },
  { documentKind: "boleta", currency: "PEN" },
];

/**
 * round(orders × rate); when any broken order is asked for and there are at least as many orders as broken
 * kinds, at least one of each kind.
 */
export function brokenOrderCount(orders: number, brokenRate: number): number {
  const byRate = Math.round(orders * brokenRate);
  if (brokenRate > 0 && orders >= BROKEN_ORDER_KINDS.length)
    return Math.min(orders, Math.max(byRate, BROKEN_ORDER_KINDS.length));
  return Math.min(orders, byRate);
}

export function planDemoOrders(options: PlanOptions): DemoOrderPlan[] {
  const random = createRandom(options.seed);
  const brokenTotal = brokenOrderCount(options.orders, options.brokenRate);
  const brokenPositions = new Set(shuffledIndexes(random, options.orders).slice(0, brokenTotal));
  const plans: DemoOrderPlan[] = [];
  let validCount = 0;
  let brokenCount = 0;
  for (let position = 0; position < options.orders; position++) {
    const index = position + 1;
    if (brokenPositions.has(position)) {
      const kind = BROKEN_ORDER_KINDS[brokenCount++ % BROKEN_ORDER_KINDS.length] as BrokenOrderKind;
      plans.push({
        index,
        kind,
        expected: "NEEDS_ATTENTION",
        expectedRule: EXPECTED_RULES[kind],
        // Only the intended rule should break: identify anonymous USD boletas (see identifyIfRequired),
        // except for the kind whose point is the missing identity.
        body:
          kind === "boleta_over_700_without_document"
            ? makeBrokenOrder(kind, random)
            : identifyIfRequired(makeBrokenOrder(kind, random), options.store, random),
        description: `roto: ${kind}`,
      });
      continue;
    }
    const profile = VALID_PROFILES[validCount++ % VALID_PROFILES.length] ?? { documentKind: "boleta" };
    const body = identifyIfRequired(makeOrder(random, {}, profile), options.store, random);
    plans.push({ index, kind: "valid", expected: "ACCEPTED", body, description: describe(body) });
  }
  return plans;
}

/** Fisher–Yates on 0..count−1 with the seeded stream. */
function shuffledIndexes(random: Random, count: number): number[] {
  const indexes = Array.from({ length: count }, (_, index) => index);
  for (let index = count - 1; index > 0; index--) {
    const other = randomInt(random, 0, index);
    [indexes[index], indexes[other]] = [indexes[other] as number, indexes[index] as number];
  }
  return indexes;
}

/**
 * The factory leaves boletas anonymous up to S/ 700 whatever the currency, but the store's threshold for USD is
 * lower (US$ 175): such an order is correctly flagged by the product, so it cannot be a "valid" demo case.
 * Identify the customer (a DNI) whenever the store's threshold for the order's currency requires it.
 */
function identifyIfRequired(order: FactoryOrder, store: PlanOptions["store"], random: Random): FactoryOrder {
  const billing = order.billing_details;
  if (billing.receipt_type !== "ticket" || billing.document_type !== "-") return order;
  const threshold = store.boleta_identity_thresholds[order.currency_code];
  if (threshold === undefined || new Decimal(order.total).lessThanOrEqualTo(threshold)) return order;
  const dni = Array.from({ length: 8 }, () => String(randomInt(random, 0, 9))).join("");
  return { ...order, billing_details: { ...billing, document_type: "dni", document_number: dni } };
}

function describe(order: FactoryOrder): string {
  const parts = [
    order.billing_details.receipt_type === "invoice" ? "factura" : "boleta",
    order.currency_code,
  ];
  if (order.billing_details.receipt_type === "ticket" && order.billing_details.document_type === "-")
    parts.push("anónima");
  if (hasDiscounts(order)) parts.push("descuento");
  if (hasShipping(order)) parts.push("envío");
  return parts.join(", ");
}

export function hasDiscounts(order: FactoryOrder): boolean {
  return order.discount_applications.length > 0;
}

export function hasShipping(order: FactoryOrder): boolean {
  return !new Decimal(order.shipping_total).isZero();
}
