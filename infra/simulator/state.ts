import { z } from "zod";
import { ApiError, notFound, validationFailed } from "./errors";
import {
  type CursorReading,
  type ListedObject,
  type ListPage,
  type ListSpec,
  listObjects,
  selectFields,
} from "./lists";
import type { SunatAnswer, SunatPolicyEngine } from "./sunat";
import { type AffectedReference, checkNoteAgainstStore } from "./sunat-notes";
import { validateReceipt } from "./sunat-validation";
import { readTransactionRequest, settle } from "./transactions";
import {
  SUBSCRIBABLE_EVENT_TYPES,
  type SubscribableEventType,
  type WebhookDispatcher,
  type WebhookEvent,
  type WebhookSubscription,
} from "./webhooks";

/**
 * The simulator's in-memory data: orders, receipts (credit notes included), transactions, webhook subscriptions,
 * per store. It stores orders exactly as given (it computes nothing for them: orders that do not add up must be
 * storable so the product can catch them), validates receipts and notes the way SUNAT would, numbers them, and
 * has SUNAT answer later. A transaction (a sale or a refund) moves its order's payment_status.
 */

export type StoredOrder = {
  id: number;
  object: "order";
  store_id: number;
  payment_status: string;
  placed: string | null;
  canceled: string | null;
  created: string;
  modified: string;
} & Record<string, unknown>;

export type StoredReceipt = {
  id: number;
  object: "receipt";
  store_id: number;
  order_id: number | null;
  document_type_code: string;
  series: string;
  correlative: number;
  document_number: string;
  sunat_acknowledged: 0 | 1;
  sunat_accepted: 0 | 1;
  sunat_code: string | null;
  sunat_message: string | null;
  xml_url: string;
  pdf_url: string;
  cdr_url: string | null;
  created: string;
  modified: string;
} & Record<string, unknown>;

export type StoredTransaction = {
  id: number;
  object: "transaction";
  store_id: number;
  order_id: number;
  parent_id: number | null;
  method: string;
  type: string;
  amount: unknown;
  currency_code: string;
  created: string;
  modified: string;
} & Record<string, unknown>;

export const ORDER_LIST_SPEC: ListSpec = {
  resource: "orders",
  sortable: ["id", "total", "created", "modified", "placed"],
  filterable: [
    "id",
    "payment_status",
    "currency_code",
    "total",
    "subtotal",
    "lines_total",
    "created",
    "modified",
    "placed",
    "canceled",
  ],
};
/** Sort fields exactly as the seed lists them for receipts: no correlative, no gross_total. */
export const RECEIPT_LIST_SPEC: ListSpec = {
  resource: "receipts",
  sortable: ["id", "total", "created", "modified", "claimed_total", "unclaimed_total"],
  filterable: [
    "id",
    "order_id",
    "series",
    "correlative",
    "document_number",
    "document_type_code",
    "affected_document_type_code",
    "affected_document_number",
    "note_motive_code",
    "currency_code",
    "gross_total",
    "sunat_acknowledged",
    "sunat_accepted",
    "sunat_code",
    "created",
    "modified",
    "claimed_total",
    "unclaimed_total",
  ],
};
/** Sort fields exactly as the seed lists them for transactions. */
export const TRANSACTION_LIST_SPEC: ListSpec = {
  resource: "transactions",
  sortable: ["id", "amount", "created", "modified", "claimed_total", "unclaimed_total"],
  filterable: [
    "id",
    "order_id",
    "parent_id",
    "type",
    "method",
    "amount",
    "currency_code",
    "gateway",
    "created",
    "modified",
    "claimed_total",
    "unclaimed_total",
  ],
};
export const WEBHOOK_LIST_SPEC: ListSpec = {
  resource: "webhooks",
  sortable: ["id", "created", "modified"],
  filterable: ["id", "active", "url", "created", "modified"],
};

const PAYMENT_STATUSES = [
  "pending",
  "authorized",
  "partially_paid",
  "paid",
  "partially_refunded",
  "refunded",
  "voided",
] as const;

/** Loose on purpose: unknown fields are kept; only the fields the simulator acts on are checked. */
const OrderWriteSchema = z.looseObject({
  currency_code: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .optional(),
  payment_status: z.enum(PAYMENT_STATUSES).optional(),
  billing_details: z.record(z.string(), z.unknown()).optional(),
  lines: z.array(z.record(z.string(), z.unknown())).optional(),
  placed: z.union([z.boolean(), z.iso.datetime({ offset: true }), z.null()]).optional(),
});

const WebhookWriteSchema = z.object({
  url: z.url({ protocol: /^https?$/ }),
  description: z.string().nullable().optional(),
  enabled_events: z.array(z.enum(SUBSCRIBABLE_EVENT_TYPES)).min(1),
  active: z.union([z.boolean(), z.literal(0), z.literal(1)]).optional(),
  /** Optional per-subscription whsec_ secret; by default the simulator's webhookSecret signs. */
  secret: z.string().startsWith("whsec_").optional(),
});
const WebhookUpdateSchema = WebhookWriteSchema.partial();

/** Fields a client may not set: the simulator owns them. */
const SERVER_OWNED_ORDER_FIELDS = ["id", "object", "store_id", "created", "modified", "canceled"];

function zodToApiError(error: z.ZodError): ApiError {
  return validationFailed(
    error.issues.map((issue) => ({
      param: issue.path.join(".") || "body",
      code: "invalid_format",
      message: issue.message,
    })),
  );
}

function parseWith<Schema extends z.ZodType>(schema: Schema, body: unknown): z.output<Schema> {
  const result = schema.safeParse(body);
  if (!result.success) throw zodToApiError(result.error);
  return result.data;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function now(): string {
  return new Date().toISOString();
}

/** A document's number as SUNAT registers it: the store, its type, series and correlative. */
function numberKey(storeId: number, documentTypeCode: string, documentNumber: string): string {
  return `${storeId}|${documentTypeCode}|${documentNumber}`;
}

/** F001-00000012 and F001-12 name the same document. */
function sameDocumentNumber(left: string, right: string): boolean {
  const normal = (number: string) => number.replace(/-0+(?=\d)/, "-");
  return normal(left) === normal(right);
}

/**
 * How the API numbers a new receipt; the seed can be read several ways, and the product must be right under
 * each:
 * - `explicit`: the client's correlative is honoured; a repeat of a number gets 409 (the holder's id in
 *   `existing_receipt_id`);
 * - `auto`: the seed read literally ("se calcula automáticamente en base al último documento generado con la
 *   misma serie"): the API assigns the next correlative of the series and ignores the client's; no 409 exists;
 * - `repeat`: the client's correlative is honoured and a repeat is stored as well; SUNAT then refuses the
 *   second one (exception 1033, "registrado previamente con otros datos").
 * A number is one document type's in one series, as SUNAT registers it (RUC, type, series, correlative): credit
 * notes are numbered in their own series (FC01, BC01…) under each mode, apart from the receipts.
 */
export const NUMBERING_MODES = ["explicit", "auto", "repeat"] as const;
export type NumberingMode = (typeof NUMBERING_MODES)[number];

export type ReadingsOptions = {
  numbering: NumberingMode;
  /** Which way list cursors (`after` / `before`) page: see CursorReading in lists.ts. */
  cursor: CursorReading;
  /** A new receipt shows in GET /v1/receipts lists only this long after it was created (by id at once). */
  listLagMs: number;
};

export type StateDependencies = {
  readings: ReadingsOptions;
  sunat: SunatPolicyEngine;
  webhooks: WebhookDispatcher;
  defaultWebhookSecret: string;
  baseUrl: () => string;
  newEventId: () => string;
};

export class SimulatorState {
  private orders = new Map<number, StoredOrder>();
  private receipts = new Map<number, StoredReceipt>();
  /** The receipt SUNAT knows under each number (`numberKey`); in `repeat` mode, the first one stored. */
  private receiptByNumber = new Map<string, number>();
  /** When each receipt starts to show in lists (list lag); by id it shows at once. */
  private receiptListedAt = new Map<number, number>();
  private transactions = new Map<number, StoredTransaction>();
  private subscriptions = new Map<number, WebhookSubscription>();
  private subscriptionSecrets = new Map<number, string>();
  private nextOrderId = 32204;
  private nextReceiptId = 67349;
  private nextTransactionId = 1289;
  private nextWebhookId = 14;
  private readonly sunatTimers = new Set<NodeJS.Timeout>();

  constructor(private readonly deps: StateDependencies) {}

  reset(): void {
    this.stopTimers();
    this.orders = new Map();
    this.receipts = new Map();
    this.receiptByNumber = new Map();
    this.receiptListedAt = new Map();
    this.transactions = new Map();
    this.subscriptions = new Map();
    this.subscriptionSecrets = new Map();
    this.nextOrderId = 32204;
    this.nextReceiptId = 67349;
    this.nextTransactionId = 1289;
    this.nextWebhookId = 14;
  }

  stopTimers(): void {
    for (const timer of this.sunatTimers) clearTimeout(timer);
    this.sunatTimers.clear();
  }

  // ---------- orders ----------

  createOrder(storeId: number, body: unknown): StoredOrder {
    const input = parseWith(OrderWriteSchema, body);
    const timestamp = now();
    const fields = Object.fromEntries(
      Object.entries(input).filter(([name]) => !SERVER_OWNED_ORDER_FIELDS.includes(name)),
    );
    const placed = input.placed === true ? timestamp : typeof input.placed === "string" ? input.placed : null;
    const order: StoredOrder = {
      currency_code: "PEN",
      lines: [],
      ...fields,
      id: this.nextOrderId++,
      object: "order",
      store_id: storeId,
      payment_status: input.payment_status ?? "pending",
      placed,
      canceled: null,
      created: timestamp,
      modified: timestamp,
    };
    this.orders.set(order.id, order);
    this.emit(order.placed ? "orders.created.placed" : "orders.created", order);
    return structuredClone(order);
  }

  updateOrder(storeId: number, orderId: string, body: unknown): StoredOrder {
    const order = this.ownOrder(storeId, orderId);
    const input = parseWith(OrderWriteSchema, body);
    for (const [name, value] of Object.entries(input)) {
      if (SERVER_OWNED_ORDER_FIELDS.includes(name) || name === "placed") continue;
      const current = order[name];
      order[name] = isPlainObject(current) && isPlainObject(value) ? { ...current, ...value } : value;
    }
    if (input.placed === true && !order.placed) order.placed = now();
    else if (typeof input.placed === "string") order.placed = input.placed;
    order.modified = now();
    this.emitOrderUpdated(order);
    return structuredClone(order);
  }

  /** "orders.updated.placed": updated and (now) placed — what a receipt issuer subscribes to. */
  private emitOrderUpdated(order: StoredOrder): void {
    this.emit(order.placed ? "orders.updated.placed" : "orders.updated", order);
  }

  cancelOrder(storeId: number, orderId: string): StoredOrder {
    const order = this.ownOrder(storeId, orderId);
    if (order.canceled) {
      throw new ApiError(
        409,
        "conflict",
        "order_already_canceled",
        `Order ${order.id} is already canceled`,
        "id",
      );
    }
    order.canceled = now();
    order.modified = order.canceled;
    this.emit("orders.updated.canceled", order);
    return structuredClone(order);
  }

  getOrder(storeId: number, orderId: string, fields: string | null = null): Record<string, unknown> {
    return selectFields(structuredClone(this.ownOrder(storeId, orderId)), fields);
  }

  listOrders(storeId: number, query: URLSearchParams): ListPage {
    return this.listOwn(this.orders, storeId, query, ORDER_LIST_SPEC);
  }

  private ownOrder(storeId: number, orderId: string): StoredOrder {
    const order = this.orders.get(Number(orderId));
    if (!order || order.store_id !== storeId || !/^\d+$/.test(orderId)) throw notFound("order", orderId);
    return order;
  }

  // ---------- receipts ----------

  createReceipt(storeId: number, body: unknown): StoredReceipt {
    const { errors, numbering } = validateReceipt(body);
    if (errors.length > 0 || numbering === null || !isPlainObject(body)) throw validationFailed(errors);
    const { documentTypeCode, series } = numbering;
    const mode = this.deps.readings.numbering;
    const correlative =
      mode !== "auto" && numbering.correlative !== null
        ? numbering.correlative
        : this.lastCorrelative(storeId, documentTypeCode, series) + 1;
    const documentNumber = `${series}-${correlative}`;
    const key = numberKey(storeId, documentTypeCode, documentNumber);
    const existingId = this.receiptByNumber.get(key);
    if (existingId !== undefined && mode === "explicit") {
      throw new ApiError(
        409,
        "conflict",
        "duplicate_document_number",
        `A receipt numbered ${documentNumber} already exists`,
        "correlative",
        { existing_receipt_id: existingId },
      );
    }
    // A repeated number is refused by SUNAT before anything else (1033 below); any other note is checked now.
    if (numbering.affected && existingId === undefined) this.checkNote(storeId, body, numbering.affected);
    const receipt = this.storeReceipt(storeId, body, documentTypeCode, series, correlative);
    this.emit("receipts.created", receipt);
    if (existingId !== undefined) {
      // `repeat`: stored twice; SUNAT refuses the second document with that number.
      this.scheduleSunatAnswer(receipt, {
        outcome: "exception",
        accepted: 0,
        code: "1033",
        message: `El comprobante ${documentNumber} fue registrado previamente con otros datos`,
      });
    } else {
      this.receiptByNumber.set(key, receipt.id);
      this.scheduleSunatAnswer(receipt);
    }
    return structuredClone(receipt);
  }

  /**
   * A credit note's checks against the store (sunat-notes.ts): the document it modifies is registered and
   * accepted, and the notes on it that may take effect, this one included, credit no more than it.
   */
  private checkNote(storeId: number, note: Record<string, unknown>, reference: AffectedReference): void {
    const affectedId = this.receiptByNumber.get(
      numberKey(storeId, reference.documentTypeCode, reference.documentNumber),
    );
    const affected = affectedId === undefined ? null : (this.receipts.get(affectedId) ?? null);
    const earlierNotes = this.storeItems(this.receipts, storeId).filter(
      (receipt) =>
        receipt.document_type_code === "07" &&
        receipt.affected_document_type_code === reference.documentTypeCode &&
        typeof receipt.affected_document_number === "string" &&
        sameDocumentNumber(receipt.affected_document_number, reference.documentNumber),
    );
    const errors = checkNoteAgainstStore(note, reference, affected, earlierNotes);
    if (errors.length > 0) throw validationFailed(errors);
  }

  /**
   * A receipt made outside the product (by hand in Acelérala, or by the plugin the store used before):
   * `order_id` null unless given, accepted by SUNAT, numbered as given (default: next in the series). It
   * takes its number whatever the numbering mode, and shows in lists at once.
   */
  addOutOfBandReceipt(
    storeId: number,
    input: { series: string; correlative?: number; order_id?: number | null; gross_total?: string },
  ): StoredReceipt {
    const documentTypeCode = input.series.startsWith("B") ? "03" : "01";
    const correlative =
      input.correlative ?? this.lastCorrelative(storeId, documentTypeCode, input.series) + 1;
    const documentNumber = `${input.series}-${correlative}`;
    const key = numberKey(storeId, documentTypeCode, documentNumber);
    if (this.receiptByNumber.has(key)) {
      throw new ApiError(409, "conflict", "duplicate_document_number", `${documentNumber} already exists`);
    }
    const gross = input.gross_total ?? "40.00";
    const receipt = this.storeReceipt(
      storeId,
      {
        order_id: input.order_id ?? null,
        currency_code: "PEN",
        gross_total: gross,
        issue_date: now().slice(0, 10),
      },
      documentTypeCode,
      input.series,
      correlative,
    );
    this.receiptListedAt.set(receipt.id, 0);
    this.receiptByNumber.set(key, receipt.id);
    this.applySunatAnswer(receipt, {
      outcome: "accepted",
      accepted: 1,
      code: "0",
      message: `${documentNumber} ha sido aceptado`,
    });
    return structuredClone(receipt);
  }

  private storeReceipt(
    storeId: number,
    body: Record<string, unknown>,
    documentTypeCode: string,
    series: string,
    correlative: number,
  ): StoredReceipt {
    const documentNumber = `${series}-${correlative}`;
    const id = this.nextReceiptId++;
    const timestamp = now();
    const files = `${this.deps.baseUrl()}/files/${id}`;
    const receipt: StoredReceipt = {
      affected_document_type_code: null,
      affected_document_number: null,
      note_motive_code: null,
      note_motive_description: null,
      operation_code: "0101",
      legends: [],
      global_discounts: [],
      advances: [],
      detraction: null,
      ...body,
      id,
      object: "receipt",
      store_id: storeId,
      order_id: body.order_id === undefined || body.order_id === null ? null : Number(body.order_id),
      document_type_code: documentTypeCode,
      series,
      correlative,
      document_number: documentNumber,
      sunat_acknowledged: 0,
      sunat_updated: 0,
      sunat_accepted: 0,
      sunat_revoked: 0,
      revoke_motive_description: null,
      sunat_code: null,
      sunat_message: null,
      xml_url: `${files}.xml`,
      pdf_url: `${files}.pdf`,
      mobile_pdf_url: `${files}-mobile.pdf`,
      cdr_url: null,
      created: timestamp,
      modified: timestamp,
      claimed_total: 0,
      unclaimed_total: body.gross_total,
      claims: [],
      revokes: [],
    };
    this.receipts.set(id, receipt);
    this.receiptListedAt.set(id, Date.now() + this.deps.readings.listLagMs);
    return receipt;
  }

  getReceipt(storeId: number, receiptId: string, fields: string | null = null): Record<string, unknown> {
    const receipt = this.receipts.get(Number(receiptId));
    if (!receipt || receipt.store_id !== storeId || !/^\d+$/.test(receiptId))
      throw notFound("receipt", receiptId);
    return selectFields(structuredClone(receipt), fields);
  }

  listReceipts(storeId: number, query: URLSearchParams): ListPage {
    const nowMs = Date.now();
    const listed = new Map([...this.receipts].filter(([id]) => (this.receiptListedAt.get(id) ?? 0) <= nowMs));
    return this.listOwn(listed, storeId, query, RECEIPT_LIST_SPEC);
  }

  /** Every receipt of the store, list lag or not (for tests' and chaos runs' reckoning). */
  allReceipts(storeId: number): StoredReceipt[] {
    return this.storeItems(this.receipts, storeId).map((receipt) => structuredClone(receipt));
  }

  /** For the file routes, which (like a CDN) need no token. */
  receiptById(receiptId: number): StoredReceipt | undefined {
    const receipt = this.receipts.get(receiptId);
    return receipt ? structuredClone(receipt) : undefined;
  }

  private lastCorrelative(storeId: number, documentTypeCode: string, series: string): number {
    let last = 0;
    for (const receipt of this.receipts.values()) {
      if (
        receipt.store_id === storeId &&
        receipt.document_type_code === documentTypeCode &&
        receipt.series === series
      )
        last = Math.max(last, receipt.correlative);
    }
    return last;
  }

  private scheduleSunatAnswer(receipt: StoredReceipt, forced?: SunatAnswer): void {
    const answer =
      forced ?? this.deps.sunat.decide(receipt.order_id, receipt.document_type_code, receipt.document_number);
    if (answer === null) return; // SUNAT never answers this one
    const delayMs = this.deps.sunat.get().delayMs;
    const apply = () => {
      this.applySunatAnswer(receipt, answer);
      // An exception (0100–1999) is not SUNAT's last word: Acelérala sends the receipt again and, unless it was
      // a repeat of a number, SUNAT then accepts it.
      if (answer.outcome === "exception" && !forced) {
        this.later(Math.max(delayMs, 50), () =>
          this.applySunatAnswer(
            receipt,
            this.deps.sunat.acceptedAnswer(receipt.document_type_code, receipt.document_number),
          ),
        );
      }
    };
    if (delayMs === 0) apply();
    else this.later(delayMs, apply);
  }

  private later(delayMs: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.sunatTimers.delete(timer);
      action();
    }, delayMs);
    this.sunatTimers.add(timer);
  }

  private applySunatAnswer(receipt: StoredReceipt, answer: SunatAnswer): void {
    receipt.sunat_acknowledged = 1;
    receipt.sunat_accepted = answer.accepted;
    receipt.sunat_code = answer.code;
    receipt.sunat_message = answer.message;
    receipt.cdr_url =
      answer.outcome === "exception" ? null : `${this.deps.baseUrl()}/files/${receipt.id}.zip`;
    receipt.modified = now();
    // SUNAT's answer, by webhook (the seed's receipts.created.accepted / .rejected).
    this.emit(answer.accepted ? "receipts.created.accepted" : "receipts.created.rejected", receipt);
  }

  // ---------- transactions ----------

  /**
   * `POST /v1/transactions`: a sale or a refund of one of the store's orders (transactions.ts has the rules). It
   * moves the order's payment_status and emits the order's update, as any change of the order does.
   */
  createTransaction(storeId: number, body: unknown): StoredTransaction {
    const { request, errors } = readTransactionRequest(body);
    if (request === null) throw validationFailed(errors);
    const order = this.orders.get(request.order_id);
    if (!order || order.store_id !== storeId) {
      throw validationFailed([
        { param: "order_id", code: "resource_missing", message: `No such order: ${request.order_id}` },
      ]);
    }
    if (request.currency_code !== order.currency_code) {
      throw validationFailed([
        {
          param: "currency_code",
          code: "currency_mismatch",
          message: `the order is in ${String(order.currency_code)}; a transaction on it must be too`,
        },
      ]);
    }
    const earlier = this.storeItems(this.transactions, storeId).filter(
      (transaction) => transaction.order_id === order.id,
    );
    const settlement = settle(order, earlier, request);
    if ("error" in settlement) throw validationFailed([settlement.error]);

    const timestamp = now();
    const transaction: StoredTransaction = {
      user_message: null,
      merchant_message: null,
      reference_code: null,
      card_brand: null,
      card_type: null,
      gateway: null,
      gateway_id: null,
      ...request.fields,
      id: this.nextTransactionId++,
      object: "transaction",
      store_id: storeId,
      order_id: order.id,
      parent_id: request.parent_id,
      method: request.method,
      type: request.type,
      amount: request.fields.amount,
      currency_code: request.currency_code,
      created: timestamp,
      modified: timestamp,
      // Claims tie a transaction to receipts; the simulator makes none, so all of it is unclaimed.
      claims: [],
      claimed_total: 0,
      unclaimed_total: request.fields.amount,
    };
    this.transactions.set(transaction.id, transaction);
    order.payment_status = settlement.paymentStatus;
    order.modified = timestamp;
    this.emitOrderUpdated(order);
    return structuredClone(transaction);
  }

  getTransaction(storeId: number, transactionId: string): StoredTransaction {
    const transaction = this.transactions.get(Number(transactionId));
    if (!transaction || transaction.store_id !== storeId || !/^\d+$/.test(transactionId))
      throw notFound("transaction", transactionId);
    return structuredClone(transaction);
  }

  listTransactions(storeId: number, query: URLSearchParams): ListPage {
    return this.listOwn(this.transactions, storeId, query, TRANSACTION_LIST_SPEC);
  }

  // ---------- webhooks ----------

  createWebhook(storeId: number, body: unknown): WebhookSubscription {
    const input = parseWith(WebhookWriteSchema, body);
    const timestamp = now();
    const subscription: WebhookSubscription = {
      id: this.nextWebhookId++,
      object: "webhook",
      store_id: storeId,
      description: input.description ?? null,
      url: input.url,
      enabled_events: [...new Set(input.enabled_events)],
      active: input.active === false || input.active === 0 ? 0 : 1,
      created: timestamp,
      modified: timestamp,
    };
    this.subscriptions.set(subscription.id, subscription);
    if (input.secret) this.subscriptionSecrets.set(subscription.id, input.secret);
    return { ...subscription };
  }

  updateWebhook(storeId: number, webhookId: string, body: unknown): WebhookSubscription {
    const subscription = this.subscriptions.get(Number(webhookId));
    if (!subscription || subscription.store_id !== storeId) throw notFound("webhook", webhookId);
    const input = parseWith(WebhookUpdateSchema, body);
    if (input.url !== undefined) subscription.url = input.url;
    if (input.description !== undefined) subscription.description = input.description;
    if (input.enabled_events !== undefined) subscription.enabled_events = [...new Set(input.enabled_events)];
    if (input.active !== undefined)
      subscription.active = input.active === false || input.active === 0 ? 0 : 1;
    if (input.secret !== undefined) this.subscriptionSecrets.set(subscription.id, input.secret);
    subscription.modified = now();
    return { ...subscription };
  }

  getWebhook(storeId: number, webhookId: string): WebhookSubscription {
    const subscription = this.subscriptions.get(Number(webhookId));
    if (!subscription || subscription.store_id !== storeId) throw notFound("webhook", webhookId);
    return { ...subscription };
  }

  listWebhooks(storeId: number, query: URLSearchParams): ListPage {
    return this.listOwn(this.subscriptions, storeId, query, WEBHOOK_LIST_SPEC);
  }

  /** The active subscriptions of the event's store that enabled its type, with the secret each signs with. */
  targetsFor(event: WebhookEvent): { subscription: WebhookSubscription; secret: string }[] {
    return [...this.subscriptions.values()]
      .filter(
        (sub) =>
          sub.store_id === event.store_id && sub.active === 1 && sub.enabled_events.includes(event.type),
      )
      .map((subscription) => ({
        subscription: { ...subscription },
        secret: this.subscriptionSecrets.get(subscription.id) ?? this.deps.defaultWebhookSecret,
      }));
  }

  /** Sends the event (with a copy of the order or receipt it is about) to the subscriptions that enabled it. */
  private emit(type: SubscribableEventType, object: StoredOrder | StoredReceipt): void {
    const event: WebhookEvent = {
      id: this.deps.newEventId(),
      type,
      created: now(),
      store_id: object.store_id,
      data: { object: structuredClone(object) },
    };
    this.deps.webhooks.emit(event, this.targetsFor(event));
  }

  /** Lists a store's objects; only the page is copied, so callers never hold the simulator's own objects. */
  private listOwn<T extends { id: number; store_id: number }>(
    items: Map<number, T>,
    storeId: number,
    query: URLSearchParams,
    spec: ListSpec,
  ): ListPage {
    const page = listObjects(
      this.storeItems(items, storeId) as unknown as ListedObject[],
      query,
      spec,
      this.deps.readings.cursor,
    );
    return { ...page, data: structuredClone(page.data) };
  }

  private storeItems<T extends { id: number; store_id: number }>(
    items: Map<number, T>,
    storeId: number,
  ): T[] {
    return [...items.values()].filter((item) => item.store_id === storeId);
  }
}
