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
import { validateReceipt } from "./sunat-validation";
import {
  SUBSCRIBABLE_EVENT_TYPES,
  type SubscribableEventType,
  type WebhookDispatcher,
  type WebhookEvent,
  type WebhookSubscription,
} from "./webhooks";

/**
 * The simulator's in-memory data: orders, receipts, webhook subscriptions, per store. It stores orders exactly
 * as given (it computes nothing for them: orders that do not add up must be storable so the product can catch
 * them), validates receipts the way SUNAT would, numbers them, and has SUNAT answer later.
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

/**
 * How the API numbers a new receipt; the seed can be read several ways, and the product must be right under
 * each:
 * - `explicit`: the client's correlative is honoured; a repeat of a number gets 409 (the holder's id in
 *   `existing_receipt_id`);
 * - `auto`: the seed read literally ("se calcula automáticamente en base al último documento generado con la
 *   misma serie"): the API assigns the next correlative of the series and ignores the client's; no 409 exists;
 * - `repeat`: the client's correlative is honoured and a repeat is stored as well; SUNAT then refuses the
 *   second one (exception 1033, "registrado previamente con otros datos").
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
  private receiptByNumber = new Map<string, number>();
  /** When each receipt starts to show in lists (list lag); by id it shows at once. */
  private receiptListedAt = new Map<number, number>();
  private subscriptions = new Map<number, WebhookSubscription>();
  private subscriptionSecrets = new Map<number, string>();
  private nextOrderId = 32204;
  private nextReceiptId = 67349;
  private nextWebhookId = 14;
  private readonly sunatTimers = new Set<NodeJS.Timeout>();

  constructor(private readonly deps: StateDependencies) {}

  reset(): void {
    this.stopTimers();
    this.orders = new Map();
    this.receipts = new Map();
    this.receiptByNumber = new Map();
    this.receiptListedAt = new Map();
    this.subscriptions = new Map();
    this.subscriptionSecrets = new Map();
    this.nextOrderId = 32204;
    this.nextReceiptId = 67349;
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
    // "orders.updated.placed": updated and (now) placed — what a receipt issuer subscribes to.
    this.emit(order.placed ? "orders.updated.placed" : "orders.updated", order);
    return structuredClone(order);
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
        : this.lastCorrelative(storeId, series) + 1;
    const documentNumber = `${series}-${correlative}`;
    const existingId = this.receiptByNumber.get(`${storeId}|${documentNumber}`);
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
      this.receiptByNumber.set(`${storeId}|${documentNumber}`, receipt.id);
      this.scheduleSunatAnswer(receipt);
    }
    return structuredClone(receipt);
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
    const correlative = input.correlative ?? this.lastCorrelative(storeId, input.series) + 1;
    const documentNumber = `${input.series}-${correlative}`;
    if (this.receiptByNumber.has(`${storeId}|${documentNumber}`)) {
      throw new ApiError(409, "conflict", "duplicate_document_number", `${documentNumber} already exists`);
    }
    const gross = input.gross_total ?? "40.00";
    const documentTypeCode = input.series.startsWith("B") ? "03" : "01";
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
    this.receiptByNumber.set(`${storeId}|${documentNumber}`, receipt.id);
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

  private lastCorrelative(storeId: number, series: string): number {
    let last = 0;
    for (const receipt of this.receipts.values()) {
      if (receipt.store_id === storeId && receipt.series === series)
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
