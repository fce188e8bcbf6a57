import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PERMISSIONS } from "../../../infra/simulator/auth";
import { makeOrder } from "../../../infra/simulator/order-factory";
import { type Simulator, startSimulator } from "../../../infra/simulator/server";
import type { AceleralaCredentials } from "../../../lib/config/env";
import type { SecretsSource } from "../../../lib/config/secrets";
import { aceleralaClients } from "../../../lib/runtime";
import { failure } from "../../unit/acelerala/fake-fetch";

// A store's credentials rotated at Acelérala (the old secret stops working at once) and in the secret, while
// the function's secret cache still holds the old value: the warm function's next call after the refusal uses the
// new credentials, over HTTP against the simulator. (The cache's own expiry is in test/unit/runtime.)

const STORE = 511;
let simulator: Simulator;

beforeAll(async () => {
  simulator = await startSimulator({ port: 0, sunatDelayMs: 0 });
});

afterAll(async () => {
  await simulator?.stop();
});

/** The secret as stored, and the value a cache of it holds until a fresh read. */
function cachedSecret(initial: AceleralaCredentials) {
  let stored = initial;
  let cached = initial;
  let freshReads = 0;
  const source: SecretsSource = {
    getWebhookSecrets: async () => [],
    getAceleralaCredentials: async (_storeId, { fresh = false } = {}) => {
      if (fresh) {
        freshReads++;
        cached = stored;
      }
      return cached;
    },
  };
  return {
    source,
    store(next: AceleralaCredentials) {
      stored = next;
    },
    get freshReads() {
      return freshReads;
    },
  };
}

describe("Acelérala credentials rotated while a function is warm", () => {
  it("are used from the call after Acelérala refused the old ones", async () => {
    const first = { client_id: "rotating-client", client_secret: "first-secret" };
    const second = { client_id: "rotating-client", client_secret: "second-secret" };
    simulator.addClient({
      clientId: first.client_id,
      clientSecret: first.client_secret,
      storeId: STORE,
      permissions: [...PERMISSIONS],
    });
    const order = simulator.createOrder(makeOrder(91_001, {}, { documentKind: "boleta", currency: "PEN" }));
    const secret = cachedSecret(first);
    const api = aceleralaClients(
      {
        aceleralaApiUrl: simulator.url,
        aceleralaCredentials: {
          source: "secretsManager",
          arn: "arn:aws:secretsmanager:us-east-1:1:secret:x",
        },
      },
      secret.source,
    );
    expect((await (await api(STORE)).getOrder(order.id)).id).toBe(order.id);

    // Acelérala issues a new secret for the client and revokes the old one (and every token it got); the
    // operator stores the new one.
    simulator.addClient({
      clientId: second.client_id,
      clientSecret: second.client_secret,
      storeId: STORE,
      permissions: [...PERMISSIONS],
    });
    simulator.expireTokens();
    secret.store(second);

    const refused = await failure((await api(STORE)).getOrder(order.id));
    expect(refused).toMatchObject({ kind: "auth", status: 401, route: "POST /v1/token" });
    expect(secret.freshReads).toBe(0);

    expect((await (await api(STORE)).getOrder(order.id)).id).toBe(order.id);
    expect(secret.freshReads).toBe(1);
  });
});
