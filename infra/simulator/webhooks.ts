import { randomBytes } from "node:crypto";
import { z } from "zod";
import { ORDER_EVENT_TYPES, RECEIPT_EVENT_TYPES } from "../../lib/webhook/envelope";
import { signWebhook } from "../../lib/webhook/signature";
import { chance, deriveRandom, type Random } from "./random";

/**
 * Webhook subscriptions and a sender that behaves like a real one: each event is POSTed to every active
 * subscription that enabled its type, signed with Standard Webhooks (lib/webhook/signature), and retried on a
 * network error, a non-2xx answer or a timeout, with exponential backoff (baseDelayMs × 2^(attempt − 1)) up to
 * maxAttempts. Every attempt is logged. A drop switch (all, or a seeded rate) loses deliveries on purpose so
 * reconciliation can be tested. Every attempt is signed afresh (new timestamp, same webhook-id and body).
 *
 * The seed defines no envelope, so the sender can play each reading a real one might (`envelope`, `timeFormat`):
 * - "acelerala": `{ id, type, created, store_id, data: { object } }`, the webhook-id header equal to `id`;
 * - "standard": a Standard Webhooks sender such as Svix: `{ type, timestamp, data: <object> }`, no id and no
 *   store_id in the payload, a `msg_…` webhook-id header of its own (the same on every retry);
 * and the event time as `Z`, or Lima's offset as `-05`, `-0500` or `-05:00` (the forms the seed prints).
 */

export const SUBSCRIBABLE_EVENT_TYPES = [...ORDER_EVENT_TYPES, ...RECEIPT_EVENT_TYPES] as const;
export type SubscribableEventType = (typeof SUBSCRIBABLE_EVENT_TYPES)[number];

export type WebhookSubscription = {
  id: number;
  object: "webhook";
  store_id: number;
  description: string | null;
  url: string;
  enabled_events: string[];
  active: 0 | 1;
  created: string;
  modified: string;
};

export type WebhookEvent = {
  id: string;
  type: SubscribableEventType;
  created: string;
  store_id: number;
  data: { object: Record<string, unknown> };
};

export const DeliveryConfigSchema = z.object({
  drop: z.boolean().optional(),
  dropRate: z.number().min(0).max(1).optional(),
  maxAttempts: z.number().int().min(1).max(20).optional(),
  baseDelayMs: z.number().int().min(0).optional(),
  timeoutMs: z.number().int().min(1).optional(),
  envelope: z.enum(["acelerala", "standard"]).optional(),
  timeFormat: z.enum(["Z", "-05", "-0500", "-05:00"]).optional(),
});
export type DeliveryConfig = Required<z.output<typeof DeliveryConfigSchema>>;
export const DEFAULT_DELIVERY_CONFIG: DeliveryConfig = {
  drop: false,
  dropRate: 0,
  maxAttempts: 5,
  baseDelayMs: 1000,
  timeoutMs: 10_000,
  envelope: "acelerala",
  timeFormat: "Z",
};

export type DeliveryAttempt = {
  attempt: number;
  at: string;
  status: number | null;
  error: string | null;
  duration_ms: number;
};

export type Delivery = {
  id: string;
  event_id: string;
  /** The `webhook-id` header of every attempt: the event id, or the sender's own `msg_…` id ("standard"). */
  message_id: string;
  event_type: SubscribableEventType;
  webhook_id: number;
  url: string;
  status: "pending" | "delivered" | "failed" | "dropped";
  attempts: DeliveryAttempt[];
  last_status: number | null;
  next_attempt_at: string | null;
  created: string;
};

export type DeliveryFilter = { event_id?: string; webhook_id?: number; status?: Delivery["status"] };

type Target = { subscription: WebhookSubscription; secret: string };

export class WebhookDispatcher {
  private config: DeliveryConfig;
  private random: Random;
  private readonly events = new Map<string, { event: WebhookEvent; body: string; messageId: string }>();
  private readonly deliveryLog: Delivery[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private abort = new AbortController();
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly seed: number,
    config: Partial<DeliveryConfig> = {},
  ) {
    this.config = { ...DEFAULT_DELIVERY_CONFIG, ...config };
    this.random = deriveRandom(seed, "webhooks");
  }

  getConfig(): DeliveryConfig {
    return { ...this.config };
  }

  setConfig(changes: Partial<DeliveryConfig>): DeliveryConfig {
    this.config = { ...this.config, ...DeliveryConfigSchema.parse(changes) };
    return this.getConfig();
  }

  static newEventId(): string {
    return `evt_${randomBytes(12).toString("hex")}`;
  }

  /** Records the event and starts one delivery per target, in the configured envelope. */
  emit(event: WebhookEvent, targets: readonly Target[]): Delivery[] {
    const rendered = renderEvent(event, this.config);
    this.events.set(event.id, { event, ...rendered });
    return targets.map((target) => this.startDelivery(event, rendered, target));
  }

  /** Sends an already emitted event again, same webhook-id and body (a duplicate, as real senders produce). */
  redeliver(eventId: string, targets: (event: WebhookEvent) => readonly Target[]): Delivery[] | null {
    const stored = this.events.get(eventId);
    if (!stored) return null;
    return targets(stored.event).map((target) => this.startDelivery(stored.event, stored, target, true));
  }

  deliveries(filter: DeliveryFilter = {}): Delivery[] {
    return this.deliveryLog
      .filter(
        (delivery) =>
          (filter.event_id === undefined || delivery.event_id === filter.event_id) &&
          (filter.webhook_id === undefined || delivery.webhook_id === filter.webhook_id) &&
          (filter.status === undefined || delivery.status === filter.status),
      )
      .map((delivery) => ({ ...delivery, attempts: delivery.attempts.map((attempt) => ({ ...attempt })) }));
  }

  /** Resolves when no delivery is pending (all delivered, failed or dropped). */
  settled(): Promise<void> {
    if (this.pendingCount() === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  reset(config: Partial<DeliveryConfig> = {}): void {
    this.stop();
    this.abort = new AbortController();
    this.events.clear();
    this.deliveryLog.length = 0;
    this.config = { ...DEFAULT_DELIVERY_CONFIG, ...config };
    this.random = deriveRandom(this.seed, "webhooks");
  }

  /** Cancels retries and in-flight requests; pending deliveries end as "failed". */
  stop(): void {
    this.abort.abort();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const delivery of this.deliveryLog) {
      if (delivery.status === "pending") {
        delivery.status = "failed";
        delivery.next_attempt_at = null;
      }
    }
    this.notifyIfIdle();
  }

  private pendingCount(): number {
    return this.deliveryLog.filter((delivery) => delivery.status === "pending").length + this.inFlight;
  }

  private notifyIfIdle(): void {
    if (this.pendingCount() > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private startDelivery(
    event: WebhookEvent,
    { body, messageId }: { body: string; messageId: string },
    target: Target,
    forced = false,
  ): Delivery {
    const dropped = !forced && (this.config.drop || chance(this.random, this.config.dropRate));
    const delivery: Delivery = {
      id: `dlv_${randomBytes(8).toString("hex")}`,
      event_id: event.id,
      message_id: messageId,
      event_type: event.type,
      webhook_id: target.subscription.id,
      url: target.subscription.url,
      status: dropped ? "dropped" : "pending",
      attempts: [],
      last_status: null,
      next_attempt_at: dropped ? null : new Date().toISOString(),
      created: new Date().toISOString(),
    };
    this.deliveryLog.push(delivery);
    if (!dropped) void this.attempt(delivery, body, target.secret);
    return delivery;
  }

  private async attempt(delivery: Delivery, body: string, secret: string): Promise<void> {
    const started = Date.now();
    const headers = signWebhook(secret, delivery.message_id, Math.floor(started / 1000), body);
    let status: number | null = null;
    let error: string | null = null;
    this.inFlight += 1;
    try {
      const response = await fetch(delivery.url, {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "acelerala-simulator/1", ...headers },
        body,
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.config.timeoutMs)]),
      });
      status = response.status;
      await response.arrayBuffer().catch(() => undefined);
    } catch (failure) {
      error = failure instanceof Error && failure.name === "TimeoutError" ? "timeout" : describe(failure);
    } finally {
      this.inFlight -= 1;
    }
    if (this.abort.signal.aborted) {
      this.notifyIfIdle();
      return;
    }
    delivery.attempts.push({
      attempt: delivery.attempts.length + 1,
      at: new Date(started).toISOString(),
      status,
      error,
      duration_ms: Date.now() - started,
    });
    delivery.last_status = status;
    if (status !== null && status >= 200 && status < 300) {
      delivery.status = "delivered";
      delivery.next_attempt_at = null;
    } else if (delivery.attempts.length >= this.config.maxAttempts) {
      delivery.status = "failed";
      delivery.next_attempt_at = null;
    } else {
      const delay = this.config.baseDelayMs * 2 ** (delivery.attempts.length - 1);
      delivery.next_attempt_at = new Date(Date.now() + delay).toISOString();
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        void this.attempt(delivery, body, secret);
      }, delay);
      this.timers.add(timer);
    }
    this.notifyIfIdle();
  }
}

const LIMA_OFFSET_MS = -5 * 3_600_000;

/** An ISO-8601 instant as the sender prints it: UTC with `Z`, or Lima's wall time with its offset. */
export function formatEventTime(iso: string, format: DeliveryConfig["timeFormat"]): string {
  if (format === "Z") return iso;
  const lima = new Date(Date.parse(iso) + LIMA_OFFSET_MS).toISOString().slice(0, -1);
  return `${lima}${format}`;
}

/** The body and webhook-id of an event in the configured envelope (see the comment at the top). */
function renderEvent(event: WebhookEvent, config: DeliveryConfig): { body: string; messageId: string } {
  const time = formatEventTime(event.created, config.timeFormat);
  if (config.envelope === "standard") {
    return {
      body: JSON.stringify({ type: event.type, timestamp: time, data: event.data.object }),
      messageId: `msg_${randomBytes(12).toString("base64url")}`,
    };
  }
  return { body: JSON.stringify({ ...event, created: time }), messageId: event.id };
}

function describe(failure: unknown): string {
  if (failure instanceof Error) {
    const cause = (failure as Error & { cause?: { code?: string } }).cause;
    return cause?.code ?? failure.message;
  }
  return String(failure);
}
