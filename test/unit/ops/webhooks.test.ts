import { describe, expect, it } from "vitest";
import type { AceleralaWebhook } from "../../../lib/acelerala/schemas";
import {
  formatWebhookList,
  missingEvents,
  registerWebhook,
  validateWebhookUrl,
  type WebhookApi,
} from "../../../lib/ops/webhooks";
import { SUBSCRIBED_EVENTS } from "../../../lib/webhook/envelope";

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

const ORDER_EVENTS = ["orders.created.placed", "orders.updated.placed", "orders.updated.canceled"];
const RECEIPT_EVENTS = ["receipts.created", "receipts.created.accepted", "receipts.created.rejected"];

describe("registerWebhook", () => {
  it("subscribes the URL to the order events and the receipt events (SUNAT's answer)", async () => {
    const { fake, created } = api([]);
    const result = await registerWebhook(fake, URL_);
    expect(result).toMatchObject({ outcome: "created", added: [...ORDER_EVENTS, ...RECEIPT_EVENTS] });
    expect(created).toEqual([
      { url: URL_, description: expect.any(String), enabled_events: [...ORDER_EVENTS, ...RECEIPT_EVENTS] },
    ]);
    expect([...SUBSCRIBED_EVENTS]).toEqual([...ORDER_EVENTS, ...RECEIPT_EVENTS]);
  });

  it("creates nothing when the URL's active subscriptions already cover every event, together", async () => {
    const { fake, created } = api([
      { id: 5, url: URL_, enabled_events: [...ORDER_EVENTS, "orders.created"], active: true },
      { id: 6, url: URL_, enabled_events: RECEIPT_EVENTS, active: true },
      { id: 7, url: "https://elsewhere.example/", enabled_events: RECEIPT_EVENTS, active: true },
    ]);
    expect(await registerWebhook(fake, URL_)).toMatchObject({
      outcome: "already_registered",
      webhooks: [{ id: 5 }, { id: 6 }],
    });
    expect(created).toEqual([]);
  });

  it("an older registration (order events only) gains only the receipt events: no event is delivered twice", async () => {
    const { fake, created } = api([{ id: 5, url: URL_, enabled_events: ORDER_EVENTS, active: true }]);
    expect(await registerWebhook(fake, URL_)).toMatchObject({ outcome: "created", added: RECEIPT_EVENTS });
    expect(created).toEqual([{ url: URL_, description: expect.any(String), enabled_events: RECEIPT_EVENTS }]);
  });

  it("an inactive subscription or another URL covers nothing", async () => {
    for (const existing of [
      { id: 6, url: URL_, enabled_events: [...SUBSCRIBED_EVENTS], active: false },
      { id: 7, url: "https://elsewhere.example/", enabled_events: [...SUBSCRIBED_EVENTS], active: true },
    ]) {
      const { fake, created } = api([existing]);
      expect((await registerWebhook(fake, URL_)).outcome).toBe("created");
      expect(created).toEqual([expect.objectContaining({ enabled_events: [...SUBSCRIBED_EVENTS] })]);
    }
  });

  it("a per-store URL must name the store that registers it", async () => {
    const perStore = "https://abc.lambda-url.us-east-1.on.aws/webhooks/acelerala/511";
    expect((await registerWebhook(api([]).fake, perStore, 511)).outcome).toBe("created");
    await expect(registerWebhook(api([]).fake, perStore, 4)).rejects.toThrow(
      /--url nombra la tienda "511" en su ruta pero --store es 4/,
    );
  });

  it("refuses URLs that are not https (but loopback http), or carry credentials", () => {
    expect(() => validateWebhookUrl("not a url")).toThrow(/--url debe ser una URL absoluta/);
    expect(() => validateWebhookUrl("http://example.com/x")).toThrow(/--url debe usar https/);
    expect(() => validateWebhookUrl("https://u:p@example.com/x")).toThrow(/usuario ni contraseña/);
    expect(validateWebhookUrl("http://127.0.0.1:3000/webhooks").port).toBe("3000");
  });
});

describe("formatWebhookList", () => {
  it("flags the events the URL's subscriptions lack, receipt events included", () => {
    const webhook = { id: 5, url: URL_, enabled_events: ["orders.created.placed"], active: true };
    expect(missingEvents(webhook)).toEqual([
      "orders.updated.placed",
      "orders.updated.canceled",
      ...RECEIPT_EVENTS,
    ]);
    expect(formatWebhookList([webhook])).toMatch(
      /5\s+sí\s+https:\S+\s+orders.created.placed\s+orders.updated.placed,orders.updated.canceled,receipts.created,/,
    );
    expect(formatWebhookList([])).toMatch(/No hay webhooks registrados/);
  });

  it("counts the URL's other active subscriptions: split registrations are complete", () => {
    const orders = { id: 5, url: URL_, enabled_events: ORDER_EVENTS, active: true };
    const receipts = { id: 6, url: URL_, enabled_events: RECEIPT_EVENTS, active: true };
    expect(missingEvents(orders, [orders, receipts])).toEqual([]);
    expect(formatWebhookList([orders, receipts]).split("\n").slice(1)).toEqual([
      expect.stringMatching(/^5 .* -$/),
      expect.stringMatching(/^6 .* -$/),
    ]);
    expect(missingEvents(orders, [orders, { ...receipts, active: false }])).toEqual(RECEIPT_EVENTS);
  });
});
