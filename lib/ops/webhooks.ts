import type { AceleralaList, AceleralaWebhook } from "../acelerala/schemas";
import { SUBSCRIBED_ORDER_EVENTS } from "../webhook/envelope";
import { formatTable } from "./text";

/**
 * `cpe webhooks register|list`: subscribes the receiver's URL to the order events the product handles
 * (SUBSCRIBED_ORDER_EVENTS) through POST /v1/webhooks, and shows a store's subscriptions. Registering is
 * idempotent: an active subscription of the same URL that already covers every event is reported, not doubled
 * (two subscriptions would deliver every event twice; harmless for receipts, but noise).
 */

export interface WebhookApi {
  listWebhooks(): Promise<AceleralaList<AceleralaWebhook>>;
  createWebhook(input: {
    url: string;
    description: string;
    enabled_events: readonly string[];
  }): Promise<AceleralaWebhook>;
}

export const WEBHOOK_DESCRIPTION = "acelerala-sunat: comprobantes SUNAT de pedidos pagados";

export type RegisterResult =
  | { outcome: "created"; webhook: AceleralaWebhook }
  | { outcome: "already_registered"; webhook: AceleralaWebhook };

/** An https URL (http only for loopback, the local stack), without credentials in it. */
export function validateWebhookUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new WebhookUrlError(`--url must be an absolute URL such as https://…/; got "${text}"`);
  }
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback))
    throw new WebhookUrlError(
      `--url must use https (http only for 127.0.0.1/localhost); got ${url.protocol}`,
    );
  if (url.username || url.password)
    throw new WebhookUrlError("--url must not carry a user or password: the signature authenticates");
  return url;
}

export class WebhookUrlError extends Error {
  override name = "WebhookUrlError";
}

function coversEverything(webhook: AceleralaWebhook, url: string): boolean {
  return (
    webhook.url === url &&
    webhook.active !== false &&
    SUBSCRIBED_ORDER_EVENTS.every((event) => webhook.enabled_events.includes(event))
  );
}

export async function registerWebhook(api: WebhookApi, url: string): Promise<RegisterResult> {
  const normalised = validateWebhookUrl(url).toString();
  const existing = (await api.listWebhooks()).data.find(
    (webhook) => coversEverything(webhook, normalised) || coversEverything(webhook, url),
  );
  if (existing) return { outcome: "already_registered", webhook: existing };
  const webhook = await api.createWebhook({
    url,
    description: WEBHOOK_DESCRIPTION,
    enabled_events: [...SUBSCRIBED_ORDER_EVENTS],
  });
  return { outcome: "created", webhook };
}

/** The events of SUBSCRIBED_ORDER_EVENTS a subscription lacks (what `list` flags). */
export function missingEvents(webhook: AceleralaWebhook): string[] {
  return SUBSCRIBED_ORDER_EVENTS.filter((event) => !webhook.enabled_events.includes(event));
}

export function formatWebhookList(webhooks: readonly AceleralaWebhook[]): string {
  if (webhooks.length === 0) return "No webhooks registered: cpe webhooks register --url URL";
  return formatTable(
    ["Id", "Active", "URL", "Events", "Missing"],
    webhooks.map((webhook) => [
      String(webhook.id),
      webhook.active === false ? "no" : "yes",
      webhook.url,
      webhook.enabled_events.join(","),
      missingEvents(webhook).join(",") || "-",
    ]),
  );
}
