import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { z } from "zod";
import { generateWebhookSecret } from "../../lib/webhook/signature";
import {
  Authenticator,
  type Client,
  type ClientInput,
  ClientSchema,
  type Permission,
  type Principal,
} from "./auth";
import { ApiError, badRequest, validationFailed } from "./errors";
import { FaultInjector, type FaultRuleInput, FaultRulesBodySchema, type FaultsState } from "./faults";
import { serveReceiptFile } from "./files";
import type { CursorReading, ListPage } from "./lists";
import { Router } from "./router";
import {
  type NumberingMode,
  SimulatorState,
  type StoredOrder,
  type StoredReceipt,
  type StoredTransaction,
} from "./state";
import {
  DEFAULT_SUNAT_DELAY_MS,
  type SunatPolicy,
  SunatPolicyEngine,
  type SunatPolicyInput,
  SunatPolicySchema,
} from "./sunat";
import {
  type Delivery,
  type DeliveryConfig,
  DeliveryConfigSchema,
  type DeliveryFilter,
  WebhookDispatcher,
  type WebhookSubscription,
} from "./webhooks";

/**
 * The Acelérala simulator: a fake of the third-party API (as stripe-mock is for Stripe) on node:http, in
 * memory. `/v1/...` is the API (bearer tokens, permissions, faults); `/files/...` serves receipt files (no
 * token, like a CDN); `/_sim/...` is the local admin API (no token) mirrored by the methods of `Simulator`.
 */

export type SimulatorOptions = {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: "127.0.0.1";
  /** whsec_… secret that signs webhook deliveries; generated when absent (read it from `simulator.webhookSecret`). */
  webhookSecret?: string;
  /** Delay before SUNAT answers a receipt; default 2000; 0 answers within the POST. */
  sunatDelayMs?: number;
  /** Seed of every random choice (faults, SUNAT outcomes, webhook drops); default 1. */
  seed?: number;
  /** Lifetime of issued tokens; default 3600. */
  tokenTtlSeconds?: number;
  /** Clients besides demo-client (e.g. with fewer permissions, or another store). */
  clients?: ClientInput[];
  /** Webhook sender settings: drop, dropRate, maxAttempts (5), baseDelayMs (1000), timeoutMs (10000). */
  webhookDelivery?: Partial<DeliveryConfig>;
  /** Initial fault rules. */
  faults?: FaultRuleInput[];
  /** Initial SUNAT outcome policy (rates, forced outcomes). */
  sunatPolicy?: SunatPolicyInput;
  /** How the API numbers receipts (see NUMBERING_MODES in state.ts); default `explicit`. */
  numbering?: NumberingMode;
  /** A new receipt shows in lists this long after its creation (by id at once); default 0. */
  listLagMs?: number;
  /** Which way list cursors page (see CURSOR_READINGS in lists.ts); default `list_order`. */
  cursor?: CursorReading;
  /**
   * Receipts the store already issued before this product (`{ F001: 66 }` = F001-1 … F001-66, order_id null),
   * created at start and after every reset.
   */
  existingReceipts?: Record<string, number>;
};

export type SimulatorStats = {
  /** Every non-admin request (API and files), counted when it arrives, faults included. */
  total: number;
  /** Requests to /v1/... only: what the benchmark counts as Acelérala API calls. */
  api_total: number;
  /** Per route template, e.g. "POST /v1/receipts", "GET /v1/orders/{id}". */
  requests: Record<string, number>;
  /** Responses per HTTP status (timeouts after commit are not responses and are not counted here). */
  statuses: Record<string, number>;
  faults_injected: FaultsState["injected"];
};

export type Simulator = {
  url: string;
  port: number;
  seed: number;
  numbering: NumberingMode;
  listLagMs: number;
  webhookSecret: string;
  stop(): Promise<void>;
  /** Back to the seeded initial state: data, tokens, clients, faults, SUNAT policy, deliveries, stats. */
  reset(): void;
  getStats(): SimulatorStats;
  resetStats(): void;
  getFaults(): FaultsState;
  setFaults(rules: FaultRuleInput[]): FaultsState;
  clearFaults(): FaultsState;
  getSunatPolicy(): SunatPolicy;
  setSunatPolicy(policy: SunatPolicyInput): SunatPolicy;
  getDeliveryConfig(): DeliveryConfig;
  setDeliveryConfig(changes: Partial<DeliveryConfig>): DeliveryConfig;
  deliveries(filter?: DeliveryFilter): Delivery[];
  /**
   * Calls `listener` whenever a fault hits a request (in-process only): chaos runs use it to change an order
   * exactly while its POST is failing or ambiguous. Returns a function that removes the listener.
   */
  onFault(listener: (fault: InjectedFault) => void): () => void;
  /** Resolves when no webhook delivery is pending. */
  deliveriesSettled(): Promise<void>;
  /** Sends an emitted event again (same webhook-id): a duplicate delivery. Null if the event is unknown. */
  redeliverEvent(eventId: string): Delivery[] | null;
  addClient(client: ClientInput): Client;
  expireTokens(): number;
  // Data access without HTTP (store 511 unless told otherwise); same validation and events as the API.
  createOrder(body: unknown, storeId?: number): StoredOrder;
  updateOrder(orderId: number | string, body: unknown, storeId?: number): StoredOrder;
  cancelOrder(orderId: number | string, storeId?: number): StoredOrder;
  getOrder(orderId: number | string, storeId?: number): Record<string, unknown>;
  createReceipt(body: unknown, storeId?: number): StoredReceipt;
  /** A receipt made outside the product (order_id null unless given), accepted, listed at once. */
  addOutOfBandReceipt(
    input: { series: string; correlative?: number; order_id?: number | null; gross_total?: string },
    storeId?: number,
  ): StoredReceipt;
  /** Every receipt of the store whatever the list lag (reckoning in tests and chaos runs). */
  allReceipts(storeId?: number): StoredReceipt[];
  getReceipt(receiptId: number | string, storeId?: number): Record<string, unknown>;
  listReceipts(query?: Record<string, string>, storeId?: number): ListPage;
  createWebhook(body: unknown, storeId?: number): WebhookSubscription;
  /** `POST /v1/transactions` without HTTP: same checks, same order update and event. */
  createTransaction(body: unknown, storeId?: number): StoredTransaction;
  /**
   * A refund of `amount` on the order, in the order's currency (method `card` unless told), as
   * `POST /v1/transactions` with type "refund" would make it.
   */
  refund(
    orderId: number | string,
    amount: string,
    options?: { method?: "cash" | "transfer" | "card"; parent_id?: number; currency_code?: string },
    storeId?: number,
  ): StoredTransaction;
  getTransaction(transactionId: number | string, storeId?: number): StoredTransaction;
  listTransactions(query?: Record<string, string>, storeId?: number): ListPage;
};

type Reply = { status: number; body: unknown; headers?: Record<string, string> };

/** A fault the simulator applied to a request; `orderId` is the body's `order_id` when it has one. */
export type InjectedFault = {
  kind: "rate_limit" | "error_before_commit" | "error_after_commit" | "timeout_after_commit";
  route: string;
  orderId: number | null;
};

const OutOfBandReceiptSchema = z.object({
  store_id: z.number().int().positive().optional(),
  series: z.string().regex(/^[FB0-9][A-Z0-9]{3}$/),
  correlative: z.number().int().min(1).max(99_999_999).optional(),
  order_id: z.number().int().positive().nullable().optional(),
  gross_total: z
    .string()
    .regex(/^\d+(\.\d{1,2})?$/)
    .optional(),
});
type RequestContext = {
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  rawBody: string;
  json: () => unknown;
  principal: (permission: Permission) => Principal;
};
type Handler = (context: RequestContext) => Reply;

const DEMO_STORE = 511;
const MAX_BODY_BYTES = 5 * 1024 * 1024;

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ApiError(413, "invalid_request_error", "body_too_large", "The body is over 5 MB"));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function parseJson(rawBody: string): unknown {
  if (rawBody.trim() === "") return {};
  try {
    return JSON.parse(rawBody);
  } catch {
    throw badRequest("invalid_json", "The body is not valid JSON");
  }
}

function parseAdmin<Schema extends z.ZodType>(schema: Schema, body: unknown): z.output<Schema> {
  const result = schema.safeParse(body);
  if (!result.success) {
    throw validationFailed(
      result.error.issues.map((issue) => ({
        param: issue.path.join(".") || "body",
        code: "invalid_format",
        message: issue.message,
      })),
    );
  }
  return result.data;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const seed = options.seed ?? 1;
  const host = options.host ?? "127.0.0.1";
  const webhookSecret = options.webhookSecret ?? generateWebhookSecret();
  const initialClients = (options.clients ?? []).map((client) => ClientSchema.parse(client));
  let baseUrl = "";

  const auth = new Authenticator(options.tokenTtlSeconds ?? 3600, initialClients);
  const faults = new FaultInjector(seed);
  const sunat = new SunatPolicyEngine(seed, options.sunatDelayMs ?? DEFAULT_SUNAT_DELAY_MS);
  const webhooks = new WebhookDispatcher(seed, options.webhookDelivery);
  const readings = {
    numbering: options.numbering ?? "explicit",
    listLagMs: options.listLagMs ?? 0,
    cursor: options.cursor ?? "list_order",
  } as const;
  const state = new SimulatorState({
    readings,
    sunat,
    webhooks,
    defaultWebhookSecret: webhookSecret,
    baseUrl: () => baseUrl,
    newEventId: WebhookDispatcher.newEventId,
  });

  let stats: SimulatorStats;
  const resetStats = () => {
    stats = { total: 0, api_total: 0, requests: {}, statuses: {}, faults_injected: faults.state().injected };
  };
  resetStats();
  const applyInitialSettings = () => {
    faults.setRules(options.faults ?? []);
    if (options.sunatPolicy) sunat.set(options.sunatPolicy);
    for (const [series, last] of Object.entries(options.existingReceipts ?? {})) {
      for (let correlative = 1; correlative <= last; correlative++)
        state.addOutOfBandReceipt(DEMO_STORE, { series, correlative });
    }
  };
  applyInitialSettings();

  const reset = () => {
    state.reset();
    auth.reset();
    faults.reset();
    sunat.reset();
    webhooks.reset(options.webhookDelivery);
    applyInitialSettings();
    resetStats();
  };

  // ---------- API routes ----------
  const api = new Router<Handler>()
    .add("POST", "/v1/token", (context) => ({
      status: 200,
      body: auth.issueToken(context.headers.authorization, new URLSearchParams(context.rawBody)),
      headers: { "cache-control": "no-store" },
    }))
    .add("GET", "/v1/orders", (context) => ({
      status: 200,
      body: state.listOrders(context.principal("read:orders").storeId, context.query),
    }))
    .add("POST", "/v1/orders", (context) => ({
      status: 201,
      body: state.createOrder(context.principal("write:orders").storeId, context.json()),
    }))
    .add("GET", "/v1/orders/{id}", (context) => ({
      status: 200,
      body: state.getOrder(
        context.principal("read:orders").storeId,
        context.params.id ?? "",
        context.query.get("fields"),
      ),
    }))
    .add("POST", "/v1/orders/{id}", (context) => ({
      status: 200,
      body: state.updateOrder(
        context.principal("write:orders").storeId,
        context.params.id ?? "",
        context.json(),
      ),
    }))
    .add("POST", "/v1/orders/{id}/cancel", (context) => ({
      status: 200,
      body: state.cancelOrder(context.principal("write:orders").storeId, context.params.id ?? ""),
    }))
    .add("GET", "/v1/receipts", (context) => ({
      status: 200,
      body: state.listReceipts(context.principal("read:receipts").storeId, context.query),
    }))
    .add("POST", "/v1/receipts", (context) => ({
      status: 201,
      body: state.createReceipt(context.principal("write:receipts").storeId, context.json()),
    }))
    .add("GET", "/v1/receipts/{id}", (context) => ({
      status: 200,
      body: state.getReceipt(
        context.principal("read:receipts").storeId,
        context.params.id ?? "",
        context.query.get("fields"),
      ),
    }))
    .add("GET", "/v1/transactions", (context) => ({
      status: 200,
      body: state.listTransactions(context.principal("read:transactions").storeId, context.query),
    }))
    .add("POST", "/v1/transactions", (context) => ({
      status: 201,
      body: state.createTransaction(context.principal("write:transactions").storeId, context.json()),
    }))
    .add("GET", "/v1/transactions/{id}", (context) => ({
      status: 200,
      body: state.getTransaction(context.principal("read:transactions").storeId, context.params.id ?? ""),
    }))
    .add("GET", "/v1/webhooks", (context) => ({
      status: 200,
      body: state.listWebhooks(context.principal("read:webhooks").storeId, context.query),
    }))
    .add("POST", "/v1/webhooks", (context) => ({
      status: 201,
      body: state.createWebhook(context.principal("write:webhooks").storeId, context.json()),
    }))
    .add("GET", "/v1/webhooks/{id}", (context) => ({
      status: 200,
      body: state.getWebhook(context.principal("read:webhooks").storeId, context.params.id ?? ""),
    }))
    .add("POST", "/v1/webhooks/{id}", (context) => ({
      status: 200,
      body: state.updateWebhook(
        context.principal("write:webhooks").storeId,
        context.params.id ?? "",
        context.json(),
      ),
    }));

  // ---------- admin routes (local only, no token) ----------
  const deliveryFilterFrom = (query: URLSearchParams): DeliveryFilter => {
    const status = query.get("status");
    const webhookId = query.get("webhook_id");
    const eventId = query.get("event_id");
    return {
      ...(eventId ? { event_id: eventId } : {}),
      ...(webhookId ? { webhook_id: Number(webhookId) } : {}),
      ...(status ? { status: status as Delivery["status"] } : {}),
    };
  };
  const admin = new Router<Handler>()
    .add("GET", "/_sim/health", () => ({ status: 200, body: { ok: true, url: baseUrl, seed } }))
    .add("POST", "/_sim/reset", () => {
      reset();
      return { status: 200, body: { ok: true } };
    })
    .add("GET", "/_sim/stats", () => ({ status: 200, body: simulator.getStats() }))
    .add("POST", "/_sim/stats/reset", () => {
      resetStats();
      return { status: 200, body: simulator.getStats() };
    })
    .add("GET", "/_sim/faults", () => ({ status: 200, body: faults.state() }))
    .add("POST", "/_sim/faults", (context) => {
      const { rules } = parseAdmin(FaultRulesBodySchema, context.json());
      faults.setRules(rules);
      return { status: 200, body: faults.state() };
    })
    .add("DELETE", "/_sim/faults", () => ({ status: 200, body: simulator.clearFaults() }))
    .add("GET", "/_sim/sunat", () => ({ status: 200, body: sunat.get() }))
    .add("POST", "/_sim/sunat", (context) => ({
      status: 200,
      body: sunat.set(parseAdmin(SunatPolicySchema, context.json())),
    }))
    .add("GET", "/_sim/deliveries", (context) => ({
      status: 200,
      body: { object: "list", data: webhooks.deliveries(deliveryFilterFrom(context.query)), has_more: false },
    }))
    .add("GET", "/_sim/webhook-delivery", () => ({ status: 200, body: webhooks.getConfig() }))
    .add("POST", "/_sim/webhook-delivery", (context) => ({
      status: 200,
      body: webhooks.setConfig(parseAdmin(DeliveryConfigSchema, context.json())),
    }))
    .add("POST", "/_sim/events/{id}/redeliver", (context) => {
      const deliveries = simulator.redeliverEvent(context.params.id ?? "");
      if (deliveries === null)
        throw new ApiError(404, "not_found", "resource_missing", "No such event", "id");
      return { status: 200, body: { object: "list", data: deliveries, has_more: false } };
    })
    .add("POST", "/_sim/receipts", (context) => {
      const input = parseAdmin(OutOfBandReceiptSchema, context.json());
      return { status: 201, body: state.addOutOfBandReceipt(input.store_id ?? DEMO_STORE, input) };
    })
    .add("POST", "/_sim/clients", (context) => {
      const client = auth.addClient(parseAdmin(ClientSchema, context.json()));
      return {
        status: 201,
        body: { clientId: client.clientId, storeId: client.storeId, permissions: client.permissions },
      };
    })
    .add("POST", "/_sim/tokens/expire", () => ({ status: 200, body: { expired: auth.expireTokens() } }));

  const faultListeners = new Set<(fault: InjectedFault) => void>();
  const notifyFault = (kind: InjectedFault["kind"], route: string, rawBody: string) => {
    if (faultListeners.size === 0) return;
    let orderId: number | null = null;
    try {
      const parsed = JSON.parse(rawBody) as { order_id?: unknown };
      if (typeof parsed.order_id === "number") orderId = parsed.order_id;
    } catch {
      // not JSON: no order to name
    }
    for (const listener of faultListeners) listener({ kind, route, orderId });
  };

  // ---------- HTTP plumbing ----------
  const heldSockets = new Set<Socket>();
  const sleepers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  let stopping = false;

  const sleep = (milliseconds: number) =>
    new Promise<void>((resolve) => {
      const sleeper = {
        resolve,
        timer: setTimeout(() => {
          sleepers.delete(sleeper);
          resolve();
        }, milliseconds),
      };
      sleepers.add(sleeper);
    });

  const send = (response: ServerResponse, reply: Reply, countStatus: boolean) => {
    if (response.destroyed || response.writableEnded) return;
    if (countStatus) stats.statuses[reply.status] = (stats.statuses[reply.status] ?? 0) + 1;
    if (Buffer.isBuffer(reply.body)) {
      response.writeHead(reply.status, reply.headers ?? {});
      response.end(reply.body);
      return;
    }
    response.writeHead(reply.status, { "content-type": "application/json; charset=utf-8", ...reply.headers });
    response.end(JSON.stringify(reply.body));
  };

  const errorReply = (error: unknown): Reply => {
    if (error instanceof ApiError)
      return { status: error.status, body: error.toBody(), headers: error.headers };
    const message = error instanceof Error ? error.message : String(error);
    return { status: 500, body: { error: { type: "api_error", code: "internal", message, param: null } } };
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const method = request.method ?? "GET";
    const url = new URL(request.url ?? "/", "http://simulator.local");
    const path = url.pathname;

    if (path.startsWith("/_sim/")) {
      const route = admin.match(method, path);
      let reply: Reply;
      try {
        if (!route)
          throw new ApiError(404, "not_found", "route_not_found", `No admin route ${method} ${path}`);
        const rawBody = await readBody(request);
        reply = route.handler(contextFor(route.params, url.searchParams, request, rawBody));
      } catch (error) {
        reply = errorReply(error);
      }
      send(response, reply, false);
      return;
    }

    const fileMatch = method === "GET" ? /^\/files\/([^/]+)$/.exec(path) : null;
    const route = fileMatch ? null : api.match(method, path);
    const template = fileMatch ? "/files/{name}" : (route?.template ?? "<unmatched>");
    const routeKey = `${method} ${template}`;
    stats.total += 1;
    if (path.startsWith("/v1/")) stats.api_total += 1;
    stats.requests[routeKey] = (stats.requests[routeKey] ?? 0) + 1;

    const plan = faults.plan(method, template);
    if (plan.latencyMs > 0) await sleep(plan.latencyMs);
    if (stopping) return;
    if (plan.rateLimit) {
      const seconds = plan.rateLimit.retryAfterSeconds ?? 1;
      const error = new ApiError(
        429,
        "rate_limit_error",
        "rate_limited",
        "Too many requests",
        null,
        {},
        {
          "retry-after": String(seconds),
        },
      );
      send(response, errorReply(error), true);
      return;
    }
    if (plan.errorBeforeCommit) {
      if (faultListeners.size > 0)
        notifyFault("error_before_commit", routeKey, await readBody(request).catch(() => ""));
      const status = plan.errorBeforeCommit.status ?? 503;
      const error = new ApiError(status, "api_error", "service_unavailable", "Simulated server error");
      send(response, errorReply(error), true);
      return;
    }

    let reply: Reply;
    let rawBody = "";
    try {
      rawBody = await readBody(request);
      if (fileMatch?.[1]) {
        const file = serveReceiptFile(fileMatch[1], (id) => state.receiptById(id));
        if (!file) throw new ApiError(404, "not_found", "file_not_found", `No file ${fileMatch[1]}`);
        reply = {
          status: 200,
          body: file.body,
          headers: {
            "content-type": file.contentType,
            "content-length": String(file.body.length),
            "content-disposition": `inline; filename="${file.fileName}"`,
          },
        };
      } else if (route) {
        reply = route.handler(contextFor(route.params, url.searchParams, request, rawBody));
      } else {
        throw new ApiError(404, "not_found", "route_not_found", `No route ${method} ${path}`);
      }
    } catch (error) {
      reply = errorReply(error);
    }

    if (plan.errorAfterCommit) notifyFault("error_after_commit", routeKey, rawBody);
    if (plan.timeoutAfterCommit) notifyFault("timeout_after_commit", routeKey, rawBody);
    if (plan.errorAfterCommit) {
      // The work is done (committed) but a proxy in front answers 5xx.
      const status = plan.errorAfterCommit.status ?? 502;
      send(
        response,
        errorReply(new ApiError(status, "api_error", "bad_gateway", "Simulated gateway error")),
        true,
      );
      return;
    }
    if (plan.timeoutAfterCommit) {
      // The work is done (committed) but the client never hears back.
      const socket = request.socket;
      if (plan.timeoutAfterCommit.timeoutMode === "destroy") {
        socket.destroy();
      } else {
        heldSockets.add(socket);
        socket.once("close", () => heldSockets.delete(socket));
      }
      return;
    }
    send(response, reply, true);
  };

  const contextFor = (
    params: Record<string, string>,
    query: URLSearchParams,
    request: IncomingMessage,
    rawBody: string,
  ): RequestContext => ({
    params,
    query,
    headers: request.headers,
    rawBody,
    json: () => parseJson(rawBody),
    principal: (permission) => auth.authenticate(request.headers.authorization, permission),
  });

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => send(response, errorReply(error), true));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://${host}:${port}`;

  const orderId = (id: number | string) => String(id);
  const simulator: Simulator = {
    url: baseUrl,
    port,
    seed,
    numbering: readings.numbering,
    listLagMs: readings.listLagMs,
    webhookSecret,
    async stop() {
      stopping = true;
      state.stopTimers();
      webhooks.stop();
      for (const sleeper of sleepers) {
        clearTimeout(sleeper.timer);
        sleeper.resolve();
      }
      sleepers.clear();
      for (const socket of heldSockets) socket.destroy();
      heldSockets.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
    reset,
    getStats: () => ({
      ...stats,
      requests: { ...stats.requests },
      statuses: { ...stats.statuses },
      faults_injected: faults.state().injected,
    }),
    resetStats,
    getFaults: () => faults.state(),
    setFaults: (rules) => {
      faults.setRules(rules);
      return faults.state();
    },
    clearFaults: () => {
      faults.setRules([]);
      return faults.state();
    },
    getSunatPolicy: () => sunat.get(),
    setSunatPolicy: (policy) => sunat.set(policy),
    getDeliveryConfig: () => webhooks.getConfig(),
    setDeliveryConfig: (changes) => webhooks.setConfig(changes),
    deliveries: (filter) => webhooks.deliveries(filter),
    deliveriesSettled: () => webhooks.settled(),
    onFault: (listener) => {
      faultListeners.add(listener);
      return () => faultListeners.delete(listener);
    },
    redeliverEvent: (eventId) => webhooks.redeliver(eventId, (event) => state.targetsFor(event)),
    addClient: (client) => auth.addClient(client),
    expireTokens: () => auth.expireTokens(),
    createOrder: (body, storeId = DEMO_STORE) => state.createOrder(storeId, body),
    updateOrder: (id, body, storeId = DEMO_STORE) => state.updateOrder(storeId, orderId(id), body),
    cancelOrder: (id, storeId = DEMO_STORE) => state.cancelOrder(storeId, orderId(id)),
    getOrder: (id, storeId = DEMO_STORE) => state.getOrder(storeId, orderId(id)),
    createReceipt: (body, storeId = DEMO_STORE) => state.createReceipt(storeId, body),
    addOutOfBandReceipt: (input, storeId = DEMO_STORE) => state.addOutOfBandReceipt(storeId, input),
    allReceipts: (storeId = DEMO_STORE) => state.allReceipts(storeId),
    getReceipt: (id, storeId = DEMO_STORE) => state.getReceipt(storeId, String(id)),
    listReceipts: (query = {}, storeId = DEMO_STORE) =>
      state.listReceipts(storeId, new URLSearchParams(query)),
    createWebhook: (body, storeId = DEMO_STORE) => state.createWebhook(storeId, body),
    createTransaction: (body, storeId = DEMO_STORE) => state.createTransaction(storeId, body),
    refund: (id, amount, options = {}, storeId = DEMO_STORE) => {
      const order = state.getOrder(storeId, orderId(id));
      return state.createTransaction(storeId, {
        order_id: Number(id),
        type: "refund",
        amount,
        currency_code: options.currency_code ?? order.currency_code,
        method: options.method ?? "card",
        ...(options.parent_id === undefined ? {} : { parent_id: options.parent_id }),
      });
    },
    getTransaction: (id, storeId = DEMO_STORE) => state.getTransaction(storeId, String(id)),
    listTransactions: (query = {}, storeId = DEMO_STORE) =>
      state.listTransactions(storeId, new URLSearchParams(query)),
  };
  return simulator;
}
