import type { AceleralaList, AceleralaWebhook } from "../acelerala/schemas";
import { SUBSCRIBED_EVENTS } from "../webhook/envelope";
import { WEBHOOK_PATH } from "../webhook/receive";
import { formatTable } from "./text";

/**
 * `cpe webhooks register|list`: subscribes the receiver's URL to the events the product handles
 * (SUBSCRIBED_EVENTS: the order events, and the receipt events that bring SUNAT's answer) through
 * POST /v1/webhooks, and shows a store's subscriptions. Registering is idempotent and never doubles an event:
 * what the URL's active subscriptions already cover is left alone, and only the events they lack are subscribed,
 * in a new subscription (the seed documents no update of a subscription). Two subscriptions of one event would
 * deliver it twice: harmless for receipts, but noise.
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
  /** `added`: the events the new subscription delivers (those the URL's subscriptions lacked). */
  | { outcome: "created"; webhook: AceleralaWebhook; added: string[] }
  | { outcome: "already_registered"; webhooks: AceleralaWebhook[] };

/** An https URL (http only for loopback, the local stack), without credentials in it. */
export function validateWebhookUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new WebhookUrlError(`--url debe ser una URL absoluta como https://…/; se recibió "${text}"`);
  }
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback))
    throw new WebhookUrlError(
      `--url debe usar https (http solo para 127.0.0.1/localhost); se recibió ${url.protocol}`,
    );
  if (url.username || url.password)
    throw new WebhookUrlError("--url no debe llevar usuario ni contraseña: la firma autentica");
  return url;
}

export class WebhookUrlError extends Error {
  override name = "WebhookUrlError";
}

/** The events the active subscriptions of `url` deliver, together. */
function coveredEvents(webhooks: readonly AceleralaWebhook[], url: string): Set<string> {
  const normalised = normaliseUrl(url);
  return new Set(
    webhooks
      .filter((webhook) => webhook.active !== false && normaliseUrl(webhook.url) === normalised)
      .flatMap((webhook) => webhook.enabled_events),
  );
}

function normaliseUrl(url: string): string {
  try {
    return new URL(url).toString();
  } catch {
    return url;
  }
}

/**
 * A per-store URL (`…/webhooks/acelerala/{storeId}`) must name the store whose credentials register it: the
 * receiver takes the store from that path when a payload names none.
 */
export function checkStorePath(url: URL, storeId: number): void {
  const prefix = `${WEBHOOK_PATH}/`;
  const path = url.pathname.replace(/\/$/, "");
  const at = path.indexOf(prefix);
  if (at < 0) return;
  const pathStore = path.slice(at + prefix.length);
  if (pathStore !== String(storeId))
    throw new WebhookUrlError(
      `--url nombra la tienda "${pathStore}" en su ruta pero --store es ${storeId}: el receptor archivaría sus eventos en otra tienda`,
    );
}

export async function registerWebhook(
  api: WebhookApi,
  url: string,
  storeId?: number,
): Promise<RegisterResult> {
  const parsed = validateWebhookUrl(url);
  if (storeId !== undefined) checkStorePath(parsed, storeId);
  const { data } = await api.listWebhooks();
  const covered = coveredEvents(data, url);
  const missing = SUBSCRIBED_EVENTS.filter((event) => !covered.has(event));
  if (missing.length === 0) {
    const existing = data.filter(
      (webhook) => webhook.active !== false && normaliseUrl(webhook.url) === normaliseUrl(url),
    );
    return { outcome: "already_registered", webhooks: existing };
  }
  const webhook = await api.createWebhook({ url, description: WEBHOOK_DESCRIPTION, enabled_events: missing });
  return { outcome: "created", webhook, added: missing };
}

/** The events of SUBSCRIBED_EVENTS that no active subscription of this webhook's URL delivers (what `list` flags). */
export function missingEvents(
  webhook: AceleralaWebhook,
  all: readonly AceleralaWebhook[] = [webhook],
): string[] {
  const covered = coveredEvents(all, webhook.url);
  return SUBSCRIBED_EVENTS.filter((event) => !covered.has(event));
}

export function formatWebhookList(webhooks: readonly AceleralaWebhook[]): string {
  if (webhooks.length === 0) return "No hay webhooks registrados: cpe webhooks register --url URL";
  return formatTable(
    ["Id", "Activo", "URL", "Eventos", "Faltan para esta URL"],
    webhooks.map((webhook) => [
      String(webhook.id),
      webhook.active === false ? "no" : "sí",
      webhook.url,
      webhook.enabled_events.join(","),
      missingEvents(webhook, webhooks).join(",") || "-",
    ]),
  );
}
