import { describe, expect, it } from "vitest";
import type { AceleralaWebhook } from "../../../lib/acelerala/schemas";
import {
  formatWebhookList,
  missingEvents,
  registerWebhook,
  validateWebhookUrl,
  type WebhookApi,
} from "../../../lib/ops/webhooks";
import { SUBSCRIBED_ORDER_EVENTS } from "../../../lib/webhook/envelope";

const URL_ = "https://abc.lambda-url.us-east-1.on.aws/";

function api(existing: AceleralaWebhook[]) {
  const created: unknown[] = [];
  const fake: WebhookApi = {
    listWebhooks: async () => ({ data: existing, has_more: false }),
    createWebhook: async (input) => {
      created.push(input);
      return { id: 99, ...input, enabled_events: [...input.enabled_events], active: true };
    },
  };
  return { fake, created };
}

describe("registerWebhook", () => {
  it("subscribes the URL to SUBSCRIBED_ORDER_EVENTS", async () => {
    const { fake, created } = api([]);
    const result = await registerWebhook(fake, URL_);
    expect(result.outcome).toBe("created");
    expect(created).toEqual([
      { url: URL_, description: expect.any(String), enabled_events: [...SUBSCRIBED_ORDER_EVENTS] },
    ]);
  });

  it("creates nothing when an active subscription of the URL already covers every event", async () => {
    const { fake, created } = api([
      { id: 5, url: URL_, enabled_events: [...SUBSCRIBED_ORDER_EVENTS, "orders.created"], active: true },
    ]);
    expect(await registerWebhook(fake, URL_)).toMatchObject({
      outcome: "already_registered",
      webhook: { id: 5 },
    });
    expect(created).toEqual([]);
  });

  it("creates a new one when the existing lacks an event or is inactive", async () => {
    for (const existing of [
      { id: 5, url: URL_, enabled_events: ["orders.created.placed"], active: true },
      { id: 6, url: URL_, enabled_events: [...SUBSCRIBED_ORDER_EVENTS], active: false },
    ]) {
      const { fake, created } = api([existing]);
      expect((await registerWebhook(fake, URL_)).outcome).toBe("created");
      expect(created).toHaveLength(1);
    }
  });

  it("refuses URLs that are not https (but loopback http), or carry credentials", () => {
    expect(() => validateWebhookUrl("not a url")).toThrow(/--url must be an absolute URL/);
    expect(() => validateWebhookUrl("http://example.com/x")).toThrow(/--url must use https/);
    expect(() => validateWebhookUrl("https://u:p@example.com/x")).toThrow(/user or password/);
    expect(validateWebhookUrl("http://127.0.0.1:3000/webhooks").port).toBe("3000");
  });
});

describe("formatWebhookList", () => {
  it("flags the events a subscription lacks", () => {
    const webhook = { id: 5, url: URL_, enabled_events: ["orders.created.placed"], active: true };
    expect(missingEvents(webhook)).toEqual(["orders.updated.placed", "orders.updated.canceled"]);
    expect(formatWebhookList([webhook])).toMatch(
      /5\s+yes\s+https:\S+\s+orders.created.placed\s+orders.updated.placed,orders.updated.canceled/,
    );
    expect(formatWebhookList([])).toMatch(/No webhooks registered/);
  });
});
