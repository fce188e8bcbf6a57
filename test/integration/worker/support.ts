import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ensureReceiptsTable } from "../../../infra/local/receipts-table";
import { makeOrder } from "../../../infra/simulator/order-factory";
import { type Simulator, type SimulatorOptions, startSimulator } from "../../../infra/simulator/server";
import type { StoredReceipt } from "../../../infra/simulator/state";
import { AceleralaClient } from "../../../lib/acelerala/client";
import { loadStores } from "../../../lib/config/stores";
import type { StoreConfig } from "../../../lib/receipt";
import { createReceiptStore } from "../../../lib/runtime";
import type { OrderKey } from "../../../lib/store/receipt-record";
import type { ReceiptStore } from "../../../lib/store/receipt-store";
import { decideCreditNote } from "../../../lib/worker/credit-notes";
import { decideForOrder } from "../../../lib/worker/decide";
import { type IssueDeps, type IssueOutcome, issueReceipt } from "../../../lib/worker/issue-receipt";

/**
 * A "world" for the worker's integration tests: the Acelérala simulator over HTTP (one reading of the seed),
 * DynamoDB Local (the global setup) with a table of its own, the real client and receipt domain, and a test
 * clock for the worker, so "later" (the look-up delay) passes without sleeping.
 */

export const STORE = 511;
export const CLIENT_TIMEOUT_MS = 1_000;
export const LOOKUP_DELAY_MS = 1_500;
let seed = 5_000 + Math.floor(Math.random() * 1_000) * 100;
let stores: StoreConfig[] | undefined;

export interface World {
  simulator: Simulator;
  store: ReceiptStore;
  client: AceleralaClient;
  clock: { now: number };
  stores: StoreConfig[];
}

export async function startWorld(name: string, options: SimulatorOptions): Promise<World> {
  stores ??= await loadStores("config/stores.json");
  const simulator = await startSimulator({ sunatDelayMs: 0, seed: 7, ...options });
  // A table of its own per world: counters start empty, as for a store that never used this product.
  const tableName = `worker-${name}-${process.pid}`;
  await ensureReceiptsTable(new DynamoDBClient({}), tableName);
  const store = createReceiptStore({ region: process.env.AWS_REGION ?? "us-east-1", tableName });
  const client = new AceleralaClient({
    baseUrl: simulator.url,
    credentials: { client_id: "demo-client", client_secret: "demo-secret" },
    timeoutMs: CLIENT_TIMEOUT_MS,
  });
  return { simulator, store, client, clock: { now: Date.now() }, stores };
}

export function depsOf(world: World, overrides: Partial<IssueDeps> = {}): IssueDeps {
  return {
    store: world.store,
    api: async () => world.client,
    decide: (order, storeId) => decideForOrder(order, storeId, world.stores, new Date(world.clock.now)),
    decideNote: (input) => decideCreditNote({ ...input, stores: world.stores }),
    now: () => new Date(world.clock.now),
    firstPollDelayMs: 60_000,
    lookupDelayMs: LOOKUP_DELAY_MS,
    ...overrides,
  };
}

/** Handles the order's event until it settles, letting the worker's clock run past every delay it asks for. */
export async function settle(world: World, key: OrderKey, deps = depsOf(world)): Promise<IssueOutcome> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const outcome = await issueReceipt(key, deps);
    if (outcome.status !== "retry") return outcome;
    world.clock.now += Math.max(1, outcome.delaySeconds ?? 1) * 1000;
  }
  throw new Error(`order ${key.orderId} did not settle`);
}

export function nextSeed(): number {
  return seed++;
}

export function place(
  world: World,
  kind: "boleta" | "factura" = "boleta",
  currency: "PEN" | "USD" = "PEN",
): OrderKey {
  const order = world.simulator.createOrder(makeOrder(seed++, {}, { documentKind: kind, currency }));
  return { storeId: STORE, orderId: Number(order.id) };
}

/** Every sale receipt (Factura, Boleta) the API holds for the order, whatever the list lag. */
export function receiptsOf(world: World, orderId: number): StoredReceipt[] {
  return world.simulator
    .allReceipts()
    .filter((receipt) => receipt.order_id === orderId && receipt.document_type_code !== "07");
}

/** Every credit note the API holds for the order. */
export function notesOf(world: World, orderId: number): StoredReceipt[] {
  return world.simulator
    .allReceipts()
    .filter((receipt) => receipt.order_id === orderId && receipt.document_type_code === "07");
}

export function orderTotal(world: World, orderId: number): string {
  return String(world.simulator.getOrder(orderId).total);
}

export const grossOf = (receipt: StoredReceipt | undefined) => Number(receipt?.gross_total).toFixed(2);
