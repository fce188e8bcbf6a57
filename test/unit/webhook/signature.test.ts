import { describe, expect, it } from "vitest";
import {
  generateWebhookSecret,
  parseWebhookSecrets,
  signWebhook,
  verifyWebhook,
} from "../../../lib/webhook/signature";

// Test vector from the Standard Webhooks reference implementations.
const SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const SPEC_TIMESTAMP = 1614265330;
const SPEC_BODY = '{"test": 2432232314}';
const SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

describe("Standard Webhooks signature", () => {
  it("matches the specification's test vector", () => {
    const headers = signWebhook(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY);
    expect(headers["webhook-signature"]).toBe(SPEC_SIGNATURE);
    expect(verifyWebhook([SPEC_SECRET], headers, SPEC_BODY, SPEC_TIMESTAMP)).toEqual({
      ok: true,
      webhookId: SPEC_ID,
    });
  });

  it("refuses a body changed by one byte", () => {
    const headers = signWebhook(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY);
    expect(verifyWebhook([SPEC_SECRET], headers, `${SPEC_BODY} `, SPEC_TIMESTAMP)).toEqual({
      ok: false,
      reason: "no_matching_signature",
    });
  });

  it("refuses timestamps more than five minutes old or in the future", () => {
    const headers = signWebhook(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY);
    expect(verifyWebhook([SPEC_SECRET], headers, SPEC_BODY, SPEC_TIMESTAMP + 301)).toMatchObject({
      reason: "timestamp_too_old",
    });
    expect(verifyWebhook([SPEC_SECRET], headers, SPEC_BODY, SPEC_TIMESTAMP - 301)).toMatchObject({
      reason: "timestamp_in_future",
    });
    expect(verifyWebhook([SPEC_SECRET], headers, SPEC_BODY, SPEC_TIMESTAMP + 300)).toMatchObject({
      ok: true,
    });
  });

  it("refuses missing headers and malformed timestamps", () => {
    expect(verifyWebhook([SPEC_SECRET], {}, SPEC_BODY, SPEC_TIMESTAMP)).toMatchObject({
      reason: "missing_headers",
    });
    const headers = {
      ...signWebhook(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY),
      "webhook-timestamp": "1e9",
    };
    expect(verifyWebhook([SPEC_SECRET], headers, SPEC_BODY, SPEC_TIMESTAMP)).toMatchObject({
      reason: "malformed_timestamp",
    });
  });

  it("accepts any active secret during rotation and any listed signature", () => {
    const oldSecret = generateWebhookSecret();
    const newSecret = generateWebhookSecret();
    const signedWithOld = signWebhook(oldSecret, "evt_1", SPEC_TIMESTAMP, SPEC_BODY);
    expect(verifyWebhook([newSecret, oldSecret], signedWithOld, SPEC_BODY, SPEC_TIMESTAMP).ok).toBe(true);
    expect(verifyWebhook([newSecret], signedWithOld, SPEC_BODY, SPEC_TIMESTAMP).ok).toBe(false);
    const both = {
      ...signedWithOld,
      "webhook-signature": `v1,AAAA ${signedWithOld["webhook-signature"]}`,
    };
    expect(verifyWebhook([oldSecret], both, SPEC_BODY, SPEC_TIMESTAMP).ok).toBe(true);
  });

  it("parses a space-separated secrets list", () => {
    expect(parseWebhookSecrets(" whsec_a  whsec_b\n")).toEqual(["whsec_a", "whsec_b"]);
    expect(parseWebhookSecrets(undefined)).toEqual([]);
  });
});
