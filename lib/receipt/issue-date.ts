import { parseInstant, peruDateOf } from "../acelerala/timestamps";
import type { IssueDatePolicy } from "./store-config";

/**
 * The date a receipt carries. Normally the sale's: the day the order was placed (else created), in Peru.
 * SUNAT only takes a receipt within a few days of its issue date (store setting `issue_date.max_days_late`),
 * so a receipt issued later than that (a backfill, a DLQ replay, a resend weeks after the sale) carries
 * today's date in Peru instead, and `moved` says why. Pure: `now` is given.
 */

export type IssueDateResult =
  | { ok: true; issueDate: string; moved?: string }
  | { ok: false; field: "placed" | "created"; message: string };

const DAY_MS = 86_400_000;

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

export function issueDateFor(
  order: { placed?: unknown; created?: unknown },
  kind: "invoice" | "ticket",
  policy: IssueDatePolicy,
  now: Date,
): IssueDateResult {
  const field = typeof order.placed === "string" && order.placed.trim() !== "" ? "placed" : "created";
  const source = order[field];
  const instant = typeof source === "string" ? parseInstant(source) : undefined;
  if (instant === undefined) {
    return {
      ok: false,
      field,
      message: "El pedido no tiene una fecha válida (placed o created) de la que tomar la fecha de emisión.",
    };
  }
  const today = peruDateOf(now.getTime());
  const saleDate = peruDateOf(instant);
  if (saleDate > today) return { ok: true, issueDate: today, moved: `sale dated ${saleDate}, after today` };
  const late = daysBetween(saleDate, today);
  const allowed = policy.max_days_late[kind];
  if (late <= allowed) return { ok: true, issueDate: saleDate };
  return {
    ok: true,
    issueDate: today,
    moved: `sale of ${saleDate} is ${late} days old; SUNAT takes a ${kind === "invoice" ? "Factura" : "Boleta"} up to ${allowed} days after its date, so it is dated ${today}`,
  };
}
