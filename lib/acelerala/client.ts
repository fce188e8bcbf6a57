import type * as z from "zod/mini";
import type { AceleralaCredentials } from "../config/env";
import { DEFAULT_ACELERALA_TIMEOUT_SECONDS } from "../time-budget";
import { AceleralaError, type AceleralaErrorKind, type AceleralaFieldError } from "./errors";
import {
  buildListQuery,
  type Filters,
  type FilterValue,
  type ListParams,
  MAX_LIST_LIMIT,
  type RangeFilter,
} from "./filters";
import {
  type AceleralaId,
  type AceleralaList,
  type AceleralaOrder,
  type AceleralaReceipt,
  type AceleralaTransaction,
  type AceleralaWebhook,
  ErrorResponseSchema,
  listSchema,
  OrderSchema,
  ReceiptSchema,
  TokenResponseSchema,
  TransactionSchema,
  WebhookSchema,
} from "./schemas";

export const DEFAULT_TIMEOUT_MS = DEFAULT_ACELERALA_TIMEOUT_SECONDS * 1000;
/** A token is refreshed this long before it expires, or 10 % of its lifetime when that is shorter. */
export const TOKEN_REFRESH_MARGIN_MS = 60_000;

/** One HTTP exchange, for the per-route call counter (benchmarks, tests). */
export type AceleralaCall = {
  /** "GET /v1/orders/{id}": the route template, so counts aggregate across ids. */
  route: string;
  status: number | undefined;
  errorKind: AceleralaErrorKind | undefined;
  durationMs: number;
};

export type AceleralaClientOptions = {
  baseUrl: string;
  credentials: AceleralaCredentials;
  timeoutMs?: number;
  /** Injected in unit tests; the global fetch otherwise. */
  fetch?: typeof fetch;
  /** Clock for token expiry, injected in unit tests. */
  now?: () => number;
  onCall?: (call: AceleralaCall) => void;
  /**
   * Called when the token request is refused for what may be bad client credentials: 400, 401 or 403 (OAuth says
   * 401 invalid_client with Basic authentication; the seed names no status), so the owner can read them afresh.
   */
  onCredentialsRefused?: () => void;
};

export type OrderSortField = "id" | "total" | "created" | "modified" | "placed";
/** The token already scopes a call to one store, so there is no store filter. */
export type OrderFilterField =
  | "id"
  | "payment_status"
  | "currency_code"
  | "total"
  | "subtotal"
  | "lines_total"
  | "created"
  | "modified"
  | "placed"
  | "canceled";
export type OrderFilters = { readonly [K in OrderFilterField]?: FilterValue } & Filters;
export type OrderListParams = ListParams<OrderSortField> & { filters?: OrderFilters };

export type ReceiptFilters = {
  id?: FilterValue;
  created?: FilterValue;
  order_id?: AceleralaId;
  series?: string;
  correlative?: number | RangeFilter;
  document_number?: string;
  sunat_acknowledged?: boolean;
};
/** The sort fields the seed lists for receipts. */
export type ReceiptListParams = ListParams<
  "id" | "total" | "created" | "modified" | "claimed_total" | "unclaimed_total"
>;

/** SUNAT's correlative: 1 to 8 digits. */
const MAX_CORRELATIVE = 99_999_999;

export type CreateWebhookInput = { url: string; description: string; enabled_events: readonly string[] };

type HttpMethod = "GET" | "POST";

type Exchange = { status: number; headers: Headers; text: string };

/** Connection errors that prove the request never left this process, so it cannot have been committed. */
const NOT_SENT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
]);

function errorChain(error: unknown): Array<{ name?: unknown; code?: unknown }> {
  const chain: Array<{ name?: unknown; code?: unknown }> = [];
  let current: unknown = error;
  while (typeof current === "object" && current !== null && chain.length < 5) {
    const link = current as { name?: unknown; code?: unknown; cause?: unknown };
    chain.push(link);
    current = link.cause;
  }
  return chain;
}

/** Retry-After in seconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - nowMs) / 1000));
}

function statusKind(status: number): AceleralaErrorKind {
  if (status === 400 || status === 422) return "validation";
  if (status === 401) return "auth";
  if (status === 403) return "permission";
  if (status === 404) return "not_found";
  if (status === 409) return "conflict";
  if (status === 429) return "rate_limited";
  if (status >= 500) return "server";
  // Other 4xx (405, 413, …): our request is wrong; treat like a validation failure.
  return "validation";
}

/**
 * Client of Acelérala's REST API (OAuth2 client credentials, bearer token). It never retries by itself except
 * once after a 401 with a fresh token (safe: the API refused the request before doing anything); every other
 * failure is an AceleralaError whose `retryable`/`ambiguous` flags let the caller decide.
 */
export class AceleralaClient {
  private readonly baseUrl: string;
  private readonly credentials: AceleralaCredentials;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;
  private readonly onCall: ((call: AceleralaCall) => void) | undefined;
  private readonly onCredentialsRefused: (() => void) | undefined;
  private cachedToken: { value: string; refreshAtMs: number } | undefined;
  private inFlightToken: Promise<string> | undefined;
  private readonly counts = new Map<string, number>();

  constructor(options: AceleralaClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.credentials = options.credentials;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.fetchImpl = options.fetch ?? globalThis.fetch;
    this.now = options.now ?? Date.now;
    this.onCall = options.onCall;
    this.onCredentialsRefused = options.onCredentialsRefused;
  }

  /** HTTP exchanges made so far, per route template (token requests and 401 retries included). */
  callCounts(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  // ---- orders -------------------------------------------------------------------------------------------

  getOrder(id: AceleralaId): Promise<AceleralaOrder> {
    return this.request(
      "GET",
      "/v1/orders/{id}",
      `/v1/orders/${encodeURIComponent(String(id))}`,
      OrderSchema,
    );
  }

  listOrders(params: OrderListParams = {}): Promise<AceleralaList<AceleralaOrder>> {
    const { filters, ...listParams } = params;
    const query = buildListQuery(listParams, filters);
    return this.request("GET", "/v1/orders", `/v1/orders?${query}`, listSchema(OrderSchema));
  }

  /**
   * Every order matching `filters`, oldest id first. Pages by filter (`id=gt:<last id>`, `sort=id:asc`) rather
   * than by cursor: the seed can be read two ways about which side `after` pages to, but not about `gt`.
   */
  async *iterateOrders(
    params: { limit?: number; filters?: OrderFilters } = {},
  ): AsyncGenerator<AceleralaOrder, void, undefined> {
    let lastId: number | undefined;
    for (;;) {
      const page = await this.listOrders({
        limit: params.limit ?? MAX_LIST_LIMIT,
        sort: "id:asc",
        filters: { ...params.filters, ...(lastId === undefined ? {} : { id: { gt: lastId } }) },
      });
      const fresh = page.data.filter((order) => lastId === undefined || Number(order.id) > lastId);
      yield* fresh;
      const last = fresh.at(-1);
      if (!page.has_more || last === undefined) return;
      lastId = Number(last.id);
    }
  }

  // ---- receipts -----------------------------------------------------------------------------------------

  /** POST /v1/receipts. On an ambiguous failure, look the receipt up (findReceiptByNumber) before resubmitting. */
  createReceipt(body: object): Promise<AceleralaReceipt> {
    return this.request("POST", "/v1/receipts", "/v1/receipts", ReceiptSchema, body);
  }

  getReceipt(id: AceleralaId): Promise<AceleralaReceipt> {
    return this.request(
      "GET",
      "/v1/receipts/{id}",
      `/v1/receipts/${encodeURIComponent(String(id))}`,
      ReceiptSchema,
    );
  }

  listReceipts(
    filters: ReceiptFilters = {},
    params: ReceiptListParams = {},
  ): Promise<AceleralaList<AceleralaReceipt>> {
    const query = buildListQuery(params, filters);
    return this.request("GET", "/v1/receipts", `/v1/receipts?${query}`, listSchema(ReceiptSchema));
  }

  /**
   * The receipt holding `series-correlative`, or null. Matches on the returned fields too, so a server that
   * ignored a filter cannot make us adopt someone else's receipt.
   */
  async findReceiptByNumber(series: string, correlative: number): Promise<AceleralaReceipt | null> {
    const page = await this.listReceipts({ series, correlative }, { limit: 10 });
    return (
      page.data.find((receipt) => receipt.series === series && receipt.correlative === correlative) ?? null
    );
  }

  /**
   * Every receipt matching `filters`, oldest id first. Pages by filter (`id=gt:<last id>`, `sort=id:asc`)
   * rather than by cursor: the seed can be read two ways about which side `after` pages to, but not about
   * what `gt` means.
   */
  async *iterateReceipts(filters: ReceiptFilters = {}): AsyncGenerator<AceleralaReceipt, void, undefined> {
    let lastId: number | undefined;
    for (let page = 0; page < 10_000; page++) {
      const query = buildListQuery(
        { limit: MAX_LIST_LIMIT, sort: "id:asc" },
        { ...filters, ...(lastId === undefined ? {} : { id: { gt: lastId } }) },
      );
      const list = await this.request(
        "GET",
        "/v1/receipts",
        `/v1/receipts?${query}`,
        listSchema(ReceiptSchema),
      );
      const fresh = list.data.filter((receipt) => lastId === undefined || Number(receipt.id) > lastId);
      yield* fresh;
      const last = fresh.at(-1);
      if (!list.has_more || last === undefined) return;
      lastId = Number(last.id);
    }
  }

  /** Every receipt the API holds for an order (sale receipts and notes, any number). */
  async receiptsOfOrder(orderId: AceleralaId): Promise<AceleralaReceipt[]> {
    const receipts: AceleralaReceipt[] = [];
    for await (const receipt of this.iterateReceipts({ order_id: orderId })) {
      // A server that ignored the filter must not make us see another order's receipt as ours.
      if (
        receipt.order_id !== null &&
        receipt.order_id !== undefined &&
        String(receipt.order_id) === String(orderId)
      )
        receipts.push(receipt);
    }
    return receipts;
  }

  /**
   * The highest correlative the API holds in `series` (0 when none), found with `correlative=gt:N` filters
   * (the seed lets lists sort receipts by id, total, created, modified and the claimed totals, not by
   * correlative): double N until nothing is above it, then halve the gap. About 2·log2(highest) calls, once
   * per series.
   */
  async highestCorrelative(series: string): Promise<number> {
    const above = async (value: number): Promise<boolean> => {
      const page = await this.listReceipts({ series, correlative: { gt: value } }, { limit: 1 });
      const found = page.data[0];
      if (found && (found.series !== series || found.correlative <= value)) {
        throw new AceleralaError({
          kind: "invalid_response",
          route: "GET /v1/receipts",
          retryable: false,
          ambiguous: false,
          apiMessage: `the API ignored the filter series=${series}&correlative=gt:${value}`,
        });
      }
      return found !== undefined;
    };
    if (!(await above(0))) return 0;
    let low = 0; // something is above low
    let high = 1;
    while (await above(high)) {
      low = high;
      high *= 2;
      if (high > MAX_CORRELATIVE) {
        high = MAX_CORRELATIVE;
        break;
      }
    }
    // nothing is above high, something is above low: the highest is in (low, high]
    while (high - low > 1) {
      const middle = Math.floor((low + high) / 2);
      if (await above(middle)) low = middle;
      else high = middle;
    }
    return high;
  }

  // ---- transactions -------------------------------------------------------------------------------------

  /**
   * The refund transactions of an order (GET /v1/transactions?order_id=…&type=refund), oldest id first, paged by
   * id filters like every listing here.
   */
  async refundsOfOrder(orderId: AceleralaId): Promise<AceleralaTransaction[]> {
    const refunds: AceleralaTransaction[] = [];
    let lastId: number | undefined;
    for (let page = 0; page < 1_000; page++) {
      const query = buildListQuery(
        { limit: MAX_LIST_LIMIT, sort: "id:asc" },
        { order_id: orderId, type: "refund", ...(lastId === undefined ? {} : { id: { gt: lastId } }) },
      );
      const list = await this.request(
        "GET",
        "/v1/transactions",
        `/v1/transactions?${query}`,
        listSchema(TransactionSchema),
      );
      const fresh = list.data.filter((item) => lastId === undefined || Number(item.id) > lastId);
      // A server that ignored a filter must not make another order's money look like this order's refund.
      refunds.push(
        ...fresh.filter((item) => item.type === "refund" && String(item.order_id) === String(orderId)),
      );
      const last = fresh.at(-1);
      if (!list.has_more || last === undefined) break;
      lastId = Number(last.id);
    }
    return refunds;
  }

  // ---- webhooks -----------------------------------------------------------------------------------------

  listWebhooks(): Promise<AceleralaList<AceleralaWebhook>> {
    return this.request("GET", "/v1/webhooks", "/v1/webhooks", listSchema(WebhookSchema));
  }

  createWebhook(input: CreateWebhookInput): Promise<AceleralaWebhook> {
    return this.request("POST", "/v1/webhooks", "/v1/webhooks", WebhookSchema, input);
  }

  // ---- token --------------------------------------------------------------------------------------------

  /** A valid access token: cached, refreshed shortly before expiry, one request shared by concurrent callers. */
  async accessToken(): Promise<string> {
    if (this.cachedToken && this.now() < this.cachedToken.refreshAtMs) return this.cachedToken.value;
    if (!this.inFlightToken) {
      this.inFlightToken = this.requestToken().finally(() => {
        this.inFlightToken = undefined;
      });
    }
    return this.inFlightToken;
  }

  private async requestToken(): Promise<string> {
    const route = "POST /v1/token";
    const basic = Buffer.from(`${this.credentials.client_id}:${this.credentials.client_secret}`).toString(
      "base64",
    );
    const exchange = await this.send("POST", route, "/v1/token", {
      authorization: `Basic ${basic}`,
      contentType: "application/x-www-form-urlencoded",
      body: new URLSearchParams({ grant_type: "client_credentials" }).toString(),
      mutating: false, // a token request changes nothing that matters if repeated
    });
    if (exchange.status < 200 || exchange.status >= 300) {
      if ([400, 401, 403].includes(exchange.status)) this.onCredentialsRefused?.();
      throw this.httpError(route, exchange, false);
    }
    const token = this.parse(route, exchange, TokenResponseSchema, false);
    const lifetimeMs = token.expires_in * 1000;
    const marginMs = Math.min(TOKEN_REFRESH_MARGIN_MS, lifetimeMs * 0.1);
    this.cachedToken = { value: token.access_token, refreshAtMs: this.now() + lifetimeMs - marginMs };
    return token.access_token;
  }

  /** Forgets `rejected` (unless a newer token already replaced it, so concurrent 401s refresh only once). */
  private invalidateToken(rejected: string): void {
    if (this.cachedToken?.value === rejected) this.cachedToken = undefined;
  }

  // ---- transport ----------------------------------------------------------------------------------------

  private async request<Schema extends z.ZodMiniType>(
    method: HttpMethod,
    routeTemplate: string,
    path: string,
    schema: Schema,
    body?: object,
  ): Promise<z.output<Schema>> {
    const route = `${method} ${routeTemplate}`;
    const mutating = method !== "GET";
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const attempt = async (token: string) =>
      this.send(method, route, path, {
        authorization: `Bearer ${token}`,
        contentType: payload === undefined ? undefined : "application/json",
        body: payload,
        mutating,
      });

    const token = await this.accessToken();
    let exchange = await attempt(token);
    if (exchange.status === 401) {
      this.invalidateToken(token);
      exchange = await attempt(await this.accessToken());
    }
    if (exchange.status < 200 || exchange.status >= 300) throw this.httpError(route, exchange, mutating);
    return this.parse(route, exchange, schema, mutating);
  }

  private async send(
    method: HttpMethod,
    route: string,
    path: string,
    request: {
      authorization: string;
      contentType: string | undefined;
      body: string | undefined;
      mutating: boolean;
    },
  ): Promise<Exchange> {
    this.counts.set(route, (this.counts.get(route) ?? 0) + 1);
    const started = performance.now();
    const headers: Record<string, string> = {
      accept: "application/json",
      authorization: request.authorization,
    };
    if (request.contentType) headers["content-type"] = request.contentType;
    try {
      const response = await this.fetchImpl(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: request.body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      // The body is read under the same timeout signal, so a stalled body is a timeout too.
      const text = await response.text();
      this.record(route, response.status, undefined, started);
      return { status: response.status, headers: response.headers, text };
    } catch (error) {
      const failure = this.transportError(route, error, request.mutating);
      this.record(route, undefined, failure.kind, started);
      throw failure;
    }
  }

  private record(
    route: string,
    status: number | undefined,
    errorKind: AceleralaErrorKind | undefined,
    started: number,
  ) {
    this.onCall?.({ route, status, errorKind, durationMs: performance.now() - started });
  }

  private transportError(route: string, error: unknown, mutating: boolean): AceleralaError {
    const chain = errorChain(error);
    if (chain.some((link) => link.name === "TimeoutError" || link.name === "AbortError")) {
      return new AceleralaError({
        kind: "timeout",
        route,
        retryable: true,
        ambiguous: mutating,
        apiMessage: `no answer within ${this.timeoutMs} ms`,
      });
    }
    const code = chain.map((link) => link.code).find((value): value is string => typeof value === "string");
    const neverSent = code !== undefined && NOT_SENT_CODES.has(code);
    return new AceleralaError({
      kind: "network",
      route,
      retryable: true,
      ambiguous: mutating && !neverSent,
      apiMessage: code ?? (error instanceof Error ? error.message : "connection failed"),
    });
  }

  private httpError(route: string, exchange: Exchange, mutating: boolean): AceleralaError {
    const kind = statusKind(exchange.status);
    const parsed = ErrorResponseSchema.safeParse(safeJson(exchange.text));
    const detail = parsed.success ? parsed.data.error : undefined;
    const errors: AceleralaFieldError[] = (detail?.errors ?? []).map((item) => ({
      param: item.param ?? null,
      code: item.code ?? null,
      message: item.message ?? "",
    }));
    return new AceleralaError({
      kind,
      route,
      status: exchange.status,
      retryable: kind === "rate_limited" || kind === "server",
      // A 5xx after a POST may come from a proxy after the API committed the write.
      ambiguous: kind === "server" && mutating,
      type: detail?.type,
      code: detail?.code ?? undefined,
      param: detail?.param,
      errors,
      existingReceiptId: detail?.existing_receipt_id ?? undefined,
      retryAfterSeconds:
        kind === "rate_limited"
          ? parseRetryAfter(exchange.headers.get("retry-after"), this.now())
          : undefined,
      apiMessage: detail?.message ?? undefined,
    });
  }

  private parse<Schema extends z.ZodMiniType>(
    route: string,
    exchange: Exchange,
    schema: Schema,
    mutating: boolean,
  ): z.output<Schema> {
    const result = schema.safeParse(safeJson(exchange.text));
    if (result.success) return result.data;
    const where = result.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`)
      .join("; ");
    throw new AceleralaError({
      kind: "invalid_response",
      route,
      status: exchange.status,
      retryable: false,
      // The API said 2xx: a write did happen even if we cannot read its result.
      ambiguous: mutating,
      apiMessage: `unexpected response body (${where})`,
    });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
