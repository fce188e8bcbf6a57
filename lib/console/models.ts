import type { StateFilter } from "../ops/args";
import type { ReplayResult } from "../ops/dlq";
import { type DlqEntry, type DlqRowView, dlqRowView } from "../ops/dlq-message";
import {
  type CreditNoteView,
  creditNoteFields,
  dateTimeLabel,
  type Field,
  LINK_KINDS,
  NO_RECEIPT_LABEL,
  numberLines,
  type OrderRowView,
  type ReceiptLinks,
  type ReceiptStatusView,
  STATE_FILTER_OPTIONS,
  statusFields,
} from "../ops/receipt-view";
import { type BulkResendResult, describeResendResult, RESEND_OUTCOME_LABELS } from "../ops/resend";
import type { ReceiptState } from "../store/receipt-record";

/**
 * What each page of the console shows, prepared here so the templates (views.tsx) only place values: every
 * label, href, CSS class and choice is made in these pure functions, from the shared receipt view
 * (lib/ops/receipt-view.ts) that `cpe` prints too.
 */

/** Paths of the console. */
export const PATHS = {
  orders: "/",
  order: (orderId: number, storeId: number) => `/pedidos/${orderId}?tienda=${storeId}`,
  send: "/send",
  dlq: "/dlq",
  dlqReplay: "/dlq/replay",
  htmx: "/static/htmx.min.js",
  css: "/static/console.css",
} as const;

/** "1 pedido", "2 pedidos". */
function count(n: number, singular: string, plural: string): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

/** Rows on the first page (the issue's "at least 50"). */
export const PAGE_SIZE = 50;

export interface LinkModel {
  label: string;
  href: string;
}

export interface StoreChoice {
  storeId: number;
  label: string;
  selected: boolean;
}

/** What every page's frame needs. */
export interface FrameModel {
  title: string;
  storeId: number;
  stores: StoreChoice[];
  /** Which tab of the navigation is current. */
  section: "orders" | "dlq";
  /** Hidden in every POST form (token + cookie, besides the Origin check). */
  csrfToken: string;
}

export function frameModel(
  title: string,
  section: FrameModel["section"],
  storeId: number,
  storeIds: readonly number[],
  csrfToken: string,
): FrameModel {
  return {
    title,
    storeId,
    section,
    csrfToken,
    stores: storeIds.map((id) => ({ storeId: id, label: `Tienda ${id}`, selected: id === storeId })),
  };
}

/** The CSS class of a state's badge (one per state; N/A for orders without a record). */
export function stateClass(state: ReceiptState | null): string {
  return `estado estado-${(state ?? "NONE").toLowerCase()}`;
}

function linkModels(links: ReceiptLinks): LinkModel[] {
  return LINK_KINDS.flatMap((kind) => {
    const href = links[kind];
    return href === null ? [] : [{ label: kind.toUpperCase(), href }];
  });
}

// ---- the orders table ----------------------------------------------------------------------------------------

export interface NoteLineModel {
  label: string;
  stateLabel: string;
  stateClass: string;
  total: string;
  links: LinkModel[];
}

export interface OrderRowModel {
  orderId: number;
  /** The checkbox's value. */
  value: string;
  checkboxLabel: string;
  number: string;
  href: string;
  customer: string;
  date: string;
  orderStatus: string;
  document: string;
  stateLabel: string;
  stateClass: string;
  sunatCode: string;
  city: string;
  total: string;
  links: LinkModel[];
  notes: NoteLineModel[];
}

export function orderRowModel(row: OrderRowView): OrderRowModel {
  return {
    orderId: row.orderId,
    value: String(row.orderId),
    checkboxLabel: `Seleccionar el pedido #${row.orderId}`,
    number: `#${row.orderId}`,
    href: PATHS.order(row.orderId, row.storeId),
    customer: row.customerName ?? "",
    date: dateTimeLabel(row.orderDate),
    orderStatus: row.orderStatusLabel,
    document: row.document,
    stateLabel: row.stateLabel,
    stateClass: stateClass(row.state),
    sunatCode: row.sunatCode ?? "",
    city: row.city ?? "-",
    total: row.totalLabel,
    links: linkModels(row.links),
    notes: row.creditNotes.map((note) => ({
      label: note.document,
      stateLabel: note.stateLabel,
      stateClass: stateClass(note.state),
      total: note.total,
      links: linkModels(note.links),
    })),
  };
}

export interface FilterValues {
  state?: StateFilter;
  from?: string;
  to?: string;
  order?: string;
}

export interface OptionModel {
  value: string;
  label: string;
  selected: boolean;
}

export interface OrdersPageModel {
  frame: FrameModel;
  filters: { from: string; to: string; order: string; states: OptionModel[] };
  /** A problem with the filters (a bad date), shown above the table. */
  error?: string;
  /** What the table holds, e.g. "50 pedidos, del más nuevo al más antiguo". */
  caption: string;
  rows: OrderRowModel[];
  emptyText: string;
  nextPage?: LinkModel;
  sendLabel: string;
}

export function ordersPageModel(input: {
  frame: FrameModel;
  filters: FilterValues;
  rows: readonly OrderRowView[];
  error?: string;
  nextBeforeOrderId?: number;
  scanned?: number;
}): OrdersPageModel {
  const { filters } = input;
  const states: OptionModel[] = [
    { value: "", label: "Todos", selected: filters.state === undefined },
    ...STATE_FILTER_OPTIONS.map((option) => ({
      value: option.value,
      label: option.label,
      selected: option.value === filters.state,
    })),
  ];
  const next = new URLSearchParams({ tienda: String(input.frame.storeId) });
  if (filters.state) next.set("estado", filters.state);
  if (filters.from) next.set("desde", filters.from);
  if (filters.to) next.set("hasta", filters.to);
  if (input.nextBeforeOrderId !== undefined) next.set("antes", String(input.nextBeforeOrderId));
  const rows = input.rows.length;
  const scanned =
    input.scanned !== undefined && input.scanned > rows && filters.state !== undefined
      ? ` (de ${input.scanned} revisados)`
      : "";
  const model: OrdersPageModel = {
    frame: input.frame,
    filters: { from: filters.from ?? "", to: filters.to ?? "", order: filters.order ?? "", states },
    caption: `${count(rows, "pedido", "pedidos")}${scanned}, del más nuevo al más antiguo`,
    rows: input.rows.map(orderRowModel),
    emptyText: filters.order
      ? `No existe el pedido ${filters.order}.`
      : "Ningún pedido coincide con los filtros.",
    sendLabel: "Enviar documentos al API",
  };
  if (input.error) model.error = input.error;
  if (input.nextBeforeOrderId !== undefined)
    model.nextPage = { label: "Pedidos más antiguos →", href: `${PATHS.orders}?${next.toString()}` };
  return model;
}

// ---- one order -----------------------------------------------------------------------------------------------

export interface HistoryRowModel {
  at: string;
  from: string;
  to: string;
  why: string;
}

export interface NoteModel {
  title: string;
  stateLabel: string;
  stateClass: string;
  fields: Field[];
  links: LinkModel[];
  problems: string[];
  history: HistoryRowModel[];
}

export interface OrderPageModel {
  frame: FrameModel;
  heading: string;
  /** Customer and city, from the order. */
  subheading: string;
  stateLabel: string;
  stateClass: string;
  fields: Field[];
  links: LinkModel[];
  noLinksText: string;
  numberGroups: { title: string; lines: string[] }[];
  problems: string[];
  history: HistoryRowModel[];
  notes: NoteModel[];
  notesEmptyText: string;
  /** The single-order send form; absent when the order already has its receipt. */
  send?: { orderId: string; label: string; hint: string };
  backHref: string;
}

function historyRows(history: ReceiptStatusView["history"]): HistoryRowModel[] {
  return history.map((step) => ({
    at: dateTimeLabel(step.at),
    from: step.from === null || step.from === "NONE" ? "(nuevo)" : step.from,
    to: step.to,
    why: step.why,
  }));
}

function noteModel(note: CreditNoteView): NoteModel {
  return {
    title: note.document,
    stateLabel: note.stateLabel,
    stateClass: stateClass(note.state),
    fields: creditNoteFields(note),
    links: linkModels(note.links),
    problems: note.problems.map((problem) => `${problem.field} [${problem.rule}]: ${problem.message}`),
    history: historyRows(note.history),
  };
}

/** States in which the order has its receipt (or it is on its way): no send button. */
const ISSUED: readonly ReceiptState[] = ["SUBMITTED", "ACCEPTED"];

export function orderPageModel(input: {
  frame: FrameModel;
  row: OrderRowView;
  /** The record's full view; undefined when the order has none. */
  status?: ReceiptStatusView;
  /** For an order without a record: the worker's last error (why it is in the DLQ, for instance). */
  lastError?: string;
}): OrderPageModel {
  const { row, status } = input;
  const who = [row.customerName, row.city].filter(Boolean).join(", ");
  const fields: Field[] = status
    ? statusFields(status)
    : [
        { label: "Pedido", value: `#${row.orderId} (tienda ${row.storeId})` },
        { label: "Estado del pedido", value: row.orderStatusLabel },
        { label: "Estado en API/SUNAT", value: `${NO_RECEIPT_LABEL}: nunca se envió al API` },
        { label: "Documento", value: row.document },
        { label: "Total", value: row.totalLabel },
        { label: "Fecha del pedido", value: dateTimeLabel(row.orderDate) },
        ...(input.lastError ? [{ label: "Último error", value: input.lastError }] : []),
      ];
  const model: OrderPageModel = {
    frame: input.frame,
    heading: `Pedido #${row.orderId}${row.documentNumber ? ` — ${row.document}` : ""}`,
    subheading: who === "" ? row.orderStatusLabel : `${who} · ${row.orderStatusLabel}`,
    stateLabel: row.stateLabel,
    stateClass: stateClass(row.state),
    fields,
    links: linkModels(row.links),
    noLinksText: "Sin XML, PDF ni CDR todavía.",
    numberGroups: status ? numberLines(status) : [],
    problems: (status?.problems ?? []).map(
      (problem) => `${problem.field} [${problem.rule}]: ${problem.message}`,
    ),
    history: historyRows(status?.history ?? []),
    notes: (status?.creditNotes ?? []).map(noteModel),
    notesEmptyText: "Este pedido no tiene notas de crédito.",
    backHref: `${PATHS.orders}?tienda=${row.storeId}`,
  };
  if (row.state === null || !ISSUED.includes(row.state))
    model.send = {
      orderId: String(row.orderId),
      label: "Enviar documento al API",
      hint:
        row.state === "REJECTED"
          ? "SUNAT rechazó el número: se emite con un número nuevo (el rechazado queda en el historial)."
          : "Se vuelve a leer el pedido de Acelérala y se emite si corresponde; nunca se emite un segundo comprobante.",
    };
  return model;
}

// ---- the result of a send ------------------------------------------------------------------------------------

export interface SendResultRowModel {
  number: string;
  href: string;
  outcome: string;
  outcomeClass: string;
  detail: string;
}

export interface SendPageModel {
  frame: FrameModel;
  summary: string;
  rows: SendResultRowModel[];
  error?: string;
  backHref: string;
}

export function sendPageModel(input: {
  frame: FrameModel;
  results: readonly BulkResendResult[];
  error?: string;
}): SendPageModel {
  const tally = (outcome: BulkResendResult["outcome"]) =>
    input.results.filter((result) => result.outcome === outcome).length;
  const model: SendPageModel = {
    frame: input.frame,
    summary:
      `${count(input.results.length, "pedido", "pedidos")}: ${tally("enqueued")} en cola, ` +
      `${tally("already_issued")} ya emitidos, ${tally("refused")} requieren revisión, ${tally("failed")} fallaron. ` +
      "Los pedidos en cola se emiten en unos segundos: vea su estado en la lista.",
    rows: input.results.map((result) => ({
      number: `#${result.orderId}`,
      href: PATHS.order(result.orderId, input.frame.storeId),
      outcome: RESEND_OUTCOME_LABELS[result.outcome],
      outcomeClass: `resultado resultado-${result.outcome.replace("_", "-")}`,
      detail: describeResendResult(result),
    })),
    backHref: `${PATHS.orders}?tienda=${input.frame.storeId}`,
  };
  if (input.error) model.error = input.error;
  return model;
}

// ---- the dead-letter queue -----------------------------------------------------------------------------------

export interface DlqRowModel extends DlqRowView {
  orderHref?: string;
}

export interface DlqPageModel {
  frame: FrameModel;
  intro: string;
  depth: string;
  rows: DlqRowModel[];
  emptyText: string;
  /** "Simular reenvío" on the listing; "Reenviar N mensajes" after a dry run; none after a replay. */
  action?: { label: string; dryRun: boolean; max?: string; hint: string };
  /** After a dry run or a replay: what happened. */
  outcome?: { title: string; lines: string[] };
}

function dlqRows(entries: readonly DlqEntry[], storeId: number): DlqRowModel[] {
  return entries.map((entry) => {
    const row: DlqRowModel = dlqRowView(entry);
    const orderId = Number(entry.orderId);
    const store = Number(entry.storeId ?? storeId);
    if (Number.isSafeInteger(orderId) && orderId > 0 && Number.isSafeInteger(store) && store > 0)
      row.orderHref = PATHS.order(orderId, store);
    return row;
  });
}

const DLQ_INTRO =
  "Eventos de pedidos que fallaron 5 veces y esperan aquí a que alguien corrija la causa (credenciales, la API " +
  "de Acelérala caída, un error del sistema). La columna «Último error» dice por qué falló cada uno. Reenviarlos " +
  "nunca emite un segundo comprobante: el worker comprueba cada pedido en DynamoDB antes de emitir.";

export function dlqPageModel(input: {
  frame: FrameModel;
  entries: readonly DlqEntry[];
  depth: { visible?: number; inFlight?: number };
}): DlqPageModel {
  const total = (input.depth.visible ?? 0) + (input.depth.inFlight ?? 0);
  const model: DlqPageModel = {
    frame: input.frame,
    intro: DLQ_INTRO,
    depth:
      input.depth.visible === undefined
        ? `${count(input.entries.length, "mensaje mostrado", "mensajes mostrados")}`
        : `${count(input.entries.length, "mensaje mostrado", "mensajes mostrados")} de unos ${total} en la cola de errores`,
    rows: dlqRows(input.entries, input.frame.storeId),
    emptyText: "La cola de errores está vacía.",
  };
  if (input.entries.length > 0)
    model.action = {
      label: "Simular reenvío (no mueve nada)",
      dryRun: true,
      hint: "Primero una simulación: muestra qué se reenviaría; después podrá reenviar esos mensajes.",
    };
  return model;
}

export function replayPageModel(input: {
  frame: FrameModel;
  dryRun: boolean;
  result: ReplayResult;
}): DlqPageModel {
  const { result } = input;
  const shown = result.outcomes.filter((outcome) =>
    input.dryRun ? outcome.kind === "would-move" : outcome.kind !== "skipped" || outcome.error !== undefined,
  );
  const kindWords = {
    moved: "movido",
    "would-move": "se movería",
    skipped: "omitido",
    failed: "FALLÓ",
  } as const;
  const model: DlqPageModel = {
    frame: input.frame,
    intro: DLQ_INTRO,
    depth: input.dryRun
      ? `Simulación: ${count(result.wouldMove, "mensaje se movería", "mensajes se moverían")} a la cola principal, ${result.failed} no se pueden mover; no se movió nada.`
      : `Reenvío: ${count(result.moved, "mensaje movido", "mensajes movidos")} a la cola principal, ${result.failed} fallaron.`,
    rows: dlqRows(
      shown.map((outcome) => outcome.entry),
      input.frame.storeId,
    ),
    emptyText: input.dryRun ? "No hay nada que reenviar." : "No se movió ningún mensaje.",
    outcome: {
      title: input.dryRun ? "Resultado de la simulación" : "Resultado del reenvío",
      lines: shown.map(
        (outcome) =>
          `${kindWords[outcome.kind]}: pedido ${outcome.entry.orderId ?? "?"} (${outcome.entry.eventType ?? "?"})${outcome.error ? `: ${outcome.error}` : ""}`,
      ),
    },
  };
  if (input.dryRun && result.wouldMove > 0)
    model.action = {
      label: `Reenviar ${result.wouldMove} ${result.wouldMove === 1 ? "mensaje" : "mensajes"} a la cola`,
      dryRun: false,
      max: String(result.wouldMove),
      hint: "Mueve como máximo los mensajes que mostró la simulación.",
    };
  return model;
}
