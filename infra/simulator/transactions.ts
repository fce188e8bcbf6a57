import Decimal from "decimal.js";
import { decimalOf } from "./amounts";
import type { FieldError } from "./errors";

/**
 * `POST /v1/transactions`: the seed's transaction object (method, type, amount, currency, parent) checked field by
 * field, and what a payment or a refund does to its order's `payment_status`. The simulator plays two of the
 * seed's types: `sale` (money in) and `refund` (money back to the customer); `authorization`, `capture` and
 * `void` are refused by name. Amounts are decimal (decimal.js), never binary floats.
 */

export type TransactionType = "sale" | "refund";
export type TransactionRequest = {
  order_id: number;
  type: TransactionType;
  amount: Decimal;
  currency_code: string;
  method: string;
  parent_id: number | null;
  /** The body's own fields, as sent (amount included), for the stored object. */
  fields: Record<string, unknown>;
};

const METHODS = ["cash", "transfer", "card"];
const SEED_TYPES = ["authorization", "capture", "sale", "void", "refund"];
const PLAYED_TYPES: readonly string[] = ["sale", "refund"];
/** Optional fields of the seed's transaction object a client may send, with the values the seed lists (or any text). */
const OPTIONAL_FIELDS: Record<string, readonly string[] | "text"> = {
  user_message: "text",
  merchant_message: "text",
  reference_code: "text",
  card_brand: ["visa", "mastercard", "american_express", "diners_club"],
  card_type: ["credit", "debit", "prepaid"],
  gateway: ["culqi", "payu", "mercadopago", "niubiz", "acelerala"],
  gateway_id: "text",
};
const REQUIRED_FIELDS = ["order_id", "type", "amount", "currency_code", "method"];
const KNOWN_FIELDS = new Set([...REQUIRED_FIELDS, "parent_id", ...Object.keys(OPTIONAL_FIELDS)]);

function isId(value: unknown): boolean {
  return (
    (typeof value === "number" && Number.isSafeInteger(value) && value > 0) ||
    (typeof value === "string" && /^[1-9]\d{0,15}$/.test(value))
  );
}

/** The body's own rules, every broken one named; null when any is broken. */
export function readTransactionRequest(body: unknown): {
  request: TransactionRequest | null;
  errors: FieldError[];
} {
  const errors: FieldError[] = [];
  const add = (param: string, code: string, message: string) => errors.push({ param, code, message });
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    add("body", "invalid_format", "the body must be a JSON object");
    return { request: null, errors };
  }
  const input = body as Record<string, unknown>;
  for (const name of Object.keys(input)) {
    if (!KNOWN_FIELDS.has(name))
      add(name, "unknown_parameter", `${name} is not a field a client sets on a transaction`);
  }
  for (const name of REQUIRED_FIELDS) {
    const value = input[name];
    if (value === undefined || value === null || value === "") add(name, "required", `${name} is required`);
  }
  const present = (name: string) => !errors.some((error) => error.param === name);

  if (present("order_id") && !isId(input.order_id))
    add("order_id", "invalid_format", "order_id must be an order id (a positive integer)");
  if (present("type") && !SEED_TYPES.includes(String(input.type))) {
    add("type", "invalid_format", `type must be one of ${SEED_TYPES.join(", ")}`);
  } else if (present("type") && !PLAYED_TYPES.includes(String(input.type))) {
    add(
      "type",
      "not_supported",
      `type ${String(input.type)} is not played by the simulator: it records sales and refunds only`,
    );
  }
  let amount: Decimal | null = null;
  if (present("amount")) {
    const text =
      typeof input.amount === "number"
        ? String(input.amount)
        : typeof input.amount === "string"
          ? input.amount
          : "";
    if (!/^\d{1,12}(\.\d{1,2})?$/.test(text)) {
      add("amount", "invalid_format", "amount must be a positive decimal with up to 2 decimals, e.g. 10.50");
    } else if (new Decimal(text).isZero()) {
      add("amount", "invalid_amount", "amount must be greater than 0");
    } else {
      amount = new Decimal(text);
    }
  }
  if (
    present("currency_code") &&
    !(typeof input.currency_code === "string" && /^[A-Z]{3}$/.test(input.currency_code))
  )
    add("currency_code", "invalid_format", "currency_code must be an ISO 4217 code such as PEN");
  if (present("method") && !METHODS.includes(String(input.method)))
    add("method", "invalid_format", `method must be one of ${METHODS.join(", ")}`);
  const parent = input.parent_id;
  if (parent !== undefined && parent !== null && !isId(parent))
    add("parent_id", "invalid_format", "parent_id must be a transaction id or null");
  for (const [name, allowed] of Object.entries(OPTIONAL_FIELDS)) {
    const value = input[name];
    if (value === undefined || value === null) continue;
    if (allowed === "text" ? typeof value !== "string" : !allowed.includes(String(value))) {
      add(
        name,
        "invalid_format",
        allowed === "text"
          ? `${name} must be text or null`
          : `${name} must be one of ${allowed.join(", ")} or null`,
      );
    }
  }
  if (errors.length > 0 || amount === null) return { request: null, errors };
  return {
    request: {
      order_id: Number(input.order_id),
      type: input.type as TransactionType,
      amount,
      currency_code: input.currency_code as string,
      method: input.method as string,
      parent_id: parent === undefined || parent === null ? null : Number(parent),
      fields: input,
    },
    errors,
  };
}

/** What the simulator needs of an order and of its earlier transactions to settle a new one. */
export type OrderForSettlement = { payment_status: string; total?: unknown };
export type EarlierTransaction = { id: number; type: string; amount: unknown; parent_id: number | null };

export type Settlement = { paymentStatus: string } | { error: FieldError };

const sumOf = (transactions: readonly EarlierTransaction[], type: string) =>
  transactions
    .filter((transaction) => transaction.type === type)
    .reduce((sum, transaction) => sum.plus(decimalOf(transaction.amount) ?? 0), new Decimal(0));

/** Statuses under which money was received and may go back. */
const PAID_STATUSES = ["paid", "partially_paid", "partially_refunded", "refunded"];

/**
 * The order's payment_status after `request`, or the rule it breaks.
 * - What was paid: the order's sales; an order created (or set) paid with no sale transaction was paid in full.
 * - A refund never returns more than was paid minus earlier refunds (nor, with `parent_id`, more than that sale
 *   minus its earlier refunds); an order set to `refunded` by hand has nothing left. All of it back → `refunded`,
 *   part → `partially_refunded`.
 * - A sale never takes more than the order's total minus earlier sales: all of it → `paid`, part →
 *   `partially_paid`; an order that is paid, refunded or voided takes no more sales.
 */
export function settle(
  order: OrderForSettlement,
  earlier: readonly EarlierTransaction[],
  request: TransactionRequest,
): Settlement {
  const refused = (param: string, code: string, message: string): Settlement => ({
    error: { param, code, message },
  });
  const total = decimalOf(order.total);
  if (total === null) {
    return refused(
      "order_id",
      "order_total_invalid",
      `the order's total (${String(order.total)}) is not an amount`,
    );
  }
  const sales = sumOf(earlier, "sale");
  const refunds = sumOf(earlier, "refund");
  const status = order.payment_status;

  if (request.type === "sale") {
    if (!["pending", "authorized", "partially_paid"].includes(status)) {
      return refused("order_id", "order_not_payable", `the order is ${status}: it takes no more payments`);
    }
    if (request.parent_id !== null) {
      return refused(
        "parent_id",
        "invalid_parent",
        "a sale has no parent (parent_id is for refunds and captures)",
      );
    }
    const left = total.minus(sales);
    if (request.amount.greaterThan(left)) {
      return refused(
        "amount",
        "exceeds_order_total",
        `a sale of ${request.amount.toFixed(2)} is more than the ${left.toFixed(2)} left to pay of ${total.toFixed(2)}`,
      );
    }
    return { paymentStatus: sales.plus(request.amount).equals(total) ? "paid" : "partially_paid" };
  }

  let leftOfParent: Decimal | null = null;
  if (request.parent_id !== null) {
    const parent = earlier.find((transaction) => transaction.id === request.parent_id);
    const parentAmount = parent ? decimalOf(parent.amount) : null;
    if (!parent || parentAmount === null || parent.type !== "sale") {
      return refused("parent_id", "invalid_parent", "parent_id must be a sale of the same order");
    }
    leftOfParent = parentAmount.minus(
      sumOf(
        earlier.filter((transaction) => transaction.parent_id === parent.id),
        "refund",
      ),
    );
  }
  const paidInFull = sales.isZero() && ["paid", "partially_refunded", "refunded"].includes(status);
  const paid = paidInFull ? total : sales;
  if (!PAID_STATUSES.includes(status) || paid.isZero()) {
    return refused(
      "order_id",
      "order_not_paid",
      `the order is ${status}: nothing was paid that could be refunded`,
    );
  }
  const refundable = status === "refunded" ? new Decimal(0) : paid.minus(refunds);
  if (request.amount.greaterThan(refundable)) {
    return refused(
      "amount",
      "exceeds_refundable",
      `a refund of ${request.amount.toFixed(2)} is more than the ${refundable.toFixed(2)} left to refund (paid ${paid.toFixed(2)}, refunded ${status === "refunded" ? "everything" : refunds.toFixed(2)})`,
    );
  }
  if (leftOfParent !== null && request.amount.greaterThan(leftOfParent)) {
    return refused(
      "amount",
      "exceeds_refundable",
      `a refund of ${request.amount.toFixed(2)} is more than the ${leftOfParent.toFixed(2)} left of sale ${String(request.parent_id)}`,
    );
  }
  return { paymentStatus: refunds.plus(request.amount).equals(paid) ? "refunded" : "partially_refunded" };
}
