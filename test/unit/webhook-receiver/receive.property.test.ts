import { createHmac, timingSafeEqual } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decideWebhook, type ReceiverRequest, WEBHOOK_PATH } from "../../../lib/webhook/receive";
import { generateWebhookSecret, signWebhook } from "../../../lib/webhook/signature";

// For any body and headers, decideWebhook never throws, and never enqueues a request whose signature is not
// valid. "Valid" is decided here independently (node:crypto, Standard Webhooks' rules written out again), not
// with the receiver's own verifier.

const NOW = 1_760_000_000;
const SECRETS = [generateWebhookSecret(), generateWebhookSecret()];

function independentlyValid(request: ReceiverRequest): boolean {
  const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const id = headers["webhook-id"];
  const timestamp = headers["webhook-timestamp"];
  const signature = headers["webhook-signature"];
  if (!id || !timestamp || !signature || !/^\d+$/.test(timestamp)) return false;
  if (Math.abs(NOW - Number(timestamp)) > 300) return false;
  const raw = request.isBase64Encoded
    ? Buffer.from(request.body ?? "", "base64")
    : Buffer.from(request.body ?? "", "utf8");
  return SECRETS.some((secret) => {
    const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
    const expected = createHmac("sha256", key)
      .update(Buffer.concat([Buffer.from(`${id}.${timestamp}.`), raw]))
      .digest();
    return signature.split(" ").some((part) => {
      if (!part.startsWith("v1,")) return false;
      const offered = Buffer.from(part.slice(3), "base64");
      return offered.length === expected.length && timingSafeEqual(offered, expected);
    });
  });
}

const handledTypes = fc.constantFrom(
  "orders.created",
  "orders.created.placed",
  "orders.updated.placed",
  "orders.updated.canceled",
  "receipts.created",
  "receipts.created.accepted",
  "receipts.created.rejected",
);
const idLike = fc.oneof(
  fc.integer({ min: -5, max: 2 ** 53 + 5 }),
  fc.stringMatching(/^\d{1,18}$/),
  fc.string({ unit: "binary" }),
  fc.constantFrom(null, true, 1.5, "0123", " 1", "١٢٣"),
);
/** Bodies that look like envelopes, with hostile values in every field. */
const envelopeLike = fc.record(
  {
    id: fc.oneof(fc.string({ unit: "binary" }), idLike),
    type: fc.oneof(handledTypes, fc.string({ unit: "binary" }), fc.constant(undefined)),
    created: fc.oneof(
      fc.string(),
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.integer(),
    ),
    timestamp: fc.string(),
    store_id: idLike,
    data: fc.oneof(
      fc.record({
        object: fc.record({ id: idLike, order_id: idLike, store_id: idLike }, { requiredKeys: [] }),
      }),
      fc.record({ id: idLike, order_id: idLike, store_id: idLike }, { requiredKeys: [] }),
      fc.anything(),
    ),
  },
  { requiredKeys: [] },
);
const anyBody = fc.oneof(
  envelopeLike.map((value) => JSON.stringify(value)),
  fc.json(),
  fc.string({ unit: "binary" }),
  fc.constant(
    `{"type":"orders.updated.placed","store_id":1,"data":{"object":{"id":1,"x":${"[".repeat(3000)}${"]".repeat(3000)}}}}`,
  ),
);
const path = fc.oneof(
  fc.constant(WEBHOOK_PATH),
  fc.constant(`${WEBHOOK_PATH}/511`),
  fc.string({ unit: "binary" }).map((tail) => `${WEBHOOK_PATH}/${tail}`),
  fc.string({ unit: "binary" }),
);
const headerValue = fc.oneof(
  fc.string({ unit: "binary" }),
  fc.stringMatching(/^\d{1,12}$/),
  fc.constant("v1,AAAA"),
);
const anyHeaders = fc.dictionary(
  fc.oneof(
    fc.constantFrom("webhook-id", "Webhook-Timestamp", "WEBHOOK-SIGNATURE", "content-type"),
    fc.string(),
  ),
  headerValue,
);

function signed(body: string, secretIndex: number, id: string, at: number): Record<string, string> {
  return signWebhook(SECRETS[secretIndex] ?? "", id, at, body);
}

describe("decideWebhook (property)", () => {
  it("never throws and never enqueues, for any request with arbitrary headers", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("POST", "GET", "post", "PUT"),
        path,
        anyHeaders,
        anyBody,
        fc.boolean(),
        (method, requestPath, headers, body, base64) => {
          const request = { method, path: requestPath, headers, body, isBase64Encoded: base64 };
          const decision = decideWebhook(request, SECRETS, NOW);
          if (decision.kind === "enqueue") expect(independentlyValid(request)).toBe(true);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it("signed deliveries, then tampered: whatever is enqueued carries a valid signature", () => {
    const tamper = fc.constantFrom("none", "body", "id", "timestamp", "signature", "stale", "foreign-secret");
    let enqueued = 0;
    fc.assert(
      fc.property(
        anyBody,
        fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !/[\r\n]/.test(s)),
        fc.integer({ min: 0, max: 1 }),
        tamper,
        fc.boolean(),
        fc.option(fc.integer({ min: 1, max: 9999 }), { nil: undefined }),
        (body, id, secretIndex, how, base64, pathStore) => {
          let headers = signed(body, secretIndex, id, NOW - 10);
          let sentBody = body;
          if (how === "body") sentBody = `${body} `;
          if (how === "id") headers = { ...headers, "webhook-id": `${id}x` };
          if (how === "timestamp") headers = { ...headers, "webhook-timestamp": String(NOW - 11) };
          if (how === "signature")
            headers = { ...headers, "webhook-signature": "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" };
          if (how === "stale") headers = signed(body, secretIndex, id, NOW - 301);
          if (how === "foreign-secret") headers = signWebhook(generateWebhookSecret(), id, NOW, body);
          const request: ReceiverRequest = {
            method: "POST",
            path: pathStore === undefined ? WEBHOOK_PATH : `${WEBHOOK_PATH}/${pathStore}`,
            headers,
            body: base64 ? Buffer.from(sentBody).toString("base64") : sentBody,
            isBase64Encoded: base64,
          };
          const decision = decideWebhook(request, SECRETS, NOW);
          if (decision.kind === "enqueue") {
            enqueued++;
            expect(independentlyValid(request)).toBe(true);
            expect(decision.event.webhookId).toBe(id);
            expect(Number.isSafeInteger(decision.event.orderId) && decision.event.orderId >= 1).toBe(true);
            expect(Number.isSafeInteger(decision.event.storeId) && decision.event.storeId >= 1).toBe(true);
          }
          if (how !== "none") expect(decision.kind).not.toBe("enqueue");
          if (how === "none") expect(["enqueue", "ignore", "refuse"]).toContain(decision.kind);
        },
      ),
      { numRuns: 2_000 },
    );
    // The property above is only worth something if valid deliveries were generated and accepted.
    expect(enqueued).toBeGreaterThan(20);
  });
});
