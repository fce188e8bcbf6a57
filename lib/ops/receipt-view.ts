import type { AceleralaOrder } from "../acelerala/schemas";
import { CREDIT_NOTE_MOTIVE } from "../receipt";
import type { StateOrNone } from "../store/lifecycle";
import type {
  BurntNumber,
  ReceiptRecord,
  ReceiptState,
  ReissueRequest,
  ReleasedNumber,
  ReplacedNumber,
  TakenNumber,
} from "../store/receipt-record";
import type { StateFilter } from "./args";
import { formatMoney, formatTable, peruDateTime, safeText } from "./text";

/**
 * The one view of a receipt that `cpe status`, `cpe receipts` and the web console share: pure functions from
 * records (and the order as Acelérala has it) to view models, and from view models to text. Customer data is
 * masked and free text scrubbed here, before anything is printed or rendered.
 *
 * Two audiences, two languages: what a person reads is Spanish (the merchant's language, as the seed's store
 * plugin); the view models' keys are stable English, and a value that does not exist is `null`, never "-", so
 * `--json` can be read by programs.
 */

// ---- labels -----------------------------------------------------------------------------------------------

/** The "Estado en API/SUNAT" column of the seed's store plugin, extended with our states. */
export const STATE_LABELS: Readonly<Record<ReceiptState, string>> = {
  ACCEPTED: "ACEPTADO",
  REJECTED: "RECHAZADO",
  SUBMITTED: "REGISTRADO", // the API has it, SUNAT has not answered yet (the plugin's word)
  NEEDS_ATTENTION: "ATENCIÓN",
  STALE: "VENCIDO",
  RESERVED: "RESERVADO",
  SKIPPED: "N/A", // never sent: the order is not payable now (any number it held was released)
  CANCELED: "CANCELADO", // the order was cancelled before any receipt existed
};

/** The plugin's label for a document never sent to the API. */
export const NO_RECEIPT_LABEL = "N/A";

/** "N/A", as in the seed, for anything that never reached the API under a state we know. */
export function stateLabel(state: string | undefined | null): string {
  return state !== undefined && state !== null && Object.hasOwn(STATE_LABELS, state)
    ? STATE_LABELS[state as ReceiptState]
    : NO_RECEIPT_LABEL;
}

/** Whether a sale receipt's state (undefined: the order has no record) passes a state filter. */
export function matchesStateFilter(
  state: ReceiptState | undefined,
  filter: StateFilter | undefined,
): boolean {
  if (filter === undefined) return true;
  if (filter === "NONE") return state === undefined || state === "SKIPPED";
  return state === filter;
}

/** The filters the console offers, in the order a merchant looks for them, with their labels. */
export const STATE_FILTER_OPTIONS: readonly { value: StateFilter; label: string }[] = [
  { value: "NONE", label: "N/A (sin comprobante)" },
  { value: "NEEDS_ATTENTION", label: "ATENCIÓN" },
  { value: "REJECTED", label: "RECHAZADO" },
  { value: "SUBMITTED", label: "REGISTRADO" },
  { value: "ACCEPTED", label: "ACEPTADO" },
  { value: "STALE", label: "VENCIDO" },
  { value: "RESERVED", label: "RESERVADO" },
  { value: "CANCELED", label: "CANCELADO" },
];

const DOCUMENT_TYPE_NAMES: Readonly<Record<string, string>> = {
  "01": "Factura",
  "03": "Boleta",
  "07": "Nota de crédito",
};

export function documentTypeName(code: string | undefined | null): string | null {
  if (code === undefined || code === null) return null;
  return DOCUMENT_TYPE_NAMES[code] ?? `Tipo ${code}`;
}

/** "Factura F001-66", "Boleta B001-51", "Boleta" (no number yet), "-" (no type known). */
export function documentLabel(record: Pick<ReceiptRecord, "documentTypeCode" | "documentNumber">): string {
  const name = documentTypeName(record.documentTypeCode);
  if (!name) return record.documentNumber ?? "-";
  return record.documentNumber ? `${name} ${record.documentNumber}` : name;
}

export function totalLabel(record: Pick<ReceiptRecord, "currencyCode" | "grossTotal">): string {
  return formatMoney(record.currencyCode, record.grossTotal);
}

/** The receipt's files in Acelérala; null until the API has them. */
export interface ReceiptLinks {
  xml: string | null;
  pdf: string | null;
  cdr: string | null;
}

export const LINK_KINDS = ["xml", "pdf", "cdr"] as const;

export function linksOf(
  record: Pick<ReceiptRecord, "xmlUrl" | "pdfUrl" | "cdrUrl"> | undefined,
): ReceiptLinks {
  return { xml: record?.xmlUrl ?? null, pdf: record?.pdfUrl ?? null, cdr: record?.cdrUrl ?? null };
}

/** The short labels of the links that exist: "XML PDF CDR", or "-" when none. */
export function linkLabels(links: ReceiptLinks): string {
  return (
    LINK_KINDS.filter((kind) => links[kind] !== null)
      .map((kind) => kind.toUpperCase())
      .join(" ") || "-"
  );
}

/** "2026-11-21 12:05" in Peru, or "-". */
export function dateTimeLabel(iso: string | null | undefined): string {
  return peruDateTime(iso ?? undefined);
}

// ---- one record: the parts a sale receipt and a credit note share -------------------------------------------

export interface ProblemView {
  field: string;
  rule: string;
  message: string;
}

export interface HistoryStepView {
  at: string;
  from: StateOrNone | null;
  to: ReceiptState;
  why: string;
}

function problemsOf(record: ReceiptRecord): ProblemView[] {
  return (record.problems ?? []).map((problem) => ({ ...problem, message: safeText(problem.message) }));
}

function historyOf(record: ReceiptRecord): HistoryStepView[] {
  return (record.history ?? []).map((step) => ({ ...step, why: safeText(step.why) }));
}

function nullable<T>(value: T | undefined | null): T | null {
  return value === undefined ? null : value;
}

function scrubbed(value: string | undefined | null): string | null {
  return value === undefined || value === null ? null : safeText(value);
}

/** What a credit note shows: its number, motive, SUNAT answer and links. */
export interface CreditNoteView {
  /** The note's key within the order (`NOTE#…`). */
  key: string;
  state: ReceiptState;
  stateLabel: string;
  document: string;
  documentNumber: string | null;
  /** The receipt the note modifies (F001-66). */
  affectedDocumentNumber: string | null;
  /** Catálogo 09 code and its official text. */
  motiveCode: string | null;
  motive: string | null;
  /** Why the order owes the note (a refund transaction, a cancellation…), as recorded. */
  reason: string | null;
  currencyCode: string | null;
  grossTotal: string | null;
  total: string;
  issueDate: string | null;
  sunatCode: string | null;
  sunatMessage: string | null;
  links: ReceiptLinks;
  problems: ProblemView[];
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  history: HistoryStepView[];
}

export function creditNoteView(record: ReceiptRecord): CreditNoteView {
  const motiveCode = record.noteMotive ?? null;
  const motive =
    motiveCode !== null && Object.hasOwn(CREDIT_NOTE_MOTIVE, motiveCode)
      ? CREDIT_NOTE_MOTIVE[motiveCode as keyof typeof CREDIT_NOTE_MOTIVE]
      : null;
  return {
    key: record.document ?? "",
    state: record.state,
    stateLabel: stateLabel(record.state),
    document: documentLabel({
      documentTypeCode: record.documentTypeCode ?? "07",
      documentNumber: record.documentNumber,
    }),
    documentNumber: nullable(record.documentNumber),
    affectedDocumentNumber: nullable(record.affectedDocumentNumber),
    motiveCode,
    motive,
    reason: scrubbed(record.noteReason),
    currencyCode: nullable(record.currencyCode),
    grossTotal: nullable(record.grossTotal),
    total: totalLabel(record),
    issueDate: nullable(record.issueDate),
    sunatCode: nullable(record.sunatCode),
    sunatMessage: scrubbed(record.sunatMessage),
    links: linksOf(record),
    problems: problemsOf(record),
    lastError: scrubbed(record.lastError),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    history: historyOf(record),
  };
}

/** Oldest first, by when each note's record was created. */
function notesInOrder(notes: readonly ReceiptRecord[]): CreditNoteView[] {
  return [...notes]
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0))
    .map(creditNoteView);
}

// ---- cpe status and the console's order page ---------------------------------------------------------------

/** What `cpe status --json` prints: the record without the raw request body, customer masked, text scrubbed. */
export interface ReceiptStatusView {
  storeId: number;
  orderId: number;
  state: ReceiptState;
  stateLabel: string;
  document: string;
  documentTypeCode: string | null;
  documentNumber: string | null;
  currencyCode: string | null;
  grossTotal: string | null;
  total: string;
  receiptId: number | null;
  issueDate: string | null;
  /** The customer's identity document as the receipt names it, masked: type code and last 3 characters. */
  customerDocument: string | null;
  /** RESERVED: when a POST with the held number was last possibly made. */
  postedAt: string | null;
  /** SKIPPED / CANCELED: why the order has no receipt. */
  skipReason: string | null;
  sunatCode: string | null;
  sunatMessage: string | null;
  links: ReceiptLinks;
  /** Numbers SUNAT rejected (burnt) before a resend issued the order under a new one; oldest first. */
  burntNumbers: BurntNumber[];
  /** Numbers this order reserved and gave up, proven never landed; never POSTed again. */
  releasedNumbers: ReleasedNumber[];
  /** Numbers this order reserved that another receipt (another order's, or one made by hand) holds. */
  takenNumbers: TakenNumber[];
  /** Receipts of this order that landed, differed, and were undone by a credit note (`cpe reissue`). */
  replacedNumbers: ReplacedNumber[];
  /** A reissue the operator asked for and the worker has not finished. */
  reissue: ReissueRequest | null;
  problems: ProblemView[];
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  submittedAt: string | null;
  finalizedAt: string | null;
  pollCount: number | null;
  nextPollAt: string | null;
  history: HistoryStepView[];
  /** The order's credit notes, oldest first. */
  creditNotes: CreditNoteView[];
}

export function statusView(record: ReceiptRecord, notes: readonly ReceiptRecord[] = []): ReceiptStatusView {
  return {
    storeId: record.storeId,
    orderId: record.orderId,
    state: record.state,
    stateLabel: stateLabel(record.state),
    document: documentLabel(record),
    documentTypeCode: nullable(record.documentTypeCode),
    documentNumber: nullable(record.documentNumber),
    currencyCode: nullable(record.currencyCode),
    grossTotal: nullable(record.grossTotal),
    total: totalLabel(record),
    receiptId: nullable(record.receiptId),
    issueDate: nullable(record.issueDate),
    customerDocument: nullable(record.customerDocument),
    postedAt: nullable(record.postedAt),
    skipReason: scrubbed(record.skipReason),
    sunatCode: nullable(record.sunatCode),
    sunatMessage: scrubbed(record.sunatMessage),
    links: linksOf(record),
    burntNumbers: (record.burntNumbers ?? []).map((burnt) => ({ ...burnt })),
    releasedNumbers: (record.releasedNumbers ?? []).map((released) => ({
      ...released,
      why: safeText(released.why),
    })),
    takenNumbers: (record.takenNumbers ?? []).map((taken) => ({ ...taken })),
    replacedNumbers: (record.replacedNumbers ?? []).map((replaced) => ({ ...replaced })),
    reissue: record.reissue ? { ...record.reissue } : null,
    problems: problemsOf(record),
    lastError: scrubbed(record.lastError),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    submittedAt: nullable(record.submittedAt),
    finalizedAt: nullable(record.finalizedAt),
    pollCount: nullable(record.pollCount),
    nextPollAt: record.nextPollAt === undefined ? null : new Date(record.nextPollAt).toISOString(),
    history: historyOf(record),
    creditNotes: notesInOrder(notes),
  };
}

/** One labelled value of a view, as `cpe status` prints it and the console's order page shows it. */
export interface Field {
  label: string;
  value: string;
}

/** "F001-12: comprobante 987, SUNAT 2017; reenviado 2026-11-21T17:05:00.000Z". */
function burntNumberLine(burnt: BurntNumber): string {
  const answer = [
    burnt.receiptId === undefined ? undefined : `comprobante ${burnt.receiptId}`,
    burnt.sunatCode === undefined || burnt.sunatCode === null ? undefined : `SUNAT ${burnt.sunatCode}`,
  ].filter(Boolean);
  return `${burnt.documentNumber}: ${answer.length > 0 ? `${answer.join(", ")}; ` : ""}reenviado ${dateTimeLabel(burnt.at)}`;
}

/** The receipt's facts as labelled values, in the order the merchant reads them. Pure; no markup. */
export function statusFields(view: ReceiptStatusView): Field[] {
  const fields: Field[] = [];
  const add = (label: string, value: string | null) => {
    if (value !== null) fields.push({ label, value });
  };
  add("Pedido", `#${view.orderId} (tienda ${view.storeId})`);
  add("Estado en API/SUNAT", `${view.stateLabel} (${view.state})`);
  add(
    "Documento",
    view.documentTypeCode ? `${view.document} (tipo ${view.documentTypeCode})` : view.document,
  );
  add("Total", view.total);
  add("Fecha de emisión", view.issueDate);
  add("Cliente", view.customerDocument === null ? null : `documento ${view.customerDocument}`);
  add("Por qué no tiene", view.skipReason);
  add(
    "Enviado",
    view.postedAt === null
      ? null
      : `${dateTimeLabel(view.postedAt)} (sin confirmar: se consulta antes de cualquier nuevo envío)`,
  );
  add("Id en Acelérala", view.receiptId === null ? null : String(view.receiptId));
  add(
    "Reemisión en curso",
    view.reissue === null
      ? null
      : `${view.reissue.documentNumber}: nota de crédito de motivo ${view.reissue.motive}, luego un comprobante nuevo (pedida ${dateTimeLabel(view.reissue.at)})`,
  );
  add("Código SUNAT", view.sunatCode);
  add("Descripción de la respuesta", view.sunatMessage);
  add("Creado", dateTimeLabel(view.createdAt));
  add("Actualizado", dateTimeLabel(view.updatedAt));
  add("Registrado en la API", view.submittedAt === null ? null : dateTimeLabel(view.submittedAt));
  add("Respuesta final", view.finalizedAt === null ? null : dateTimeLabel(view.finalizedAt));
  add(
    "Próxima consulta del CDR",
    view.nextPollAt === null
      ? null
      : `${dateTimeLabel(view.nextPollAt)} (consultado ${view.pollCount ?? 0} veces)`,
  );
  add("Último error", view.lastError);
  return fields;
}

/** The numbers the order burnt, released or found taken, one line each (Spanish). */
export function numberLines(view: ReceiptStatusView): { title: string; lines: string[] }[] {
  const groups: { title: string; lines: string[] }[] = [];
  if (view.burntNumbers.length > 0)
    groups.push({
      title: "Números rechazados por SUNAT (quemados)",
      lines: view.burntNumbers.map(burntNumberLine),
    });
  if (view.releasedNumbers.length > 0)
    groups.push({
      title: "Números liberados (nunca llegaron; no se vuelven a usar)",
      lines: view.releasedNumbers.map(
        (released) => `${released.documentNumber}: ${dateTimeLabel(released.at)}, ${released.why}`,
      ),
    });
  if (view.replacedNumbers.length > 0)
    groups.push({
      title: "Comprobantes anulados con nota de crédito y reemplazados",
      lines: view.replacedNumbers.map(
        (replaced) =>
          `${replaced.documentNumber}: comprobante ${replaced.receiptId}, anulado por ${replaced.creditNote}; ${dateTimeLabel(replaced.at)}`,
      ),
    });
  if (view.takenNumbers.length > 0)
    groups.push({
      title: "Números que tienen otros comprobantes",
      lines: view.takenNumbers.map((taken) => {
        const holder =
          taken.holderOrderId === null
            ? "ningún pedido (hecho fuera de este sistema)"
            : `el pedido #${taken.holderOrderId}`;
        return `${taken.documentNumber}: comprobante ${taken.receiptId} de ${holder}; visto ${dateTimeLabel(taken.at)}`;
      }),
    });
  return groups;
}

/** A credit note as labelled values. */
export function creditNoteFields(note: CreditNoteView): Field[] {
  const fields: Field[] = [];
  const add = (label: string, value: string | null) => {
    if (value !== null) fields.push({ label, value });
  };
  add("Estado en API/SUNAT", `${note.stateLabel} (${note.state})`);
  add("Modifica", note.affectedDocumentNumber);
  add("Motivo", note.motiveCode === null ? null : `${note.motiveCode} ${note.motive ?? ""}`.trim());
  add("Por qué", note.reason);
  add("Total", note.total);
  add("Fecha de emisión", note.issueDate);
  add("Código SUNAT", note.sunatCode);
  add("Descripción de la respuesta", note.sunatMessage);
  add("Último error", note.lastError);
  return fields;
}

function historyLine(step: HistoryStepView): string {
  const from = step.from === null || step.from === "NONE" ? "(nuevo)" : step.from;
  return `${dateTimeLabel(step.at)}  ${from.padEnd(15)} → ${step.to.padEnd(15)}  ${step.why}`;
}

function linkLines(links: ReceiptLinks): string[] {
  return LINK_KINDS.filter((kind) => links[kind] !== null).map(
    (kind) => `  ${kind.toUpperCase().padEnd(5)}${links[kind]}`,
  );
}

/**
 * `cpe status` as text: the receipt, the numbers it burnt, released or found taken, its links, problems and
 * history (oldest first), then each credit note with its SUNAT answer.
 */
export function formatStatus(view: ReceiptStatusView): string {
  const lines: string[] = [];
  const fields = statusFields(view);
  const width = Math.max(...fields.map((field) => field.label.length)) + 2;
  for (const field of fields) lines.push(`${`${field.label}:`.padEnd(width)}${field.value}`);
  for (const group of numberLines(view)) {
    lines.push(`${group.title}:`);
    for (const line of group.lines) lines.push(`  ${line}`);
  }
  const links = linkLines(view.links);
  lines.push(links.length === 0 ? "Enlaces: ninguno todavía" : "Enlaces:", ...links);
  if (view.problems.length > 0) {
    lines.push("Problemas por corregir:");
    for (const problem of view.problems)
      lines.push(`  ${problem.field} [${problem.rule}]: ${problem.message}`);
  }
  lines.push("Historial:");
  if (view.history.length === 0) lines.push("  (vacío)");
  for (const step of view.history) lines.push(`  ${historyLine(step)}`);
  if (view.creditNotes.length === 0) lines.push("Notas de crédito: ninguna");
  for (const note of view.creditNotes) {
    lines.push(`${note.document}:`);
    for (const field of creditNoteFields(note)) lines.push(`  ${field.label}: ${field.value}`);
    for (const line of linkLines(note.links)) lines.push(`  ${line}`);
    for (const problem of note.problems)
      lines.push(`    ${problem.field} [${problem.rule}]: ${problem.message}`);
  }
  return lines.join("\n");
}

// ---- the order list: cpe receipts and the console's table ---------------------------------------------------

/** What the listing reads of an Acelérala order (the API's loose object): never a document number or e-mail. */
export interface OrderFacts {
  orderId: number;
  created: string | null;
  placed: string | null;
  canceled: string | null;
  paymentStatus: string | null;
  currencyCode: string | null;
  total: string | null;
  /** The company, else first and last name, of the billing details. */
  customerName: string | null;
  /** The shipping city (the plugin's "Ciudad del envío"), else the billing city. */
  city: string | null;
  /** The document the customer asked for: 01 Factura, 03 Boleta; null when the order does not say. */
  requestedDocumentTypeCode: "01" | "03" | null;
}

function textField(value: unknown): string | null {
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value !== "string") return null;
  const text = value.replace(/\s+/g, " ").trim();
  return text === "" ? null : text;
}

function objectField(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

export function orderFacts(order: AceleralaOrder): OrderFacts {
  const billing = objectField(order.billing_details);
  const shipping = objectField(order.shipping_address);
  const person = [textField(billing.first_name), textField(billing.last_name)].filter(Boolean).join(" ");
  const receiptType = textField(billing.receipt_type)?.toLowerCase();
  // The same choice the receipt builder makes (lib/receipt/order-validation.ts): receipt_type decides, else
  // a RUC customer gets a Factura. Only a label for orders without a record; the record says what was built.
  const requested =
    receiptType === "invoice"
      ? "01"
      : receiptType === "ticket"
        ? "03"
        : receiptType === undefined
          ? textField(billing.document_type)?.toLowerCase() === "ruc"
            ? "01"
            : "03"
          : null;
  return {
    orderId: Number(order.id),
    created: textField(order.created),
    placed: textField(order.placed),
    canceled: textField(order.canceled),
    paymentStatus: textField(order.payment_status),
    currencyCode: textField(order.currency_code),
    total: textField(order.total),
    customerName: scrubbed(textField(billing.company) ?? (person === "" ? null : person)),
    city: scrubbed(textField(shipping.city) ?? textField(billing.city)),
    requestedDocumentTypeCode: requested,
  };
}

/** The seed's payment statuses in the merchant's words (the plugin's "Estado" column). */
const PAYMENT_STATUS_LABELS: Readonly<Record<string, string>> = {
  pending: "Pago pendiente",
  authorized: "Pago autorizado",
  partially_paid: "Pago parcial",
  paid: "Pagado",
  partially_refunded: "Dev. parcial",
  refunded: "Devuelto",
  voided: "Anulado",
};

/** The order's own state: cancelled, not placed yet, or its payment status. */
export function orderStatus(facts: OrderFacts): { status: string | null; label: string } {
  if (facts.canceled !== null) return { status: "canceled", label: "Cancelado" };
  if (facts.placed === null && facts.created !== null)
    return { status: "not_placed", label: "Sin confirmar" };
  const status = facts.paymentStatus;
  if (status === null) return { status: null, label: "-" };
  return { status, label: PAYMENT_STATUS_LABELS[status] ?? status };
}

/** A credit note as a line under its order in the listing. */
export interface NoteRowView {
  document: string;
  documentNumber: string | null;
  state: ReceiptState;
  stateLabel: string;
  currencyCode: string | null;
  grossTotal: string | null;
  total: string;
  links: ReceiptLinks;
}

/** One order of the store, with or without a receipt: a line of `cpe receipts` and a row of the console. */
export interface OrderRowView {
  storeId: number;
  orderId: number;
  /** When the order was created (ISO); the plugin's "Fecha". */
  orderDate: string | null;
  /** The order's state: paid, pending, …, canceled, not_placed; null when unknown (the order was not read). */
  orderStatus: string | null;
  orderStatusLabel: string;
  customerName: string | null;
  city: string | null;
  /** The sale receipt's state; null when the order has no record (the plugin's N/A). */
  state: ReceiptState | null;
  stateLabel: string;
  documentTypeCode: string | null;
  documentNumber: string | null;
  /** "Factura F001-66", or the document the order asks for ("Boleta") when there is none yet. */
  document: string;
  currencyCode: string | null;
  /** The receipt's total, else the order's: every row has one when either is known. */
  total: string | null;
  totalLabel: string;
  issueDate: string | null;
  sunatCode: string | null;
  sunatMessage: string | null;
  links: ReceiptLinks;
  creditNotes: NoteRowView[];
}

export interface OrderRowSource {
  storeId: number;
  orderId: number;
  /** The order as Acelérala has it; undefined when only the record is known (the order was not listed). */
  order?: AceleralaOrder;
  record?: ReceiptRecord;
  notes?: readonly ReceiptRecord[];
}

export function orderRow(source: OrderRowSource): OrderRowView {
  const facts = source.order ? orderFacts(source.order) : undefined;
  const record = source.record;
  const status = facts ? orderStatus(facts) : { status: null, label: "-" };
  const documentTypeCode = record?.documentTypeCode ?? facts?.requestedDocumentTypeCode ?? null;
  const currencyCode = record?.grossTotal ? (record.currencyCode ?? null) : (facts?.currencyCode ?? null);
  const total = record?.grossTotal ?? facts?.total ?? null;
  return {
    storeId: source.storeId,
    orderId: source.orderId,
    orderDate: facts?.created ?? record?.createdAt ?? null,
    orderStatus: status.status,
    orderStatusLabel: status.label,
    customerName: facts?.customerName ?? null,
    city: facts?.city ?? null,
    state: record?.state ?? null,
    stateLabel: stateLabel(record?.state),
    documentTypeCode,
    documentNumber: record?.documentNumber ?? null,
    document: documentLabel({
      documentTypeCode: documentTypeCode ?? undefined,
      documentNumber: record?.documentNumber,
    }),
    currencyCode,
    total,
    totalLabel: formatMoney(currencyCode ?? undefined, total ?? undefined),
    issueDate: record?.issueDate ?? null,
    sunatCode: record?.sunatCode ?? null,
    sunatMessage: scrubbed(record?.sunatMessage),
    links: linksOf(record),
    creditNotes: notesInOrder(source.notes ?? []).map((note) => ({
      document: note.document,
      documentNumber: note.documentNumber,
      state: note.state,
      stateLabel: note.stateLabel,
      currencyCode: note.currencyCode,
      grossTotal: note.grossTotal,
      total: note.total,
      links: note.links,
    })),
  };
}

/** A terminal hyperlink (OSC 8): the label shows, the terminal opens the URL. */
function terminalLink(label: string, url: string): string {
  return `\u001b]8;;${url}\u0007${label}\u001b]8;;\u0007`;
}

function linkCell(links: ReceiptLinks, hyperlinks: boolean): string {
  const present = LINK_KINDS.filter((kind) => links[kind] !== null);
  if (present.length === 0) return "-";
  return present
    .map((kind) => (hyperlinks ? terminalLink(kind.toUpperCase(), links[kind] ?? "") : kind.toUpperCase()))
    .join(" ");
}

/** Cut to `width` characters with "…" when longer. */
export function truncate(text: string, width: number): string {
  const characters = [...text];
  return characters.length <= width ? text : `${characters.slice(0, Math.max(1, width - 1)).join("")}…`;
}

/** The table `cpe receipts` prints is at most this wide. */
export const LIST_WIDTH = 120;

/**
 * `cpe receipts` as text, the plugin's columns: Pedido, Fecha (Peru), Cliente, Ciudad, Estado (the order's),
 * Tipo de documento, Estado en API/SUNAT, Total, Enlaces (short labels: XML PDF CDR; with `hyperlinks`, terminal
 * hyperlinks). Each credit note is a line under its order. Customer and city are shortened so that a line never
 * passes LIST_WIDTH columns.
 */
export function formatOrderList(
  rows: readonly OrderRowView[],
  options: { hyperlinks?: boolean } = {},
): string {
  const hyperlinks = options.hyperlinks ?? false;
  const headers = [
    "Pedido",
    "Fecha",
    "Cliente",
    "Ciudad",
    "Estado",
    "Tipo de documento",
    "API/SUNAT",
    "Total",
    "Enlaces",
  ];
  const lines: string[][] = [];
  for (const row of rows) {
    lines.push([
      `#${row.orderId}`,
      dateTimeLabel(row.orderDate).slice(0, 10),
      row.customerName ?? "-",
      row.city ?? "-",
      row.orderStatusLabel,
      row.document,
      row.stateLabel,
      row.totalLabel,
      linkCell(row.links, hyperlinks),
    ]);
    for (const note of row.creditNotes)
      lines.push([
        "",
        "",
        "",
        "",
        "",
        `└ ${note.document.replace("Nota de crédito", "NC")}`,
        note.stateLabel,
        note.total,
        linkCell(note.links, hyperlinks),
      ]);
  }
  // The links column is last (never padded), so its width is the widest plain label, whatever the escapes.
  const linksWidth = Math.max(headers[8]?.length ?? 0, ...lines.map((line) => (line[8] === "-" ? 1 : 11)));
  const fixed = [0, 1, 4, 5, 6, 7].reduce(
    (sum, column) =>
      sum + Math.max(headers[column]?.length ?? 0, ...lines.map((line) => (line[column] ?? "").length)),
    0,
  );
  // What is left for Cliente and Ciudad, two spaces between columns; the customer gets the larger share.
  const room = LIST_WIDTH - fixed - linksWidth - 2 * (headers.length - 1);
  const natural = (column: number) =>
    Math.max(headers[column]?.length ?? 0, ...lines.map((line) => [...(line[column] ?? "")].length));
  const cityWidth = Math.max(headers[3]?.length ?? 6, Math.min(natural(3), Math.floor(room * 0.4)));
  const customerWidth = Math.max(
    headers[2]?.length ?? 7,
    Math.min(natural(2), room - Math.min(natural(3), cityWidth)),
  );
  for (const line of lines) {
    line[2] = truncate(line[2] ?? "", customerWidth);
    line[3] = truncate(line[3] ?? "", cityWidth);
  }
  return formatTable(headers, lines);
}
