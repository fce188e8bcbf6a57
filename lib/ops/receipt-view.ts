import type { StateOrNone } from "../store/lifecycle";
import type {
  BurntNumber,
  ReceiptRecord,
  ReceiptState,
  ReleasedNumber,
  TakenNumber,
} from "../store/receipt-record";
import { formatMoney, formatTable, peruDateTime, safeText } from "./text";

/**
 * How `cpe status` and `cpe receipts` show receipt records: pure functions from records to text or to JSON
 * views. Customer data is masked and free text scrubbed before anything is printed.
 */

/** The "Estado en API/SUNAT" column of the seed's store plugin, extended with our states. */
export const STATE_LABELS: Readonly<Record<ReceiptState, string>> = {
  ACCEPTED: "ACEPTADO",
  REJECTED: "RECHAZADO",
  SUBMITTED: "REGISTRADO", // the API has it, SUNAT has not answered yet
  NEEDS_ATTENTION: "ATENCIÓN",
  STALE: "VENCIDO",
  RESERVED: "RESERVADO",
  SKIPPED: "N/A", // never issued: the order is not payable now (any number it held was released)
  CANCELED: "CANCELADO", // the order was cancelled before any receipt existed
};

/** "N/A", as in the seed, for anything that never reached the API under a state we know. */
export function stateLabel(state: string | undefined): string {
  return state !== undefined && Object.hasOwn(STATE_LABELS, state)
    ? STATE_LABELS[state as ReceiptState]
    : "N/A";
}

const DOCUMENT_TYPE_NAMES: Readonly<Record<string, string>> = { "01": "Factura", "03": "Boleta" };

/** "Factura F001-66", "Boleta B001-51", "Boleta" (no number yet), "-" (no type known). */
export function documentLabel(record: Pick<ReceiptRecord, "documentTypeCode" | "documentNumber">): string {
  const code = record.documentTypeCode;
  const name = code === undefined ? undefined : (DOCUMENT_TYPE_NAMES[code] ?? `Tipo ${code}`);
  if (!name) return record.documentNumber ?? "-";
  return record.documentNumber ? `${name} ${record.documentNumber}` : name;
}

export function totalLabel(record: Pick<ReceiptRecord, "currencyCode" | "grossTotal">): string {
  return formatMoney(record.currencyCode, record.grossTotal);
}

export interface ReceiptLinks {
  xml?: string;
  pdf?: string;
  cdr?: string;
}

export function linksOf(record: Pick<ReceiptRecord, "xmlUrl" | "pdfUrl" | "cdrUrl">): ReceiptLinks {
  const links: ReceiptLinks = {};
  if (record.xmlUrl) links.xml = record.xmlUrl;
  if (record.pdfUrl) links.pdf = record.pdfUrl;
  if (record.cdrUrl) links.cdr = record.cdrUrl;
  return links;
}

/** What `cpe status --json` prints: the record without the raw request body, customer masked, text scrubbed. */
export interface ReceiptStatusView {
  storeId: number;
  orderId: number;
  state: ReceiptState;
  stateLabel: string;
  document: string;
  documentTypeCode?: string;
  documentNumber?: string;
  currencyCode?: string;
  grossTotal?: string;
  total: string;
  receiptId?: number;
  issueDate?: string;
  /** The customer's identity document as the receipt names it, masked: type code and last 3 characters. */
  customerDocument?: string;
  /** RESERVED: when a POST with the held number was last possibly made. */
  postedAt?: string;
  /** SKIPPED / CANCELED: why the order has no receipt. */
  skipReason?: string;
  sunatCode?: string | null;
  sunatMessage?: string | null;
  links: ReceiptLinks;
  /** Numbers SUNAT rejected (burnt) before a resend issued the order under a new one; oldest first. */
  burntNumbers?: BurntNumber[];
  /** Numbers this order reserved and gave up, proven never landed; never POSTed again. */
  releasedNumbers?: ReleasedNumber[];
  /** Numbers this order reserved that another receipt (another order's, or one made by hand) holds. */
  takenNumbers?: TakenNumber[];
  problems: { field: string; rule: string; message: string }[];
  lastError?: string;
  createdAt: string;
  updatedAt: string;
  submittedAt?: string;
  finalizedAt?: string;
  pollCount?: number;
  nextPollAt?: string;
  history: { at: string; from: StateOrNone | null; to: ReceiptState; why: string }[];
}

export function statusView(record: ReceiptRecord): ReceiptStatusView {
  const view: ReceiptStatusView = {
    storeId: record.storeId,
    orderId: record.orderId,
    state: record.state,
    stateLabel: stateLabel(record.state),
    document: documentLabel(record),
    total: totalLabel(record),
    links: linksOf(record),
    problems: (record.problems ?? []).map((problem) => ({ ...problem, message: safeText(problem.message) })),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    history: (record.history ?? []).map((step) => ({ ...step, why: safeText(step.why) })),
  };
  if (record.documentTypeCode !== undefined) view.documentTypeCode = record.documentTypeCode;
  if (record.documentNumber !== undefined) view.documentNumber = record.documentNumber;
  if (record.currencyCode !== undefined) view.currencyCode = record.currencyCode;
  if (record.grossTotal !== undefined) view.grossTotal = record.grossTotal;
  if (record.receiptId !== undefined) view.receiptId = record.receiptId;
  if (record.issueDate !== undefined) view.issueDate = record.issueDate;
  if (record.customerDocument !== undefined) view.customerDocument = record.customerDocument;
  if (record.postedAt !== undefined) view.postedAt = record.postedAt;
  if (record.skipReason !== undefined) view.skipReason = safeText(record.skipReason);
  if (record.sunatCode !== undefined) view.sunatCode = record.sunatCode;
  if (record.sunatMessage !== undefined)
    view.sunatMessage = record.sunatMessage === null ? null : safeText(record.sunatMessage);
  if (record.burntNumbers?.length) view.burntNumbers = record.burntNumbers.map((burnt) => ({ ...burnt }));
  if (record.releasedNumbers?.length)
    view.releasedNumbers = record.releasedNumbers.map((released) => ({
      ...released,
      why: safeText(released.why),
    }));
  if (record.takenNumbers?.length) view.takenNumbers = record.takenNumbers.map((taken) => ({ ...taken }));
  if (record.lastError !== undefined) view.lastError = safeText(record.lastError);
  if (record.submittedAt !== undefined) view.submittedAt = record.submittedAt;
  if (record.finalizedAt !== undefined) view.finalizedAt = record.finalizedAt;
  if (record.pollCount !== undefined) view.pollCount = record.pollCount;
  if (record.nextPollAt !== undefined) view.nextPollAt = new Date(record.nextPollAt).toISOString();
  return view;
}

/** "F001-12  receipt 987, SUNAT 2017; resent 2026-11-21T17:05:00.000Z": what became of a burnt number. */
function burntNumberLine(burnt: BurntNumber): string {
  const answer = [
    burnt.receiptId === undefined ? undefined : `receipt ${burnt.receiptId}`,
    burnt.sunatCode === undefined || burnt.sunatCode === null ? undefined : `SUNAT ${burnt.sunatCode}`,
  ].filter(Boolean);
  return `${burnt.documentNumber}  ${answer.length > 0 ? `${answer.join(", ")}; ` : ""}resent ${burnt.at}`;
}

/**
 * `cpe status` as text: the receipt, the numbers it burnt before (a reissue after a SUNAT rejection), then its
 * problems, last error and history (oldest first).
 */
export function formatStatus(view: ReceiptStatusView): string {
  const lines: string[] = [];
  const field = (label: string, value: string) => lines.push(`${`${label}:`.padEnd(14)}${value}`);
  field("Order", `${view.orderId} (store ${view.storeId})`);
  field("State", `${view.state} (${view.stateLabel})`);
  field(
    "Document",
    view.documentTypeCode ? `${view.document} (type ${view.documentTypeCode})` : view.document,
  );
  field("Total", view.total);
  if (view.issueDate) field("Issue date", view.issueDate);
  if (view.customerDocument) field("Customer", `document ${view.customerDocument}`);
  if (view.skipReason) field("Why none", view.skipReason);
  if (view.postedAt)
    field("Posted at", `${view.postedAt} (not confirmed yet: looked up before any new POST)`);
  if (view.receiptId !== undefined) field("Receipt id", String(view.receiptId));
  if (view.sunatCode !== undefined || view.sunatMessage !== undefined)
    field("SUNAT", [view.sunatCode ?? "-", view.sunatMessage].filter(Boolean).join(" — "));
  if (view.burntNumbers) {
    lines.push("Burnt numbers:");
    for (const burnt of view.burntNumbers) lines.push(`  ${burntNumberLine(burnt)}`);
  }
  if (view.releasedNumbers) {
    lines.push("Released numbers (never landed, never used again):");
    for (const released of view.releasedNumbers)
      lines.push(`  ${released.documentNumber}  ${released.at}  ${released.why}`);
  }
  if (view.takenNumbers) {
    lines.push("Numbers held by other receipts:");
    for (const taken of view.takenNumbers) {
      const holder =
        taken.holderOrderId === null ? "no order (made outside this system)" : `order ${taken.holderOrderId}`;
      lines.push(`  ${taken.documentNumber}  receipt ${taken.receiptId} of ${holder}; seen ${taken.at}`);
    }
  }
  field("Created", `${view.createdAt} (Peru ${peruDateTime(view.createdAt)})`);
  field("Updated", view.updatedAt);
  if (view.submittedAt) field("Submitted", view.submittedAt);
  if (view.finalizedAt) field("Finalized", view.finalizedAt);
  if (view.nextPollAt) field("Next CDR poll", `${view.nextPollAt} (polled ${view.pollCount ?? 0} times)`);
  const links = Object.entries(view.links);
  if (links.length === 0) field("Links", "none yet");
  else {
    lines.push("Links:");
    for (const [kind, url] of links) lines.push(`  ${kind.toUpperCase().padEnd(5)}${url}`);
  }
  if (view.problems.length > 0) {
    lines.push("Problems:");
    for (const problem of view.problems)
      lines.push(`  ${problem.field} [${problem.rule}]: ${problem.message}`);
  }
  if (view.lastError) field("Last error", view.lastError);
  lines.push("History:");
  if (view.history.length === 0) lines.push("  (none)");
  for (const step of view.history)
    lines.push(
      `  ${step.at}  ${(step.from === null || step.from === "NONE" ? "(new)" : step.from).padEnd(15)} → ${step.to.padEnd(15)}  ${step.why}`,
    );
  return lines.join("\n");
}

/** One line of `cpe receipts`, also its `--json` element. */
export interface ReceiptListRow {
  storeId: number;
  orderId: number;
  createdAt: string;
  /** The receipt's issue date (YYYY-MM-DD), once a body was built. */
  issueDate?: string;
  state: ReceiptState;
  document: string;
  status: string;
  total: string;
  links: ReceiptLinks;
}

export function listRow(record: ReceiptRecord): ReceiptListRow {
  return {
    storeId: record.storeId,
    orderId: record.orderId,
    createdAt: record.createdAt,
    ...(record.issueDate ? { issueDate: record.issueDate } : {}),
    state: record.state,
    document: documentLabel(record),
    status: stateLabel(record.state),
    total: totalLabel(record),
    links: linksOf(record),
  };
}

/** Newest first, then by order id, so the listing is stable. */
export function compareNewestFirst(a: ReceiptRecord, b: ReceiptRecord): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.storeId - b.storeId || b.orderId - a.orderId;
}

/** The seed's listing: Pedido, Fecha (Peru time), Tipo de documento, Estado en API/SUNAT, Total, links. */
export function formatReceiptList(rows: readonly ReceiptListRow[]): string {
  const manyStores = new Set(rows.map((row) => row.storeId)).size > 1;
  const headers = [
    ...(manyStores ? ["Tienda"] : []),
    "Pedido",
    "Fecha",
    "Emisión",
    "Tipo de documento",
    "Estado en API/SUNAT",
    "Total",
    "Enlaces",
  ];
  const cells = rows.map((row) => [
    ...(manyStores ? [String(row.storeId)] : []),
    `#${row.orderId}`,
    peruDateTime(row.createdAt),
    row.issueDate ?? "-",
    row.document,
    row.status,
    row.total,
    Object.entries(row.links)
      .map(([kind, url]) => `${kind.toUpperCase()} ${url}`)
      .join("  ") || "-",
  ]);
  return formatTable(headers, cells);
}
