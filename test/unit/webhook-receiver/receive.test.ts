import { describe, expect, it } from "vitest";
import {
  decideWebhook,
  HEALTH_PATH,
  MAX_WEBHOOK_BODY_BYTES,
  type ReceiveDecision,
  type ReceiverRequest,
  WEBHOOK_PATH,
} from "../../../lib/webhook/receive";
import { generateWebhookSecret, signWebhook } from "../../../lib/webhook/signature";

const NOW = 1_760_000_000;
const OLD_SECRET = generateWebhookSecret();
const NEW_SECRET = generateWebhookSecret();

function envelope(overrides: Record<string, unknown> = {}) {
  return {
    id: "evt_01",
    type: "orders.updated.placed",
    created: "2025-10-09T08:53:20.000Z",
    store_id: 511,
    data: {
      object: {
        id: 32203,
        object: "order",
        payment_status: "paid",
        billing_details: { email: "manuel@x.com", document_number: "48765432" },
      },
    },
    ...overrides,
  };
}

function signedRequest(
  body: string,
  options: { secret?: string; id?: string; timestamp?: number; base64?: boolean } = {},
): ReceiverRequest {
  const headers = signWebhook(
    options.secret ?? NEW_SECRET,
    options.id ?? "evt_01",
    options.timestamp ?? NOW,
    body,
  );
  return {
    method: "POST",
    path: WEBHOOK_PATH,
    headers: { ...headers, "content-type": "application/json" },
    body: options.base64 ? Buffer.from(body).toString("base64") : body,
    isBase64Encoded: options.base64 ?? false,
  };
}

function decide(request: ReceiverRequest, secrets: readonly string[] = [NEW_SECRET]): ReceiveDecision {
  return decideWebhook(request, secrets, NOW);
}

function refusal(decision: ReceiveDecision) {
  if (decision.kind !== "refuse") throw new Error(`expected a refusal, got ${decision.kind}`);
  return {
    status: decision.status,
    reason: decision.reason,
    error: decision.body.error as Record<string, unknown>,
  };
}

describe("routing", () => {
  it("GET /health → 200 ok", () => {
    expect(
      decide({ method: "GET", path: HEALTH_PATH, headers: {}, body: undefined, isBase64Encoded: false }),
    ).toEqual({
      kind: "reply",
      outcome: "health",
      status: 200,
      body: { status: "ok" },
    });
  });

  it("other paths → 404, other methods → 405 with Allow", () => {
    const notFound = decide({
      method: "POST",
      path: "/webhooks/other",
      headers: {},
      body: "{}",
      isBase64Encoded: false,
    });
    expect(notFound).toMatchObject({ kind: "reply", status: 404 });
    const wrongMethod = decide({
      method: "GET",
      path: WEBHOOK_PATH,
      headers: {},
      body: undefined,
      isBase64Encoded: false,
    });
    expect(wrongMethod).toMatchObject({ kind: "reply", status: 405, allow: "POST" });
    const postHealth = decide({
      method: "POST",
      path: HEALTH_PATH,
      headers: {},
      body: undefined,
      isBase64Encoded: false,
    });
    expect(postHealth).toMatchObject({ kind: "reply", status: 405, allow: "GET" });
  });
});

describe("accepted order events", () => {
  it("a correctly signed order event is to be enqueued as a reference: store, order, type, webhook-id, time", () => {
    const decision = decide(signedRequest(JSON.stringify(envelope())));
    expect(decision).toEqual({
      kind: "enqueue",
      event: {
        type: "orders.updated.placed",
        storeId: 511,
        orderId: 32203,
        webhookId: "evt_01",
        eventTime: "2025-10-09T08:53:20.000Z",
      },
      notes: { payloadId: "evt_01", storeFrom: "store_id" },
    });
  });

  it("verifies on the decoded bytes of a base64 body (Function URL), byte for byte", () => {
    // Non-ASCII and odd spacing: re-serialised JSON would not match the signature.
    const body = `{ "id":"evt_01", "type":"orders.created.placed","created":"2025-10-09T08:53:20Z","store_id":511,"data":{"object":{"id":7,"name":"Pañuelo ñandú"}}}`;
    expect(decide(signedRequest(body, { base64: true }))).toMatchObject({
      kind: "enqueue",
      event: { orderId: 7 },
    });
  });

  it("accepts either secret during a rotation", () => {
    const body = JSON.stringify(envelope());
    expect(decide(signedRequest(body, { secret: OLD_SECRET }), [NEW_SECRET, OLD_SECRET]).kind).toBe(
      "enqueue",
    );
    expect(decide(signedRequest(body, { secret: NEW_SECRET }), [NEW_SECRET, OLD_SECRET]).kind).toBe(
      "enqueue",
    );
    // Once the old secret is retired, its signatures are refused.
    expect(refusal(decide(signedRequest(body, { secret: OLD_SECRET }), [NEW_SECRET])).status).toBe(401);
  });

  it("accepts timestamps up to 5 minutes off either way, and header names in any case", () => {
    const body = JSON.stringify(envelope());
    expect(decide(signedRequest(body, { timestamp: NOW - 300 })).kind).toBe("enqueue");
    expect(decide(signedRequest(body, { timestamp: NOW + 300 })).kind).toBe("enqueue");
    const request = signedRequest(body);
    const upper = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toUpperCase(), v]));
    expect(decide({ ...request, headers: upper }).kind).toBe("enqueue");
  });
});

describe("refusals", () => {
  const body = JSON.stringify(envelope());

  it("no signature headers → 400 naming them", () => {
    const request = signedRequest(body);
    const { "webhook-signature": _s, "webhook-timestamp": _t, ...rest } = request.headers;
    expect(refusal(decide({ ...request, headers: rest }))).toEqual({
      status: 400,
      reason: "missing_headers",
      error: { code: "missing_headers", message: "missing header(s): webhook-timestamp, webhook-signature" },
    });
  });

  it("a timestamp that is not seconds → 400", () => {
    const request = signedRequest(body);
    const result = refusal(
      decide({ ...request, headers: { ...request.headers, "webhook-timestamp": "2025-10-09" } }),
    );
    expect(result).toMatchObject({ status: 400, reason: "malformed_timestamp" });
  });

  it("stale or future timestamps → 401", () => {
    expect(refusal(decide(signedRequest(body, { timestamp: NOW - 301 })))).toMatchObject({
      status: 401,
      reason: "stale_timestamp",
      error: { message: "webhook-timestamp is more than 5 minutes old" },
    });
    expect(refusal(decide(signedRequest(body, { timestamp: NOW + 301 })))).toMatchObject({
      status: 401,
      error: { message: "webhook-timestamp is more than 5 minutes in the future" },
    });
  });

  it("a forged or tampered body → 401", () => {
    expect(refusal(decide(signedRequest(body, { secret: generateWebhookSecret() })))).toMatchObject({
      status: 401,
      reason: "bad_signature",
    });
    const request = signedRequest(body);
    expect(refusal(decide({ ...request, body: body.replace("32203", "32204") }))).toMatchObject({
      status: 401,
      reason: "bad_signature",
    });
    // A base64 body whose decoded bytes were signed must not verify when treated as text, and vice versa.
    expect(
      refusal(decide({ ...request, body: Buffer.from(body).toString("base64"), isBase64Encoded: false }))
        .status,
    ).toBe(401);
  });

  it("signed but malformed JSON → 400", () => {
    const result = refusal(decide(signedRequest('{"id": "evt_01",')));
    expect(result.status).toBe(400);
    expect(result.reason).toBe("malformed_json");
    expect(String(result.error.message)).toMatch(/^body is not valid JSON: /);
  });

  it("signed JSON whose store is not an id → 400 naming the field and the rule", () => {
    const wrong = JSON.stringify(envelope({ store_id: "511a" }));
    const result = refusal(decide(signedRequest(wrong)));
    expect(result).toMatchObject({ status: 400, reason: "invalid_envelope" });
    expect(result.error.message).toBe("invalid envelope field(s): store_id");
    expect(result.error.problems).toEqual([
      { field: "store_id", message: "must be a positive whole number, or a string of digits" },
    ]);
  });

  it("an order event without an order id → 400 naming data.object.id", () => {
    const wrong = JSON.stringify(envelope({ data: { object: { object: "order" } } }));
    expect(refusal(decide(signedRequest(wrong))).error.problems).toEqual([
      { field: "data.object.id", message: expect.any(String) },
    ]);
  });

  it("a body over 6 MB (a Function URL's own limit) → 413, checked before anything else", () => {
    const big = "x".repeat(MAX_WEBHOOK_BODY_BYTES + 1);
    expect(
      refusal(decide({ method: "POST", path: WEBHOOK_PATH, headers: {}, body: big, isBase64Encoded: false })),
    ).toMatchObject({
      status: 413,
      reason: "body_too_large",
    });
    // The limit applies to the decoded bytes, not to the base64 text.
    const exactly = Buffer.alloc(MAX_WEBHOOK_BODY_BYTES, 32).toString("base64");
    expect(
      decide({ method: "POST", path: WEBHOOK_PATH, headers: {}, body: exactly, isBase64Encoded: true }),
    ).toMatchObject({
      kind: "refuse",
      reason: "missing_headers",
    });
  });

  it("no active secret is our fault → 503, not 401", () => {
    expect(decide(signedRequest(body), [])).toMatchObject({
      kind: "unavailable",
      reason: "no_secret",
      status: 503,
    });
  });
});

describe("unknown event types", () => {
  it("are acknowledged (200 ignored), not enqueued", () => {
    const body = JSON.stringify(
      envelope({ type: "claims.created", data: { object: { id: 9, object: "claim" } } }),
    );
    expect(decide(signedRequest(body))).toEqual({
      kind: "ignore",
      status: 200,
      body: { status: "ignored" },
      webhookId: "evt_01",
      eventType: "claims.created",
      why: "event type not handled",
      notes: { payloadId: "evt_01" },
    });
  });

  it("but must still be signed", () => {
    const body = JSON.stringify(envelope({ type: "products.updated" }));
    expect(refusal(decide(signedRequest(body, { secret: OLD_SECRET }))).status).toBe(401);
  });
});

function enqueued(decision: ReceiveDecision) {
  if (decision.kind !== "enqueue") throw new Error(`expected enqueue, got ${JSON.stringify(decision)}`);
  return decision;
}

function signedTo(path: string, body: string, id = "evt_01"): ReceiverRequest {
  return { ...signedRequest(body, { id }), path };
}

describe("envelope forms (liberal after the signature)", () => {
  it("a Svix-style delivery: msg_ id in the header, no id in the payload → enqueued under the header's id", () => {
    const { id: _none, ...withoutId } = envelope();
    const decision = enqueued(
      decide(signedRequest(JSON.stringify(withoutId), { id: "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W" })),
    );
    expect(decision.event.webhookId).toBe("msg_2KWPBgLlAfxdpx2AI54pPJ85f4W");
    expect(decision.notes.payloadId).toBeUndefined();
  });

  it("a payload id different from the webhook-id is logged, never compared", () => {
    const decision = enqueued(
      decide(signedRequest(JSON.stringify(envelope({ id: "evt_other" })), { id: "msg_1" })),
    );
    expect(decision.event.webhookId).toBe("msg_1");
    expect(decision.notes.payloadId).toBe("evt_other");
  });

  it("a Standard Webhooks body {type, timestamp, data} with the order as data", () => {
    const body = JSON.stringify({
      type: "orders.created.placed",
      timestamp: "2025-10-09T08:53:20.123Z",
      data: { id: 32203, object: "order", store_id: 511, lines: [] },
    });
    expect(enqueued(decide(signedRequest(body, { id: "msg_x" }))).event).toEqual({
      type: "orders.created.placed",
      storeId: 511,
      orderId: 32203,
      webhookId: "msg_x",
      eventTime: "2025-10-09T08:53:20.123Z",
    });
  });

  it.each([
    ["2025-10-09T08:53:20Z", "2025-10-09T08:53:20.000Z"],
    ["2020-07-21T20:31:56.000-05", "2020-07-22T01:31:56.000Z"],
    ["2022-03-27T12:30:18.000-0500", "2022-03-27T17:30:18.000Z"],
    ["2025-10-09T08:53:20-05:00", "2025-10-09T13:53:20.000Z"],
    ["2025-10-09T08:53:20.5+0530", "2025-10-09T03:23:20.500Z"],
  ])("created %s (a form the seed uses) is read as %s", (created, utc) => {
    expect(enqueued(decide(signedRequest(JSON.stringify(envelope({ created }))))).event.eventTime).toBe(utc);
  });

  it("no created/timestamp, or one that is not ISO-8601: enqueued, with the signature's time (and a note)", () => {
    const { created: _c, ...withoutTime } = envelope();
    const signedAt = new Date(NOW * 1000).toISOString();
    expect(enqueued(decide(signedRequest(JSON.stringify(withoutTime)))).event.eventTime).toBe(signedAt);
    const unreadable = enqueued(decide(signedRequest(JSON.stringify(envelope({ created: "yesterday" })))));
    expect(unreadable.event.eventTime).toBe(signedAt);
    expect(unreadable.notes.unreadableTime).toBe("created is not an ISO-8601 date-time with an offset");
    const numeric = enqueued(decide(signedRequest(JSON.stringify(envelope({ created: 1_760_000_000 })))));
    expect(numeric.event.eventTime).toBe(signedAt);
  });

  it('"0123" and 123 are the same order; store ids are normalised the same way', () => {
    const padded = envelope({ store_id: "0511", data: { object: { id: "0123" } } });
    const plain = envelope({ store_id: 511, data: { object: { id: 123 } } });
    const a = enqueued(decide(signedRequest(JSON.stringify(padded)))).event;
    const b = enqueued(decide(signedRequest(JSON.stringify(plain)))).event;
    expect([a.storeId, a.orderId]).toEqual([511, 123]);
    expect([b.storeId, b.orderId]).toEqual([511, 123]);
  });

  it.each([
    [" 123", "spaces"],
    ["12.5", "a decimal"],
    [-4, "a negative number"],
    [0, "zero"],
    [1.5, "a fraction"],
    ["١٢٣", "non-ASCII digits"],
    ["99999999999999999", "beyond 2^53"],
    [true, "a boolean"],
    [null, "null"],
  ])("an order id that is %j (%s) → 400 naming data.object.id", (id, _what) => {
    const result = refusal(decide(signedRequest(JSON.stringify(envelope({ data: { object: { id } } })))));
    expect(result).toMatchObject({ status: 400, reason: "invalid_envelope" });
    expect(result.error.problems).toEqual([
      { field: "data.object.id", message: "must be a positive whole number, or a string of digits" },
    ]);
  });

  it("the store: payload store_id, else data.object.store_id, else the path; none → 400 naming store_id", () => {
    const { store_id: _s, ...noStore } = envelope();
    const fromObject = envelope({ store_id: undefined, data: { object: { id: 5, store_id: "77" } } });
    expect(enqueued(decide(signedRequest(JSON.stringify(fromObject)))).event.storeId).toBe(77);
    expect(enqueued(decide(signedRequest(JSON.stringify(fromObject)))).notes.storeFrom).toBe(
      "data.object.store_id",
    );
    const fromPath = enqueued(decide(signedTo(`${WEBHOOK_PATH}/0042`, JSON.stringify(noStore))));
    expect([fromPath.event.storeId, fromPath.notes.storeFrom]).toEqual([42, "path"]);
    const none = refusal(decide(signedRequest(JSON.stringify(noStore))));
    expect(none).toMatchObject({ status: 400, reason: "invalid_envelope" });
    expect(none.error.problems).toEqual([
      {
        field: "store_id",
        message:
          "is missing: give store_id or data.object.store_id, or deliver to /webhooks/acelerala/{storeId}",
      },
    ]);
  });

  it("the payload's store wins over the path; the disagreement is noted", () => {
    const decision = enqueued(decide(signedTo(`${WEBHOOK_PATH}/4`, JSON.stringify(envelope()))));
    expect(decision.event.storeId).toBe(511);
    expect(decision.notes.storeConflict).toBe("path says 4, store_id says 511");
  });

  it("a store source that is present but not an id is refused by name, not skipped", () => {
    const body = JSON.stringify(
      envelope({ store_id: undefined, data: { object: { id: 5, store_id: "tienda" } } }),
    );
    expect(refusal(decide(signedTo(`${WEBHOOK_PATH}/511`, body))).error.problems).toEqual([
      { field: "data.object.store_id", message: "must be a positive whole number, or a string of digits" },
    ]);
  });

  it("an order with emoji, U+FFFE and a thousand lines is enqueued as its reference only", () => {
    const lines = Array.from({ length: 1000 }, (_, i) => ({
      id: i + 1,
      name: `Polo 👕 talla ${i} \uFFFE\uFFFF`,
      sku: `POLO-${i}`,
      price: "59.90",
      quantity: 1,
      description: "Algodón pima peruano, cuello redondo, manga corta; lavar a mano 🧼. ".repeat(3),
    }));
    const body = JSON.stringify(envelope({ data: { object: { id: 32203, lines, customer: "José 🇵🇪" } } }));
    expect(Buffer.byteLength(body)).toBeGreaterThan(256 * 1024);
    const decision = enqueued(decide(signedRequest(body)));
    expect(decision.event).toEqual({
      type: "orders.updated.placed",
      storeId: 511,
      orderId: 32203,
      webhookId: "evt_01",
      eventTime: "2025-10-09T08:53:20.000Z",
    });
  });

  it("JSON nested 5,000 deep inside the order does not break the decision", () => {
    // Built as text: JSON.stringify itself overflows the stack on such a value (the old queue message did).
    const deep = `${'{"nested":'.repeat(5000)}"fondo"${"}".repeat(5000)}`;
    const body = `{"type":"orders.updated.placed","store_id":511,"data":{"object":{"id":9,"notes":${deep}}}}`;
    expect(enqueued(decide(signedRequest(body))).event.orderId).toBe(9);
  });

  it("a body without a type, or not an object, → 400 naming it", () => {
    expect(refusal(decide(signedRequest(JSON.stringify({ data: {} })))).error.problems).toEqual([
      { field: "type", message: "is missing" },
    ]);
    expect(refusal(decide(signedRequest(JSON.stringify({ type: 7 })))).error.problems).toEqual([
      { field: "type", message: "must be a string" },
    ]);
    expect(refusal(decide(signedRequest("[1,2]"))).error.problems).toEqual([
      { field: "(body)", message: "must be a JSON object" },
    ]);
  });

  it("an order event without data → 400 naming data.object", () => {
    expect(
      refusal(decide(signedRequest(JSON.stringify({ type: "orders.updated.placed", store_id: 1 })))).error
        .problems,
    ).toEqual([{ field: "data.object", message: "is missing: must be the order" }]);
  });
});

describe("unhandled types, whatever else they hold", () => {
  it.each([
    [
      "a foreign shape",
      { type: "invoice.paid", payload: [1, 2, 3], store_id: "not a store", created: "ayer" },
    ],
    ["no data at all", { type: "customers.created" }],
    ["an empty type", { type: "" }],
    ["a huge type name", { type: "x".repeat(10_000) }],
  ])("%s → 200 ignored", (_what, body) => {
    const decision = decide(signedRequest(JSON.stringify(body)));
    expect(decision).toMatchObject({ kind: "ignore", status: 200, body: { status: "ignored" } });
    if (decision.kind === "ignore") expect(decision.eventType.length).toBeLessThanOrEqual(100);
  });
});

describe("receipt events (SUNAT's answer by webhook)", () => {
  const receipt = (fields: Record<string, unknown>) =>
    envelope({
      type: "receipts.created.accepted",
      data: {
        object: { id: 67349, object: "receipt", order_id: 32203, document_number: "F001-1", ...fields },
      },
    });

  it("are enqueued in the order's FIFO group, naming the receipt", () => {
    for (const type of ["receipts.created", "receipts.created.accepted", "receipts.created.rejected"]) {
      const body = JSON.stringify({ ...receipt({ order_id: "032203" }), type });
      expect(enqueued(decide(signedRequest(body))).event).toEqual({
        type,
        storeId: 511,
        orderId: 32203,
        receiptId: 67349,
        webhookId: "evt_01",
        eventTime: "2025-10-09T08:53:20.000Z",
      });
    }
  });

  it("a receipt of no order (order_id null or absent) → 200 ignored", () => {
    for (const body of [receipt({ order_id: null }), receipt({ order_id: undefined })]) {
      expect(decide(signedRequest(JSON.stringify(body)))).toMatchObject({
        kind: "ignore",
        status: 200,
        why: "receipt of no order (order_id null)",
      });
    }
  });

  it("a receipt whose order id or own id is not an id → 400 naming the field", () => {
    expect(
      refusal(decide(signedRequest(JSON.stringify(receipt({ order_id: "A-1" }))))).error.problems,
    ).toEqual([
      {
        field: "data.object.order_id",
        message: "must be a positive whole number, or a string of digits, or null",
      },
    ]);
    expect(refusal(decide(signedRequest(JSON.stringify(receipt({ id: "r-1" }))))).error.problems).toEqual([
      { field: "data.object.id", message: "must be a positive whole number, or a string of digits" },
    ]);
  });
});

describe("per-store webhook path", () => {
  it("routes /webhooks/acelerala/{storeId} (trailing slash tolerated); other sub-paths are 404", () => {
    const body = JSON.stringify(envelope());
    expect(decide(signedTo(`${WEBHOOK_PATH}/511/`, body)).kind).toBe("enqueue");
    for (const path of [
      `${WEBHOOK_PATH}/abc`,
      `${WEBHOOK_PATH}/0`,
      `${WEBHOOK_PATH}/511/x`,
      `${WEBHOOK_PATH}x`,
    ]) {
      expect(decide(signedTo(path, body))).toMatchObject({ kind: "reply", status: 404 });
    }
  });
});

describe("weak signing secrets", () => {
  const short = `whsec_${Buffer.alloc(16, 7).toString("base64")}`;

  it("a secret under 24 bytes is a configuration error naming its position, never its value → 503", () => {
    const body = JSON.stringify(envelope());
    const decision = decide(signedRequest(body), [NEW_SECRET, short]);
    expect(decision).toMatchObject({ kind: "unavailable", reason: "weak_secret", status: 503 });
    if (decision.kind !== "unavailable") throw new Error("expected unavailable");
    expect(decision.problem).toBe(
      "webhook signing secret(s) of 2 too short: #2 has 16 bytes; each must decode to at least 24 bytes",
    );
    expect(JSON.stringify(decision)).not.toContain(short.slice(6));
    expect(JSON.stringify(decision.body)).not.toContain("#2");
  });

  it("even a delivery signed with the strong one is not accepted meanwhile (the receiver is stopped)", () => {
    const body = JSON.stringify(envelope());
    expect(decide(signedRequest(body, { secret: NEW_SECRET }), [short, NEW_SECRET]).kind).toBe("unavailable");
    expect(decide(signedRequest(body, { secret: NEW_SECRET }), [NEW_SECRET]).kind).toBe("enqueue");
  });
});
