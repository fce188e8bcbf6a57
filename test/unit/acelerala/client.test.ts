import { describe, expect, it } from "vitest";
import { AceleralaClient } from "../../../lib/acelerala/client";
import { apiError, failure, fakeFetch, json, type RecordedRequest, tokenResponse } from "./fake-fetch";

const BASE_URL = "http://acelerala.test";
const CREDENTIALS = { client_id: "demo-client", client_secret: "demo-secret" };

function order(id: number) {
  return { id, object: "order", payment_status: "paid", store_id: 511, total: "100.00" };
}

function receipt(id: number, series = "F001", correlative = 12) {
  return {
    id,
    object: "receipt",
    order_id: 32203,
    series,
    correlative,
    document_number: `${series}-${correlative}`,
    sunat_acknowledged: 0,
    sunat_accepted: null,
  };
}

function isToken(request: RecordedRequest): boolean {
  return request.url.pathname === "/v1/token";
}

describe("token", () => {
  it("asks with Basic credentials and a form body, then sends the bearer token", async () => {
    const fetch = fakeFetch((request) => (isToken(request) ? tokenResponse("tok-1") : json(200, order(1))));
    const client = new AceleralaClient({ baseUrl: `${BASE_URL}/`, credentials: CREDENTIALS, fetch });
    await client.getOrder(1);
    const [token, get] = fetch.requests;
    expect(token?.method).toBe("POST");
    expect(token?.headers.authorization).toBe(
      `Basic ${Buffer.from("demo-client:demo-secret").toString("base64")}`,
    );
    expect(token?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(token?.body).toBe("grant_type=client_credentials");
    expect(get?.url.href).toBe(`${BASE_URL}/v1/orders/1`);
    expect(get?.headers.authorization).toBe("Bearer tok-1");
  });

  // Refreshed `margin` before expiry: 60 s, or 10 % of the lifetime when that is shorter.
  it.each([
    { expiresIn: 3600, refreshAfterMs: 3_540_000, margin: "60 s" },
    { expiresIn: 100, refreshAfterMs: 90_000, margin: "10 %" },
  ])(
    "a $expiresIn s token is reused until $margin before expiry, then refreshed",
    async ({ expiresIn, refreshAfterMs }) => {
      let clock = 1_000_000;
      let issued = 0;
      const fetch = fakeFetch((request) =>
        isToken(request) ? tokenResponse(`tok-${++issued}`, expiresIn) : json(200, order(1)),
      );
      const client = new AceleralaClient({
        baseUrl: BASE_URL,
        credentials: CREDENTIALS,
        fetch,
        now: () => clock,
      });
      await client.getOrder(1);
      clock += refreshAfterMs - 1;
      await client.getOrder(1);
      expect(issued).toBe(1);
      clock += 1;
      await client.getOrder(1);
      expect(issued).toBe(2);
      expect(fetch.requests.at(-1)?.headers.authorization).toBe("Bearer tok-2");
    },
  );

  it("concurrent callers share one token request", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const fetch = fakeFetch(async (request) => {
      if (isToken(request)) {
        await gate;
        return tokenResponse("tok-1");
      }
      return json(200, order(Number(request.url.pathname.split("/").at(-1))));
    });
    const client = new AceleralaClient({ baseUrl: BASE_URL, credentials: CREDENTIALS, fetch });
    const pending = Promise.all([1, 2, 3, 4, 5].map((id) => client.getOrder(id)));
    release();
    const orders = await pending;
    expect(orders.map((o) => o.id)).toEqual([1, 2, 3, 4, 5]);
    expect(fetch.requests.filter(isToken)).toHaveLength(1);
    expect(client.callCounts()).toEqual({ "POST /v1/token": 1, "GET /v1/orders/{id}": 5 });
  });

  it("on a 401 refreshes the token once and retries the call once", async () => {
    let issued = 0;
    const fetch = fakeFetch((request) => {
      if (isToken(request)) return tokenResponse(`tok-${++issued}`);
      return request.headers.authorization === "Bearer tok-1"
        ? apiError(401, "authentication_error", "token_expired")
        : json(201, receipt(7));
    });
    const client = new AceleralaClient({ baseUrl: BASE_URL, credentials: CREDENTIALS, fetch });
    const created = await client.createReceipt({ order_id: 32203, series: "F001", correlative: 12 });
    expect(created.document_number).toBe("F001-12");
    expect(created.sunat_acknowledged).toBe(false);
    expect(
      fetch.requests.map((r) => `${r.method} ${r.url.pathname} ${r.headers.authorization?.slice(0, 6)}`),
    ).toEqual([
      "POST /v1/token Basic ",
      "POST /v1/receipts Bearer",
      "POST /v1/token Basic ",
      "POST /v1/receipts Bearer",
    ]);
  });

  it("a second 401 is an auth error, and neither token nor secret appears in it", async () => {
    const fetch = fakeFetch((request) =>
      isToken(request)
        ? tokenResponse("tok-secret-value")
        : apiError(401, "authentication_error", "invalid_token"),
    );
    const client = new AceleralaClient({ baseUrl: BASE_URL, credentials: CREDENTIALS, fetch });
    const error = await failure(client.getOrder(1));
    expect(error).toMatchObject({ kind: "auth", status: 401, retryable: false, ambiguous: false });
    expect(fetch.requests.filter(isToken)).toHaveLength(2);
    expect(fetch.requests.filter((r) => !isToken(r))).toHaveLength(2);
    const everything = `${error.message} ${JSON.stringify(error)} ${error.stack}`;
    expect(everything).not.toContain("tok-secret-value");
    expect(everything).not.toContain("demo-secret");
  });

  it("wrong client credentials are an auth error on the token route", async () => {
    const fetch = fakeFetch(() => apiError(401, "authentication_error", "invalid_client"));
    const client = new AceleralaClient({ baseUrl: BASE_URL, credentials: CREDENTIALS, fetch });
    const error = await failure(client.getOrder(1));
    expect(error).toMatchObject({ kind: "auth", route: "POST /v1/token", code: "invalid_client" });
    expect(fetch.requests).toHaveLength(1);
  });
});

describe("error classification", () => {
  function clientAnswering(response: () => Response | Promise<Response>, now = () => 0) {
    const fetch = fakeFetch((request) => (isToken(request) ? tokenResponse("tok") : response()));
    return new AceleralaClient({ baseUrl: BASE_URL, credentials: CREDENTIALS, fetch, now, timeoutMs: 50 });
  }

  it("400/422 → validation with the field errors", async () => {
    const client = clientAnswering(() =>
      apiError(422, "invalid_request_error", "invalid_receipt", {
        param: "customer_information.document_number",
        errors: [
          { param: "customer_information.document_number", code: "invalid_ruc", message: "RUC inválido" },
        ],
      }),
    );
    const error = await failure(client.createReceipt({}));
    expect(error).toMatchObject({
      kind: "validation",
      status: 422,
      retryable: false,
      ambiguous: false,
      param: "customer_information.document_number",
      errors: [
        { param: "customer_information.document_number", code: "invalid_ruc", message: "RUC inválido" },
      ],
    });
    expect(error.message).toContain("invalid_receipt at customer_information.document_number");
  });

  it("409 → conflict with the code and the existing receipt", async () => {
    const client = clientAnswering(() =>
      apiError(409, "conflict", "duplicate_document_number", { existing_receipt_id: 67348 }),
    );
    const error = await failure(client.createReceipt({}));
    expect(error).toMatchObject({
      kind: "conflict",
      code: "duplicate_document_number",
      existingReceiptId: 67348,
      retryable: false,
      ambiguous: false,
    });
  });

  it("429 → rate_limited with Retry-After in seconds or as a date", async () => {
    const seconds = await failure(
      clientAnswering(
        () =>
          apiError(429, "rate_limit_error", "too_many", {}) &&
          json(429, { error: { type: "rate_limit_error" } }, { "retry-after": "7" }),
      ).getOrder(1),
    );
    expect(seconds).toMatchObject({ kind: "rate_limited", retryable: true, retryAfterSeconds: 7 });
    const now = Date.parse("2025-01-01T00:00:00Z");
    const dated = await failure(
      clientAnswering(
        () =>
          json(
            429,
            { error: { type: "rate_limit_error" } },
            { "retry-after": "Wed, 01 Jan 2025 00:00:30 GMT" },
          ),
        () => now,
      ).getOrder(1),
    );
    expect(dated.retryAfterSeconds).toBe(30);
  });

  it.each([
    [403, "permission_error", "permission"],
    [404, "not_found", "not_found"],
  ] as const)("%i → %s", async (status, type, kind) => {
    const error = await failure(clientAnswering(() => apiError(status, type, "x")).getOrder(1));
    expect(error).toMatchObject({ kind, status, retryable: false, ambiguous: false });
  });

  it("5xx → server, retryable; ambiguous only for a POST", async () => {
    const get = await failure(clientAnswering(() => apiError(503, "api_error", "unavailable")).getOrder(1));
    expect(get).toMatchObject({ kind: "server", retryable: true, ambiguous: false });
    const post = await failure(
      clientAnswering(() => new Response("<html>bad gateway</html>", { status: 502 })).createReceipt({}),
    );
    expect(post).toMatchObject({ kind: "server", status: 502, retryable: true, ambiguous: true });
  });

  it("no answer within the timeout → timeout, ambiguous for a POST", async () => {
    const tokens = fakeFetch(() => tokenResponse("tok"));
    // Answers the token, then never answers, but honours the abort signal like the real fetch.
    const silent = (async (input: string | URL | Request, init?: RequestInit) => {
      if (String(input).endsWith("/v1/token")) return tokens(input, init);
      return new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
      });
    }) as typeof globalThis.fetch;
    const client = new AceleralaClient({
      baseUrl: BASE_URL,
      credentials: CREDENTIALS,
      timeoutMs: 30,
      fetch: silent,
    });
    const error = await failure(client.createReceipt({}));
    expect(error).toMatchObject({ kind: "timeout", retryable: true, ambiguous: true });
    const read = await failure(client.getReceipt(1));
    expect(read).toMatchObject({ kind: "timeout", ambiguous: false });
  });

  it("connection refused → network, not ambiguous (never sent); reset after sending → ambiguous", async () => {
    const networkFailure = (code: string) => {
      throw new TypeError("fetch failed", { cause: Object.assign(new Error(code), { code }) });
    };
    const refused = await failure(clientAnswering(() => networkFailure("ECONNREFUSED")).createReceipt({}));
    expect(refused).toMatchObject({ kind: "network", retryable: true, ambiguous: false });
    const reset = await failure(clientAnswering(() => networkFailure("ECONNRESET")).createReceipt({}));
    expect(reset).toMatchObject({ kind: "network", retryable: true, ambiguous: true });
  });

  it("a success body of the wrong shape → invalid_response naming the field", async () => {
    const error = await failure(
      clientAnswering(() => json(201, { id: 1, series: "F001" })).createReceipt({}),
    );
    expect(error).toMatchObject({ kind: "invalid_response", retryable: false, ambiguous: true });
    expect(error.message).toContain("correlative");
  });
});

describe("lists", () => {
  it("serialises typed filters into the API's syntax", async () => {
    const fetch = fakeFetch((request) =>
      isToken(request) ? tokenResponse("tok") : json(200, { object: "list", data: [], has_more: false }),
    );
    const client = new AceleralaClient({ baseUrl: BASE_URL, credentials: CREDENTIALS, fetch });
    await client.listOrders({
      limit: 100,
      sort: "placed:asc",
      filters: {
        placed: { gte: "2025-01-01T00:00:00Z", lt: "2025-02-01T00:00:00Z" },
        payment_status: ["paid"],
      },
    });
    const url = fetch.requests.at(-1)?.url;
    expect(url?.pathname).toBe("/v1/orders");
    expect(decodeURIComponent(url?.search ?? "")).toBe(
      "?placed=gte:2025-01-01T00:00:00Z,lt:2025-02-01T00:00:00Z&payment_status=paid&limit=100&sort=placed:asc",
    );
  });

  it("iterates over every page with id filters (sort=id:asc, id=gt:last), never a cursor", async () => {
    const all = Array.from({ length: 25 }, (_, index) => order(976 + index));
    const fetch = fakeFetch((request) => {
      if (isToken(request)) return tokenResponse("tok");
      expect(request.url.searchParams.get("after")).toBeNull();
      expect(request.url.searchParams.get("sort")).toBe("id:asc");
      const above = Number((request.url.searchParams.get("id") ?? "gt:0").replace("gt:", ""));
      const limit = Number(request.url.searchParams.get("limit") ?? 10);
      const rest = all.filter((o) => o.id > above);
      return json(200, { object: "list", data: rest.slice(0, limit), has_more: rest.length > limit });
    });
    const client = new AceleralaClient({ baseUrl: BASE_URL, credentials: CREDENTIALS, fetch });
    const seen: Array<number | string> = [];
    for await (const item of client.iterateOrders({ limit: 10, filters: { payment_status: "paid" } }))
      seen.push(item.id);
    expect(seen).toEqual(all.map((o) => o.id));
    const pages = fetch.requests.filter((r) => !isToken(r));
    expect(pages.map((r) => r.url.searchParams.get("id"))).toEqual([null, "gt:985", "gt:995"]);
    expect(pages.every((r) => r.url.searchParams.get("payment_status") === "paid")).toBe(true);
  });

  it("findReceiptByNumber filters by series and correlative and checks the answer", async () => {
    const fetch = fakeFetch((request) => {
      if (isToken(request)) return tokenResponse("tok");
      // A server that ignores the filter: the client must not adopt the wrong receipt.
      return json(200, {
        object: "list",
        data: [receipt(1, "F001", 11), receipt(2, "F001", 12)],
        has_more: false,
      });
    });
    const client = new AceleralaClient({ baseUrl: BASE_URL, credentials: CREDENTIALS, fetch });
    expect((await client.findReceiptByNumber("F001", 12))?.id).toBe(2);
    expect(await client.findReceiptByNumber("F001", 13)).toBeNull();
    const query = fetch.requests.at(-1)?.url.searchParams;
    expect(query?.get("series")).toBe("F001");
    expect(query?.get("correlative")).toBe("13");
  });

  it("finds the highest correlative of a series with gt filters only, in about 2·log2 calls", async () => {
    const held = [3, 17, 36_862, 9]; // F001 numbers the API holds; sort by correlative is not in the seed
    const fetch = fakeFetch((request) => {
      if (isToken(request)) return tokenResponse("tok");
      const query = request.url.searchParams;
      expect(query.get("sort")).toBeNull();
      const above = Number(query.get("correlative")?.replace("gt:", ""));
      const found = held.filter((n) => n > above).map((n) => receipt(n, "F001", n));
      return json(200, { object: "list", data: found.slice(0, 1), has_more: found.length > 1 });
    });
    const client = new AceleralaClient({ baseUrl: BASE_URL, credentials: CREDENTIALS, fetch });
    expect(await client.highestCorrelative("F001")).toBe(36_862);
    const listCalls = fetch.requests.filter((request) => !isToken(request)).length;
    expect(listCalls).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(36_862)) + 2);
    held.length = 0;
    expect(await client.highestCorrelative("F001")).toBe(0);
  });

  it("refuses to guess the highest correlative from a server that ignores the filter", async () => {
    const fetch = fakeFetch((request) =>
      isToken(request)
        ? tokenResponse("tok")
        : json(200, { object: "list", data: [receipt(1, "F001", 5)], has_more: true }),
    );
    const client = new AceleralaClient({ baseUrl: BASE_URL, credentials: CREDENTIALS, fetch });
    const error = await failure(client.highestCorrelative("F001"));
    expect(error.message).toMatch(/ignored the filter series=F001&correlative=gt:8/);
  });

  it("lists an order's receipts page by page with id filters, not cursors, and only that order's", async () => {
    const all = Array.from({ length: 130 }, (_, i) => ({
      ...receipt(i + 1, "B001", i + 1),
      order_id: i === 129 ? 999 : 32203,
    }));
    const fetch = fakeFetch((request) => {
      if (isToken(request)) return tokenResponse("tok");
      const query = request.url.searchParams;
      expect(query.get("after")).toBeNull();
      expect(query.get("sort")).toBe("id:asc");
      const after = Number((query.get("id") ?? "gt:0").replace("gt:", ""));
      const rest = all.filter((r) => r.id > after);
      return json(200, { object: "list", data: rest.slice(0, 100), has_more: rest.length > 100 });
    });
    const client = new AceleralaClient({ baseUrl: BASE_URL, credentials: CREDENTIALS, fetch });
    const receipts = await client.receiptsOfOrder(32203);
    expect(receipts).toHaveLength(129);
    expect(fetch.requests.filter((request) => !isToken(request))).toHaveLength(2);
  });

  it("creates and lists webhooks", async () => {
    const hook = {
      id: 13,
      url: "https://x.test/webhooks/acelerala",
      description: "d",
      enabled_events: ["orders.updated.placed"],
      active: 1,
    };
    const fetch = fakeFetch((request) => {
      if (isToken(request)) return tokenResponse("tok");
      return request.method === "POST"
        ? json(201, hook)
        : json(200, { object: "list", data: [hook], has_more: false });
    });
    const client = new AceleralaClient({ baseUrl: BASE_URL, credentials: CREDENTIALS, fetch });
    const created = await client.createWebhook({
      url: hook.url,
      description: "d",
      enabled_events: ["orders.updated.placed"],
    });
    expect(created.active).toBe(true);
    expect(JSON.parse(fetch.requests.at(-1)?.body ?? "{}")).toEqual({
      url: hook.url,
      description: "d",
      enabled_events: ["orders.updated.placed"],
    });
    expect((await client.listWebhooks()).data).toHaveLength(1);
  });
});
