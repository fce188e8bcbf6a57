import { AceleralaClient } from "../../../lib/acelerala/client";
import { type CliIo, readJsonFile } from "../../../lib/cli/io";
import { createTargetReceiptStore, resolveTarget, type Target, TargetError } from "../../../lib/cli/target";
import type { ReceiptStore } from "../../../lib/store/receipt-store";
import type { FactoryOrder } from "../../simulator/order-factory";
import { type LocalStackOptions, startLocalStack } from "../stack";

/**
 * Where the demo places orders and reads receipts: a local stack of its own (in-process simulator API), or a
 * running `npm start` found through its environment file (the simulator's HTTP API with the demo client's
 * credentials, the receipts table through the CLI's target).
 */
export interface DemoTarget {
  description: string;
  /** STORES_CONFIG_PATH of the stack, when it says. */
  storesConfigPath?: string;
  store: ReceiptStore;
  /** Places a paid order; returns the id the simulator gave it. */
  placeOrder(body: FactoryOrder): Promise<number>;
  /** Receipts Acelérala holds for the order. */
  countReceipts(orderId: number): Promise<number>;
  /** The merchant cancels the order (POST /v1/orders/{id}/cancel). */
  cancelOrder(orderId: number): Promise<void>;
  /** The merchant refunds part of the order (POST /v1/transactions, type refund). */
  refundOrder(orderId: number, amount: string): Promise<void>;
  /** Sets SUNAT's observation rate for the run; the returned function puts the previous one back. */
  setObservationRate(rate: number): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export const DEMO_STORE_ID = 511;
/** The simulator's demo client (local only; the same the local stack gives the handlers). */
const DEMO_CREDENTIALS = { client_id: "demo-client", client_secret: "demo-secret" };

/** The demo's short timings: SUNAT answers after 1 s and the poller looks every second. */
export const DEMO_STACK_DEFAULTS: LocalStackOptions = {
  receiverPort: 0,
  sunatDelayMs: 1_000,
  cdrPollSeconds: 1,
  cdrPollBaseSeconds: 1,
  workerRetryBaseSeconds: 1,
  aceleralaTimeoutSeconds: 5,
  receiptLookupDelaySeconds: 8,
  webhookRetryBaseDelayMs: 200,
};

/** Starts a stack with the demo's timings (overridable); stopping the target stops the whole stack. */
export async function ownStackTarget(overrides: LocalStackOptions = {}): Promise<DemoTarget> {
  const stack = await startLocalStack({ ...DEMO_STACK_DEFAULTS, ...overrides });
  const { env, simulator } = stack;
  const receipts = createTargetReceiptStore(localTarget(env, "the demo's local stack"));
  return {
    description: "the demo's own local stack",
    storesConfigPath: env.STORES_CONFIG_PATH,
    store: receipts.store,
    placeOrder: async (body) => Number(simulator.createOrder(body, DEMO_STORE_ID).id),
    countReceipts: async (orderId) =>
      simulator.listReceipts({ order_id: String(orderId), limit: "100" }, DEMO_STORE_ID).data.length,
    cancelOrder: async (orderId) => {
      simulator.cancelOrder(orderId, DEMO_STORE_ID);
    },
    refundOrder: async (orderId, amount) => {
      simulator.refund(orderId, amount, {}, DEMO_STORE_ID);
    },
    setObservationRate: async (rate) => {
      const previous = simulator.getSunatPolicy().observationRate;
      simulator.setSunatPolicy({ observationRate: rate });
      return async () => {
        simulator.setSunatPolicy({ observationRate: previous });
      };
    },
    close: async () => {
      receipts.destroy();
      await stack.stop();
    },
  };
}

/** The same shape the CLI builds from env.json, for a stack whose environment we hold in memory. */
function localTarget(env: Record<string, string>, description: string): Target {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!env.TABLE_NAME || !env.AWS_ENDPOINT_URL_DYNAMODB || !accessKeyId || !secretAccessKey)
    throw new TargetError(`${description}: the stack's environment lacks the table, endpoint or credentials`);
  return {
    mode: "local",
    description,
    tableName: env.TABLE_NAME,
    region: env.AWS_REGION ?? "us-east-1",
    endpoints: { dynamodb: env.AWS_ENDPOINT_URL_DYNAMODB },
    credentials: { accessKeyId, secretAccessKey },
  };
}

/** A running `npm start`, through the environment file it wrote (.cache/local-stack/env.json by default). */
export async function attachedTarget(envFile: string, io: CliIo): Promise<DemoTarget> {
  const target = await resolveTarget({ "local-env": envFile }, io, { needsQueues: false });
  const env = (await readJsonFile(envFile, io)) as Record<string, unknown>;
  const apiUrl = typeof env.ACELERALA_API_URL === "string" ? env.ACELERALA_API_URL.replace(/\/+$/, "") : "";
  if (!apiUrl)
    throw new TargetError(
      `${envFile}: ACELERALA_API_URL is missing (restart the local stack with \`npm start\`)`,
    );
  const receipts = createTargetReceiptStore(target);
  const client = new AceleralaClient({ baseUrl: apiUrl, credentials: DEMO_CREDENTIALS });

  const call = async (method: string, path: string, body?: unknown, token?: string): Promise<unknown> => {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (token) headers.authorization = `Bearer ${token}`;
    const response = await fetch(`${apiUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
    return text === "" ? undefined : JSON.parse(text);
  };

  return {
    description: `the running local stack (${envFile})`,
    storesConfigPath: typeof env.STORES_CONFIG_PATH === "string" ? env.STORES_CONFIG_PATH : undefined,
    store: receipts.store,
    placeOrder: async (body) => {
      // POST /v1/orders is the simulator's (the product never creates orders), so the product's client has
      // no method for it; its token is reused.
      const created = (await call("POST", "/v1/orders", body, await client.accessToken())) as {
        id?: unknown;
      };
      const id = Number(created.id);
      if (!Number.isSafeInteger(id)) throw new Error("POST /v1/orders answered without an order id");
      return id;
    },
    countReceipts: async (orderId) =>
      (await client.listReceipts({ order_id: orderId }, { limit: 100 })).data.length,
    // The merchant's actions are Acelérala's routes (the product only reads orders): the client's token is reused.
    cancelOrder: async (orderId) => {
      await call("POST", `/v1/orders/${orderId}/cancel`, undefined, await client.accessToken());
    },
    refundOrder: async (orderId, amount) => {
      const order = (await client.getOrder(orderId)) as { currency_code?: unknown };
      await call(
        "POST",
        "/v1/transactions",
        {
          order_id: orderId,
          type: "refund",
          amount,
          currency_code: order.currency_code ?? "PEN",
          method: "card",
        },
        await client.accessToken(),
      );
    },
    setObservationRate: async (rate) => {
      const policy = (await call("GET", "/_sim/sunat")) as { observationRate?: number };
      const previous = policy.observationRate ?? 0;
      await call("POST", "/_sim/sunat", { observationRate: rate });
      return async () => {
        await call("POST", "/_sim/sunat", { observationRate: previous });
      };
    },
    close: async () => {
      receipts.destroy();
    },
  };
}
