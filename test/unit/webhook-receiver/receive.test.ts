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
  it("a correctly signed order event is to be enqueued, with its webhook-id and order id", () => {
    const decision = decide(signedRequest(JSON.stringify(envelope())));
    expect(decision).toMatchObject({ kind: "enqueue", webhookId: "evt_01", orderId: 32203 });
    if (decision.kind === "enqueue") expect(decision.envelope.data.object.payment_status).toBe("paid");
  });

  it("verifies on the decoded bytes of a base64 body (Function URL), byte for byte", () => {
    // Non-ASCII and odd spacing: re-serialised JSON would not match the signature.
    const body = `{ "id":"evt_01", "type":"orders.created.placed","created":"2025-10-09T08:53:20Z","store_id":511,"data":{"object":{"id":7,"name":"Pañuelo ñandú"}}}`;
    expect(decide(signedRequest(body, { base64: true }))).toMatchObject({ kind: "enqueue", orderId: 7 });
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

  it("signed JSON of the wrong shape → 400 naming the fields", () => {
    const wrong = JSON.stringify(envelope({ store_id: "511", created: "yesterday" }));
    const result = refusal(decide(signedRequest(wrong)));
    expect(result).toMatchObject({ status: 400, reason: "invalid_envelope" });
    expect(result.error.message).toBe("invalid envelope field(s): created, store_id");
    expect(result.error.problems).toEqual([
      { field: "created", message: "must be an ISO-8601 date-time" },
      { field: "store_id", message: expect.stringContaining("number") },
    ]);
  });

  it("an order event without an order id → 400 naming data.object.id", () => {
    const wrong = JSON.stringify(envelope({ data: { object: { object: "order" } } }));
    expect(refusal(decide(signedRequest(wrong))).error.problems).toEqual([
      { field: "data.object.id", message: expect.any(String) },
    ]);
  });

  it("a webhook-id different from the envelope id → 400", () => {
    expect(refusal(decide(signedRequest(body, { id: "evt_other" })))).toMatchObject({
      status: 400,
      reason: "id_mismatch",
    });
  });

  it("a body over 256 KB → 413, checked before anything else", () => {
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
    expect(decide(signedRequest(body), [])).toMatchObject({ kind: "unavailable", status: 503 });
  });
});

describe("unknown event types", () => {
  it("are acknowledged (200 ignored), not enqueued", () => {
    const body = JSON.stringify(
      envelope({ type: "receipts.created.accepted", data: { object: { id: 9, object: "receipt" } } }),
    );
    expect(decide(signedRequest(body))).toEqual({
      kind: "ignore",
      status: 200,
      body: { status: "ignored" },
      webhookId: "evt_01",
      eventType: "receipts.created.accepted",
    });
  });

  it("but must still be signed", () => {
    const body = JSON.stringify(envelope({ type: "products.updated" }));
    expect(refusal(decide(signedRequest(body, { secret: OLD_SECRET }))).status).toBe(401);
  });
});
