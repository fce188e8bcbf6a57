import {
  type EnvelopeNotes,
  type EnvelopeProblem,
  type EventReference,
  normaliseId,
  readEnvelope,
} from "./envelope";
import { MIN_SECRET_BYTES, verifyWebhook, weakSecrets } from "./signature";

/**
 * What the webhook receiver does with one HTTP request, decided without I/O: the handler only enqueues
 * (for "enqueue") and shapes the response. Order of checks: route, method, size, secrets, signature (on the raw
 * bytes), JSON, envelope; so an unsigned request learns nothing about what a valid body looks like. After the
 * signature the envelope is read liberally (lib/webhook/envelope.ts): the signature is what must be proved.
 */

export const WEBHOOK_PATH = "/webhooks/acelerala";
export const HEALTH_PATH = "/health";
/**
 * Largest body accepted: a Function URL's own request limit (6 MB). The queue carries only a reference, so a
 * large order (a thousand lines) is accepted like any other.
 */
export const MAX_WEBHOOK_BODY_BYTES = 6 * 1024 * 1024;

export type ReceiverRequest = {
  method: string;
  path: string;
  headers: Readonly<Record<string, string | undefined>>;
  body: string | undefined;
  isBase64Encoded: boolean;
};

export type RefusalReason =
  | "body_too_large"
  | "missing_headers"
  | "malformed_timestamp"
  | "stale_timestamp"
  | "bad_signature"
  | "malformed_json"
  | "invalid_envelope";

export type JsonBody = Record<string, unknown>;

export type ReceiveDecision =
  | {
      kind: "reply";
      outcome: "health" | "not_found" | "method_not_allowed";
      status: number;
      body: JsonBody;
      allow?: string;
    }
  | { kind: "refuse"; reason: RefusalReason; status: 400 | 401 | 413; body: JsonBody; webhookId?: string }
  /**
   * Our own misconfiguration (no active secret, or one too short to sign with): a 5xx, so the sender retries
   * once it is fixed. `problem` names the secret by position, never by value.
   */
  | { kind: "unavailable"; reason: "no_secret" | "weak_secret"; status: 503; body: JsonBody; problem: string }
  | {
      kind: "ignore";
      status: 200;
      body: JsonBody;
      webhookId: string;
      eventType: string;
      why: string;
      notes: EnvelopeNotes;
    }
  | { kind: "enqueue"; event: EventReference; notes: EnvelopeNotes };

const REQUIRED_HEADERS = ["webhook-id", "webhook-timestamp", "webhook-signature"] as const;

function refuse(
  reason: RefusalReason,
  status: 400 | 401 | 413,
  message: string,
  extra: { webhookId?: string; problems?: EnvelopeProblem[] } = {},
): ReceiveDecision {
  const error: JsonBody = { code: reason, message };
  if (extra.problems) error.problems = extra.problems;
  return { kind: "refuse", reason, status, body: { error }, webhookId: extra.webhookId };
}

function methodNotAllowed(allow: "GET" | "POST"): ReceiveDecision {
  const body = { error: { code: "method_not_allowed", message: `use ${allow}` } };
  return { kind: "reply", outcome: "method_not_allowed", status: 405, body, allow };
}

function lowerCaseHeaders(headers: ReceiverRequest["headers"]): Record<string, string | undefined> {
  const lowered: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) lowered[name.toLowerCase()] = value;
  return lowered;
}

/** The exact bytes Acelérala signed (Function URLs base64-encode bodies they consider binary). */
export function rawBodyOf(request: Pick<ReceiverRequest, "body" | "isBase64Encoded">): Buffer {
  if (request.body === undefined) return Buffer.alloc(0);
  return request.isBase64Encoded ? Buffer.from(request.body, "base64") : Buffer.from(request.body, "utf8");
}

/**
 * The webhook routes: `/webhooks/acelerala`, and `/webhooks/acelerala/{storeId}` for senders whose payload
 * names no store (a trailing slash is tolerated). Undefined for any other path.
 */
export function webhookRoute(path: string): { storeId?: number } | undefined {
  const trimmed = path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
  if (trimmed === WEBHOOK_PATH) return {};
  if (!trimmed.startsWith(`${WEBHOOK_PATH}/`)) return undefined;
  const storeId = normaliseId(trimmed.slice(WEBHOOK_PATH.length + 1));
  return storeId === undefined ? undefined : { storeId };
}

function unavailable(reason: "no_secret" | "weak_secret", problem: string): ReceiveDecision {
  // The sender learns only that we are unavailable; the log and the metric say why.
  const body = { error: { code: "unavailable", message: "the receiver is misconfigured; try again later" } };
  return { kind: "unavailable", reason, status: 503, body, problem };
}

export function decideWebhook(
  request: ReceiverRequest,
  secrets: readonly string[],
  nowSeconds: number,
): ReceiveDecision {
  const method = request.method.toUpperCase();
  if (request.path === HEALTH_PATH) {
    if (method !== "GET") return methodNotAllowed("GET");
    return { kind: "reply", outcome: "health", status: 200, body: { status: "ok" } };
  }
  const route = webhookRoute(request.path);
  if (!route) {
    return {
      kind: "reply",
      outcome: "not_found",
      status: 404,
      body: { error: { code: "not_found", message: `no route ${request.path}` } },
    };
  }
  if (method !== "POST") return methodNotAllowed("POST");

  const raw = rawBodyOf(request);
  if (raw.length > MAX_WEBHOOK_BODY_BYTES) {
    return refuse(
      "body_too_large",
      413,
      `body is ${raw.length} bytes; the limit is ${MAX_WEBHOOK_BODY_BYTES}`,
    );
  }

  const headers = lowerCaseHeaders(request.headers);
  const missing = REQUIRED_HEADERS.filter((name) => !headers[name]);
  if (missing.length > 0) return refuse("missing_headers", 400, `missing header(s): ${missing.join(", ")}`);
  if (secrets.length === 0) return unavailable("no_secret", "no active webhook signing secret");
  const weak = weakSecrets(secrets);
  if (weak.length > 0) {
    const which = weak.map(({ position, bytes }) => `#${position} has ${bytes} bytes`).join(", ");
    return unavailable(
      "weak_secret",
      `webhook signing secret(s) of ${secrets.length} too short: ${which}; each must decode to at least ${MIN_SECRET_BYTES} bytes`,
    );
  }

  const verification = verifyWebhook(secrets, headers, raw, nowSeconds);
  if (!verification.ok) {
    switch (verification.reason) {
      case "missing_headers":
        return refuse("missing_headers", 400, `missing header(s): ${REQUIRED_HEADERS.join(", ")}`);
      case "malformed_timestamp":
        return refuse("malformed_timestamp", 400, "webhook-timestamp must be an integer number of seconds");
      case "timestamp_too_old":
        return refuse("stale_timestamp", 401, "webhook-timestamp is more than 5 minutes old");
      case "timestamp_in_future":
        return refuse("stale_timestamp", 401, "webhook-timestamp is more than 5 minutes in the future");
      case "no_matching_signature":
        return refuse("bad_signature", 401, "webhook-signature does not match any active secret");
    }
  }
  const webhookId = verification.webhookId;

  let json: unknown;
  try {
    json = JSON.parse(raw.toString("utf8"));
  } catch (error) {
    return refuse("malformed_json", 400, `body is not valid JSON: ${(error as Error).message}`, {
      webhookId,
    });
  }
  const reading = readEnvelope(json, {
    webhookId,
    signedAtSeconds: Number(headers["webhook-timestamp"]),
    ...(route.storeId !== undefined ? { pathStoreId: route.storeId } : {}),
  });
  switch (reading.outcome) {
    case "invalid": {
      const fields = reading.problems.map((problem) => problem.field).join(", ");
      return refuse("invalid_envelope", 400, `invalid envelope field(s): ${fields}`, {
        webhookId,
        problems: reading.problems,
      });
    }
    case "ignore":
      return {
        kind: "ignore",
        status: 200,
        body: { status: "ignored" },
        webhookId,
        eventType: reading.eventType,
        why: reading.why,
        notes: reading.notes,
      };
    case "event":
      return { kind: "enqueue", event: reading.event, notes: reading.notes };
  }
}
