import type Decimal from "decimal.js";
import { readAffectedReceipt } from "./affected-receipt";
import {
  CREDIT_NOTE_MOTIVE,
  type CreditNoteMotiveCode,
  DOCUMENT_TYPE,
  isCreditNoteMotiveCode,
} from "./catalogs";
import {
  allocationOf,
  type CreditAllocation,
  type CreditScope,
  creditAmount,
  creditLines,
  creditRemainder,
  type LineCredit,
  remainingByLine,
} from "./credit-allocation";
import { isCalendarDate } from "./dates";
import { assembleDocument } from "./document-assembly";
import { documentTotals } from "./document-totals";
import { creditLineItem } from "./line-arithmetic";
import { formatAmount, Money, sum } from "./money";
import { isCorrelative } from "./order-validation";
import { Problems, type ReceiptProblem } from "./problems";
import type { CreditNote } from "./receipt-schema";
import { INVOICE_SERIES, type StoreConfig, TICKET_SERIES } from "./store-config";
import { CREDIT_NOTE_CUSTOMER_NAME_MAX, CUSTOMER_NAME_MIN, characterCount } from "./text";

/**
 * The credit note builder (Nota de crédito 07): the accepted sale receipt as it was issued + the store's
 * configuration + a motive (Catálogo 09) + what earlier notes credited + what to credit now → the body of
 * `POST /v1/receipts` for the note and its allocation, or every rule the request breaks. Pure: no I/O, no clock
 * (the caller gives the issue date), decimal arithmetic only.
 *
 * The note mirrors the receipt line by line (same Catálogo 07 code, product, unit, customer, currency); what
 * each line credits is decided in credit-allocation.ts. Motive and scope go together:
 *   01 Anulación de la operación, 02 Anulación por error en el RUC, 06 Devolución total → the whole remainder;
 *   07 Devolución por ítem → lines and quantities;
 *   09 Disminución en el valor → an amount (a partial refund whose lines are not known).
 * The other Catálogo 09 motives (corrections, discounts, bonuses, export and IVAP adjustments, payment terms)
 * are not issued by this product and are refused by name.
 */

export interface CreditNoteRequest {
  /** Catálogo 09 code: "01", "02", "06" (whole remainder), "07" (lines), "09" (amount). */
  motive: string;
  scope: CreditScope;
  /** The allocations of the earlier notes on the same receipt that may take effect (see CreditAllocation). */
  alreadyCredited?: readonly CreditAllocation[];
  /** Fecha de emisión of the note (YYYY-MM-DD, Peru time); not before the receipt's. */
  issueDate: string;
  /** The number reserved for the note in its series; absent → the API assigns the next one. */
  correlative?: number;
  /** The order the note belongs to; default: the receipt's order_id. */
  orderId?: number | string;
  /** SERIES-NUMBER of the receipt; default: its document_number, else its series and correlative. */
  affectedDocumentNumber?: string;
}

export type BuildCreditNoteResult =
  | { ok: true; note: CreditNote; allocation: CreditAllocation }
  | { ok: false; problems: ReceiptProblem[] };

/** Which scope each motive this product issues takes. */
export const CREDIT_NOTE_SCOPES = {
  "01": "remainder",
  "02": "remainder",
  "06": "remainder",
  "07": "lines",
  "09": "amount",
} as const satisfies Partial<Record<CreditNoteMotiveCode, CreditScope["kind"]>>;
type IssuedMotive = keyof typeof CREDIT_NOTE_SCOPES;

function isIssuedMotive(code: CreditNoteMotiveCode): code is IssuedMotive {
  return Object.hasOwn(CREDIT_NOTE_SCOPES, code);
}

/**
 * Build the credit note for `receipt` (the sale receipt as issued: the body POSTed or the API's receipt object)
 * issued by `store`.
 */
export function buildCreditNote(
  receipt: unknown,
  store: StoreConfig,
  request: CreditNoteRequest,
): BuildCreditNoteResult {
  const problems = new Problems();
  const motive = checkMotive(request, problems);
  checkIssueAndNumber(request, problems);
  const affected = readAffectedReceipt(receipt, store, request.affectedDocumentNumber, problems);
  if (!affected || problems.any || !motive) return { ok: false, problems: problems.list };

  const isInvoice = affected.documentType === DOCUMENT_TYPE.FACTURA;
  const seriesField = isInvoice ? "series.credit_invoice" : "series.credit_ticket";
  const series = isInvoice ? store.series.credit_invoice : store.series.credit_ticket;
  // SUNAT 2116 / 2399: a note on a Factura is in an F series, on a Boleta in a B series (or contingency digits).
  if (!(isInvoice ? INVOICE_SERIES : TICKET_SERIES).test(series)) {
    problems.add(
      seriesField,
      "series_format",
      `La serie de notas de crédito "${series}" no es válida para ${isInvoice ? "una Factura: F" : "una Boleta: B"} seguida de 3 letras o dígitos, o 4 dígitos en contingencia.`,
    );
  }
  if (affected.issueDate && request.issueDate < affected.issueDate) {
    problems.add(
      "issueDate",
      "issue_date_before_receipt",
      `La nota (${request.issueDate}) no puede tener fecha anterior a la del comprobante (${affected.issueDate}).`,
    );
  }
  const orderId = request.orderId ?? affected.orderId;
  if (orderId === null || orderId === undefined || String(orderId).trim() === "") {
    problems.add("orderId", "order_id_required", "La nota debe llevar el pedido (order_id) del comprobante.");
  }
  const nameLength = characterCount(affected.customer.name);
  if (nameLength < CUSTOMER_NAME_MIN || nameLength > CREDIT_NOTE_CUSTOMER_NAME_MAX) {
    problems.add(
      "receipt.customer_information.name",
      "customer_name_length",
      `En una nota de crédito el nombre del cliente debe tener de ${CUSTOMER_NAME_MIN} a ${CREDIT_NOTE_CUSTOMER_NAME_MAX} caracteres (SUNAT 2022; tiene ${nameLength}).`,
    );
  }
  const remaining = remainingByLine(affected, request.alreadyCredited ?? [], problems);
  if (!remaining || problems.any) return { ok: false, problems: problems.list };

  const alreadyCredited = affected.grossTotal.minus(
    sum(remaining.map((left) => left.net.plus(left.igv).plus(left.plastic))),
  );
  const credits = creditsFor(request.scope, affected, remaining, problems);
  if (problems.any) return { ok: false, problems: problems.list };
  // A note credits money: gifts (free lines) go with it, never alone.
  const money = sum(credits.map((credit) => credit.net.plus(credit.igv).plus(credit.plastic)));
  if (money.isZero()) {
    return request.scope.kind === "lines"
      ? refused(
          "scope.lines",
          "zero_amount",
          "Los ítems indicados no tienen importe por acreditar (solo obsequios).",
        )
      : refused(
          "scope",
          "nothing_left_to_credit",
          `Al comprobante ya no le queda nada por acreditar (total ${formatAmount(affected.grossTotal)}, acreditado ${formatAmount(alreadyCredited)}).`,
        );
  }

  const lineItems = credits.map(creditLineItem);
  const totals = documentTotals(
    lineItems.map(({ amounts }) => amounts),
    null,
  );
  // Defence in depth: the allocation guarantees this; never emit a note that breaks it.
  if (totals.grossTotal.plus(alreadyCredited).gt(affected.grossTotal)) {
    return refused(
      "scope",
      "credit_exceeds_receipt",
      `Con esta nota (${formatAmount(totals.grossTotal)}) se acreditaría más que el total del comprobante (${formatAmount(affected.grossTotal)}; ya acreditado ${formatAmount(alreadyCredited)}).`,
    );
  }

  const reference = {
    affected_document_type_code: affected.documentType,
    affected_document_number: affected.documentNumber,
    note_motive_code: motive,
    note_motive_description: CREDIT_NOTE_MOTIVE[motive],
  };
  const body = assembleDocument({
    orderId: orderId as number | string,
    storeId: store.store_id,
    documentTypeCode: DOCUMENT_TYPE.NOTA_DE_CREDITO,
    series,
    ...(request.correlative !== undefined ? { correlative: request.correlative } : {}),
    issueDate: request.issueDate,
    currency: affected.currency,
    reference,
    totals,
    vendor: store.vendor_information,
    customer: affected.customer,
    globalDiscounts: [],
    items: lineItems.map(({ item }) => item),
  });
  // The reference is already in place (after currency_code, as in the seed's receipt object); spread again
  // so the type knows it is there.
  const note: CreditNote = { ...body, ...reference };
  return { ok: true, note, allocation: allocationOf(affected, credits) };
}

function refused(field: string, rule: string, message: string): BuildCreditNoteResult {
  return { ok: false, problems: [{ field, rule, message }] };
}

/** The motive: in Catálogo 09, one this product issues, and with the scope it goes with. */
function checkMotive(request: CreditNoteRequest, problems: Problems): IssuedMotive | null {
  const motive = String(request.motive ?? "").trim();
  if (!isCreditNoteMotiveCode(motive)) {
    problems.add("motive", "motive_catalog", `El motivo "${motive}" no existe en el Catálogo 09.`);
    return null;
  }
  if (!isIssuedMotive(motive)) {
    problems.add(
      "motive",
      "motive_not_supported",
      `El motivo ${motive} (${CREDIT_NOTE_MOTIVE[motive]}) no se emite: use 01, 02 o 06 (todo lo pendiente), 07 (por ítem) o 09 (un monto).`,
    );
    return null;
  }
  const expected = CREDIT_NOTE_SCOPES[motive];
  const kind = request.scope?.kind;
  if (kind !== expected) {
    const what = { remainder: "todo lo pendiente", lines: "ítems y cantidades", amount: "un monto" } as const;
    problems.add(
      "scope",
      "motive_scope_mismatch",
      `El motivo ${motive} (${CREDIT_NOTE_MOTIVE[motive]}) acredita ${what[expected]}${kind && Object.hasOwn(what, kind) ? `, no ${what[kind as keyof typeof what]}` : ""}.`,
    );
    return null;
  }
  return motive;
}

function checkIssueAndNumber(request: CreditNoteRequest, problems: Problems): void {
  if (typeof request.issueDate !== "string" || !isCalendarDate(request.issueDate)) {
    problems.add(
      "issueDate",
      "issue_date",
      "La fecha de emisión de la nota debe tener el formato AAAA-MM-DD.",
    );
  }
  if (request.correlative !== undefined && !isCorrelative(request.correlative)) {
    problems.add("correlative", "correlative_format", "El correlativo debe ser un entero de 1 a 99999999.");
  }
}

function creditsFor(
  scope: CreditScope,
  affected: NonNullable<ReturnType<typeof readAffectedReceipt>>,
  remaining: NonNullable<ReturnType<typeof remainingByLine>>,
  problems: Problems,
): LineCredit[] {
  switch (scope.kind) {
    case "remainder":
      return creditRemainder(affected, remaining);
    case "lines":
      return creditLines(affected, remaining, scope.lines ?? [], problems);
    case "amount": {
      const amount = refundAmount(scope, affected.currency, problems);
      return amount ? creditAmount(affected, remaining, amount, problems) : [];
    }
  }
}

function refundAmount(
  scope: Extract<CreditScope, { kind: "amount" }>,
  currency: string,
  problems: Problems,
): Decimal | null {
  if (scope.currency_code !== undefined && scope.currency_code.trim().toUpperCase() !== currency) {
    problems.add(
      "scope.currency_code",
      "currency_mismatch",
      `El reembolso es en ${scope.currency_code} y el comprobante en ${currency}: la nota va en la moneda del comprobante.`,
    );
    return null;
  }
  const text = String(scope.amount).trim();
  if (!/^-?\d+(\.\d+)?$/.test(text)) {
    problems.add(
      "scope.amount",
      "amount_format",
      "El monto a acreditar debe ser un número decimal, p. ej. 10.50.",
    );
    return null;
  }
  const amount = new Money(text);
  if (amount.isZero()) {
    problems.add("scope.amount", "zero_amount", "El monto a acreditar es cero: no hay nota que emitir.");
    return null;
  }
  if (amount.isNegative() || amount.decimalPlaces() > 2) {
    problems.add(
      "scope.amount",
      "amount_format",
      "El monto a acreditar debe ser positivo y tener hasta 2 decimales.",
    );
    return null;
  }
  return amount;
}
