import type Decimal from "decimal.js";
import * as z from "zod/mini";
import "../zod-messages";
import { type AffectedLine, type AffectedReceipt, spreadInCents } from "./affected-receipt";
import { cents, formatAmount, Money, sum, UNIT_VALUE_DECIMALS, ZERO } from "./money";
import type { Problems } from "./problems";

/**
 * What each credit note credits on each line of its receipt, and how a request (the whole remainder, an amount,
 * or lines and quantities) becomes those figures. Decimal arithmetic only; every figure is a cent multiple
 * except quantities.
 *
 * THE RULES (also in the README, for the merchant's accountant)
 * - A line can be credited, over all its notes, its value after its share of the receipt's global discount:
 *   net, IGV, ICBPER, and for a free line its reference value. Never more.
 * - The whole remainder: every line's value not yet credited, with its quantity not yet returned.
 * - Lines and quantities (devolución por ítem): q of the r units not yet returned credit q / r of the line's
 *   value not yet credited (rounded to the cent; the last units take exactly what is left), and q bags' ICBPER.
 * - An amount (disminución en el valor): spread over the charged lines in proportion to their value not yet
 *   credited, in whole cents that add up to the amount exactly (largest remainder), each line's share split into
 *   net and IGV as a sale line is (net = share / 1.18, kept within the line's remaining net and IGV).
 *   ICBPER is a fixed tax per bag: an amount
 *   never credits it, unless the amount is everything left, which is then credited as the whole remainder.
 */

/** One line of a note's allocation. Amounts and quantities as decimal strings (exact, storable as JSON). */
export const CreditedLineSchema = z.object({
  /** Index of the line in the affected receipt's `items`. */
  line: z.number().check(z.int(), z.nonnegative()),
  /** Units returned; "0" when the note lowers the value without returning goods. */
  quantity: z.string(),
  net: z.string(),
  igv: z.string(),
  plastic: z.string(),
  free: z.string(),
});

/**
 * What one credit note credits, line by line. buildCreditNote returns it with the note; the caller stores it
 * with the note's record and passes back, for the next note on the same receipt, the allocations of every
 * note that may take effect (issued, in flight or accepted; not those SUNAT rejected or the API refused).
 */
export const CreditAllocationSchema = z.object({
  /** The receipt the note modifies (SERIES-NUMBER): an allocation never counts against another receipt. */
  affected_document_number: z.string(),
  /** What the note credits in all (its gross_total). */
  gross_total: z.string(),
  lines: z.array(CreditedLineSchema),
});

export type CreditedLineRecord = z.output<typeof CreditedLineSchema>;
export type CreditAllocation = z.output<typeof CreditAllocationSchema>;

/** What a new note credits on one line, in decimals. */
export interface LineCredit {
  line: AffectedLine;
  /** Units returned (0 when only the value is lowered). */
  quantity: Decimal;
  net: Decimal;
  igv: Decimal;
  plastic: Decimal;
  free: Decimal;
}

/** What is still creditable on a line. */
export interface Remaining {
  quantity: Decimal;
  net: Decimal;
  igv: Decimal;
  plastic: Decimal;
  free: Decimal;
}

export type CreditScope =
  /** Everything not yet credited (cancellation, full refund). */
  | { kind: "remainder" }
  /** A refund of this gross amount, in the receipt's currency (partial refund). */
  | { kind: "amount"; amount: string | number; currency_code?: string }
  /** These lines of the receipt (index in its items) and quantities; no quantity: all units not yet returned. */
  | { kind: "lines"; lines: readonly { line: number; quantity?: string | number }[] };

const remainingValue = (remaining: Remaining) => remaining.net.plus(remaining.igv).plus(remaining.plastic);

/**
 * Each line's remainder after the earlier notes. Problems when an allocation belongs to another receipt, names
 * a line the receipt does not have, does not add up, or credits more than a line holds.
 */
export function remainingByLine(
  receipt: AffectedReceipt,
  allocations: readonly unknown[],
  problems: Problems,
): Remaining[] | null {
  const remaining: Remaining[] = receipt.lines.map((line) => ({
    quantity: line.quantity,
    ...line.creditable,
  }));
  for (const [position, raw] of allocations.entries()) {
    const field = `alreadyCredited[${position}]`;
    const parsed = CreditAllocationSchema.safeParse(raw);
    const allocation = parsed.success ? parsed.data : null;
    const figures = allocation?.lines.map((line) => ({
      line: line.line,
      values: [line.quantity, line.net, line.igv, line.plastic, line.free].map(decimalOrNull),
    }));
    const gross = allocation ? decimalOrNull(allocation.gross_total) : null;
    if (
      !allocation ||
      !figures ||
      !gross ||
      figures.some(({ values }) => values.some((v) => v === null || v.isNegative()))
    ) {
      problems.add(
        field,
        "already_credited_format",
        "Una asignación de notas anteriores no tiene la forma esperada.",
      );
      return null;
    }
    if (allocation.affected_document_number !== receipt.documentNumber) {
      problems.add(
        `${field}.affected_document_number`,
        "already_credited_other_receipt",
        "Una nota anterior indicada modifica otro comprobante.",
      );
      return null;
    }
    let noteGross = ZERO;
    for (const { line, values } of figures) {
      const [quantity, net, igv, plastic, free] = values as Decimal[];
      const target = remaining[line];
      if (!target || !quantity || !net || !igv || !plastic || !free) {
        problems.add(
          `${field}.lines`,
          "already_credited_format",
          `Una nota anterior acredita el ítem ${line + 1}, que el comprobante no tiene.`,
        );
        return null;
      }
      target.quantity = target.quantity.minus(quantity);
      target.net = target.net.minus(net);
      target.igv = target.igv.minus(igv);
      target.plastic = target.plastic.minus(plastic);
      target.free = target.free.minus(free);
      noteGross = noteGross.plus(net).plus(igv).plus(plastic);
    }
    if (!noteGross.eq(gross)) {
      problems.add(
        `${field}.gross_total`,
        "already_credited_format",
        `Una nota anterior declara ${formatAmount(gross)} pero sus líneas suman ${formatAmount(noteGross)}.`,
      );
      return null;
    }
  }
  for (const [index, line] of remaining.entries()) {
    if ([line.quantity, line.net, line.igv, line.plastic, line.free].some((value) => value.isNegative())) {
      problems.add(
        "alreadyCredited",
        "already_credited_exceeds",
        `Las notas anteriores acreditan más de lo que tiene el ítem ${index + 1} del comprobante.`,
      );
      return null;
    }
  }
  return remaining;
}

function decimalOrNull(value: string): Decimal | null {
  try {
    return new Money(value);
  } catch {
    return null;
  }
}

/** The whole remainder: every line with something left, all of it (gifts too, when money is left). */
export function creditRemainder(receipt: AffectedReceipt, remaining: readonly Remaining[]): LineCredit[] {
  const credits: LineCredit[] = [];
  for (const line of receipt.lines) {
    const left = remaining[line.index];
    if (!left || (remainingValue(left).isZero() && left.free.isZero())) continue;
    credits.push({ line, ...left });
  }
  return credits;
}

/** Lines and quantities (devolución por ítem). */
export function creditLines(
  receipt: AffectedReceipt,
  remaining: readonly Remaining[],
  requested: readonly { line: number; quantity?: string | number }[],
  problems: Problems,
): LineCredit[] {
  const credits: LineCredit[] = [];
  const seen = new Set<number>();
  if (requested.length === 0)
    problems.add("scope.lines", "no_lines", "La devolución por ítem no indica ítems.");
  for (const [position, request] of requested.entries()) {
    const field = `scope.lines[${position}]`;
    const line = Number.isInteger(request.line) ? receipt.lines[request.line] : undefined;
    const left = line ? remaining[line.index] : undefined;
    if (!line || !left) {
      problems.add(`${field}.line`, "line_unknown", `El comprobante no tiene el ítem ${request.line}.`);
      continue;
    }
    if (seen.has(line.index)) {
      problems.add(`${field}.line`, "line_repeated", `El ítem ${line.index + 1} se indica más de una vez.`);
      continue;
    }
    seen.add(line.index);
    const quantity = request.quantity === undefined ? left.quantity : decimalOrNull(String(request.quantity));
    if (!quantity?.gt(0) || quantity.decimalPlaces() > UNIT_VALUE_DECIMALS) {
      problems.add(
        `${field}.quantity`,
        "quantity_format",
        `La cantidad a devolver de "${line.name}" debe ser mayor que cero, con hasta ${UNIT_VALUE_DECIMALS} decimales.`,
      );
      continue;
    }
    if (quantity.gt(left.quantity)) {
      problems.add(
        `${field}.quantity`,
        "quantity_exceeds_remaining",
        `Se piden ${quantity.toFixed()} de "${line.name}" pero quedan ${left.quantity.toFixed()} por devolver.`,
      );
      continue;
    }
    if (line.plasticFactor && !quantity.isInteger()) {
      problems.add(
        `${field}.quantity`,
        "icbper_bag_quantity",
        `Las bolsas de "${line.name}" se devuelven enteras.`,
      );
      continue;
    }
    const all = quantity.eq(left.quantity);
    const share = (value: Decimal) => (all ? value : cents(value.times(quantity).div(left.quantity)));
    const credit: LineCredit = {
      line,
      quantity,
      net: share(left.net),
      igv: share(left.igv),
      plastic: all ? left.plastic : line.plasticFactor ? quantity.times(line.plasticFactor) : ZERO,
      free: share(left.free),
    };
    if (credit.net.plus(credit.igv).plus(credit.plastic).plus(credit.free).isZero()) {
      problems.add(
        `${field}.line`,
        "line_nothing_left",
        `Al ítem "${line.name}" no le queda valor por acreditar.`,
      );
      continue;
    }
    credits.push(credit);
  }
  return credits;
}

/** An amount (disminución en el valor, partial refund). */
export function creditAmount(
  receipt: AffectedReceipt,
  remaining: readonly Remaining[],
  amount: Decimal,
  problems: Problems,
): LineCredit[] {
  const charged = receipt.lines.filter((line) => line.onerous);
  const leftValue = sum(
    charged.map((line) => remainingOf(remaining, line).net.plus(remainingOf(remaining, line).igv)),
  );
  const everything = sum(remaining.map(remainingValue));
  if (amount.gt(everything)) {
    problems.add(
      "scope.amount",
      "credit_exceeds_receipt",
      `El monto (${formatAmount(amount)}) excede lo que queda por acreditar del comprobante (${formatAmount(everything)} de ${formatAmount(receipt.grossTotal)}).`,
    );
    return [];
  }
  // Everything left, bags' ICBPER included: the whole remainder.
  if (amount.eq(everything)) return creditRemainder(receipt, remaining);
  if (amount.gt(leftValue)) {
    problems.add(
      "scope.amount",
      "amount_exceeds_creditable_value",
      `El monto (${formatAmount(amount)}) excede el valor que queda por acreditar sin devolver bolsas (${formatAmount(leftValue)}): el ICBPER solo se acredita con sus bolsas (devolución por ítem o total).`,
    );
    return [];
  }
  const weights = charged.map((line) => {
    const left = remainingOf(remaining, line);
    return left.net.plus(left.igv);
  });
  const shares = spreadInCents(amount, weights);
  const credits: LineCredit[] = [];
  charged.forEach((line, position) => {
    const share = shares[position] ?? ZERO;
    const weight = weights[position] ?? ZERO;
    if (share.isZero()) return;
    const left = remainingOf(remaining, line);
    const net = share.eq(weight) ? left.net : netPartOf(share, line, left);
    credits.push({ line, quantity: ZERO, net, igv: share.minus(net), plastic: ZERO, free: ZERO });
  });
  return credits;
}

/**
 * The net part of a gross share of a line: as the sale builder splits a gross amount (round(G / 1.18, 2) for
 * IGV at 18 %, the whole share for exonerated and unaffected lines), kept within what is left of the line's
 * net and IGV so that no note ever credits more of either.
 */
function netPartOf(share: Decimal, line: AffectedLine, left: Remaining): Decimal {
  if (left.igv.isZero()) return share;
  const factor = line.salesTaxRate.div(100).plus(1);
  const lowest = Money.max(ZERO, share.minus(left.igv));
  return Money.min(Money.max(cents(share.div(factor)), lowest), left.net);
}

function remainingOf(remaining: readonly Remaining[], line: AffectedLine): Remaining {
  const left = remaining[line.index];
  if (!left) throw new Error(`no remainder for line ${line.index}`);
  return left;
}

/** The allocation record of a note's credits. */
export function allocationOf(receipt: AffectedReceipt, credits: readonly LineCredit[]): CreditAllocation {
  const gross = sum(credits.map((credit) => credit.net.plus(credit.igv).plus(credit.plastic)));
  return {
    affected_document_number: receipt.documentNumber,
    gross_total: gross.toFixed(2),
    lines: credits.map((credit) => ({
      line: credit.line.index,
      quantity: credit.quantity.toFixed(),
      net: credit.net.toFixed(2),
      igv: credit.igv.toFixed(2),
      plastic: credit.plastic.toFixed(2),
      free: credit.free.toFixed(2),
    })),
  };
}
