import Decimal from "decimal.js";
import { makeRuc } from "./order-factory";
import { createRandom } from "./random";

/**
 * What a merchant's operator does to an order that is already placed and paid, as `POST /v1/orders/{id}`
 * bodies: change the shipping (and so the total), switch between Boleta and Factura, break or fix the RUC.
 * Tests and chaos runs apply them between any two steps of the worker. Each edit keeps the order's own
 * figures adding up, so the order's `total` stays what the customer paid.
 */

type OrderLike = Record<string, unknown> & { billing_details?: Record<string, unknown> };

const money = (value: Decimal) => value.toFixed(2);

/** Shipping (and total) moved by `delta` (e.g. "10.00" or "-5.00"); never below zero shipping. */
export function changeShipping(order: OrderLike, delta: string): Record<string, unknown> {
  const shipping = new Decimal(String(order.shipping_total ?? "0"));
  const next = Decimal.max(0, shipping.plus(delta));
  const applied = next.minus(shipping);
  return {
    shipping_total: money(next),
    total: money(new Decimal(String(order.total ?? "0")).plus(applied)),
  };
}

/** The customer now wants a Factura for company `ruc` (valid unless the caller breaks it). */
export function switchToFactura(seed: number, company = "COMERCIAL ANDINA S.A.C."): Record<string, unknown> {
  return {
    billing_details: {
      receipt_type: "invoice",
      document_type: "ruc",
      document_number: makeRuc(createRandom(seed), "20"),
      company,
    },
  };
}

/** The customer now wants a Boleta with their DNI. */
export function switchToBoleta(dni = "45678912"): Record<string, unknown> {
  return {
    billing_details: { receipt_type: "ticket", document_type: "dni", document_number: dni, company: "" },
  };
}

/** A RUC with its last digit changed: 11 digits, right prefix, wrong check digit (a typo). */
export function mistypedRuc(ruc: string): string {
  const last = Number(ruc.at(-1));
  return `${ruc.slice(0, -1)}${(last + 1) % 10}`;
}

export function withRuc(ruc: string): Record<string, unknown> {
  return { billing_details: { document_number: ruc } };
}
