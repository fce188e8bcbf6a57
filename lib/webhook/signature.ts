import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Standard Webhooks (https://www.standardwebhooks.com) signing and verification.
 * Signed content is `${id}.${timestamp}.${rawBody}`; the key is the base64 part of a `whsec_…` secret;
 * the header carries a space-separated list of `v1,<base64 HMAC-SHA256>`.
 * Used by the Acelérala simulator to sign and by the webhook receiver to verify, so both agree by construction.
 */

export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

export type WebhookHeaders = {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
};

export type VerifyFailure =
  | "missing_headers"
  | "malformed_timestamp"
  | "timestamp_too_old"
  | "timestamp_in_future"
  | "no_matching_signature";

export type VerifyResult = { ok: true; webhookId: string } | { ok: false; reason: VerifyFailure };

const SECRET_PREFIX = "whsec_";
/** Standard Webhooks secrets are 24 to 64 random bytes; a shorter key is a configuration error, not a secret. */
export const MIN_SECRET_BYTES = 24;

function secretKey(secret: string): Buffer {
  const base64 = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = Buffer.from(base64, "base64");
  if (key.length === 0) throw new Error("webhook secret is empty or not base64");
  return key;
}

/**
 * The secrets whose key is too short to sign with, by position (1-based) and length; never their value.
 * The receiver refuses to run with any of them (503, so the sender retries once the secret is fixed).
 */
export function weakSecrets(secrets: readonly string[]): { position: number; bytes: number }[] {
  return secrets.flatMap((secret, index) => {
    const base64 = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
    const bytes = Buffer.from(base64, "base64").length;
    return bytes < MIN_SECRET_BYTES ? [{ position: index + 1, bytes }] : [];
  });
}

/** A fresh `whsec_…` secret (24 random bytes), for development and tests. */
export function generateWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(24).toString("base64");
}

/** Splits a space-separated secrets list (the WEBHOOK_SECRETS format) into secrets. */
export function parseWebhookSecrets(value: string | undefined): string[] {
  return (value ?? "").split(/\s+/).filter((s) => s.length > 0);
}

function hmac(secret: string, id: string, timestamp: string, rawBody: Buffer | string): Buffer {
  return createHmac("sha256", secretKey(secret)).update(`${id}.${timestamp}.`).update(rawBody).digest();
}

export function signWebhook(
  secret: string,
  id: string,
  timestampSeconds: number,
  rawBody: Buffer | string,
): WebhookHeaders {
  const timestamp = String(timestampSeconds);
  return {
    "webhook-id": id,
    "webhook-timestamp": timestamp,
    "webhook-signature": `v1,${hmac(secret, id, timestamp, rawBody).toString("base64")}`,
  };
}

/**
 * Verifies on the raw bytes against every active secret (rotation), in constant time per comparison.
 * `headers` keys must be lower case (HTTP/2 and Function URLs deliver them so).
 */
export function verifyWebhook(
  secrets: readonly string[],
  headers: Record<string, string | undefined>,
  rawBody: Buffer | string,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): VerifyResult {
  const id = headers["webhook-id"];
  const timestamp = headers["webhook-timestamp"];
  const signatureHeader = headers["webhook-signature"];
  if (!id || !timestamp || !signatureHeader) return { ok: false, reason: "missing_headers" };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: "malformed_timestamp" };
  const age = nowSeconds - Number(timestamp);
  if (age > SIGNATURE_TOLERANCE_SECONDS) return { ok: false, reason: "timestamp_too_old" };
  if (age < -SIGNATURE_TOLERANCE_SECONDS) return { ok: false, reason: "timestamp_in_future" };

  const offered = signatureHeader
    .split(" ")
    .filter((part) => part.startsWith("v1,"))
    .map((part) => Buffer.from(part.slice(3), "base64"));
  for (const secret of secrets) {
    const expected = hmac(secret, id, timestamp, rawBody);
    for (const candidate of offered) {
      if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) {
        return { ok: true, webhookId: id };
      }
    }
  }
  return { ok: false, reason: "no_matching_signature" };
}
