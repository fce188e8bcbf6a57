import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../../infra/simulator/server";
import { bearerToken, call, requestToken, sleep } from "./support";

let simulator: Simulator;

beforeAll(async () => {
  simulator = await startSimulator({
    port: 0,
    sunatDelayMs: 0,
    tokenTtlSeconds: 1,
    clients: [
      { clientId: "reader", clientSecret: "reader-secret", storeId: 511, permissions: ["read:orders"] },
    ],
  });
});
afterAll(async () => {
  await simulator.stop();
});

describe("POST /v1/token", () => {
  it("issues a bearer token for the demo client with every permission as scope", async () => {
    const { status, body } = await requestToken(simulator.url);
    expect(status).toBe(200);
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: 1 });
    expect(typeof body.access_token).toBe("string");
    expect(String(body.scope).split(" ").sort()).toEqual(
      [
        "read:orders",
        "read:receipts",
        "read:transactions",
        "read:webhooks",
        "write:orders",
        "write:receipts",
        "write:transactions",
        "write:webhooks",
      ].sort(),
    );
  });

  it("refuses a wrong secret and an unknown client with 401 authentication_error", async () => {
    for (const [id, secret] of [
      ["demo-client", "wrong"],
      ["nobody", "demo-secret"],
    ] as const) {
      const { status, body } = await requestToken(simulator.url, id, secret);
      expect(status).toBe(401);
      expect(body.error).toMatchObject({ type: "authentication_error", code: "invalid_client" });
    }
  });

  it("refuses a request without Basic credentials and one with the wrong grant_type", async () => {
    const noBasic = await fetch(`${simulator.url}/v1/token`, {
      method: "POST",
      body: "grant_type=client_credentials",
    });
    expect(noBasic.status).toBe(401);
    const wrongGrant = await fetch(`${simulator.url}/v1/token`, {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from("demo-client:demo-secret").toString("base64")}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: "grant_type=password",
    });
    expect(wrongGrant.status).toBe(400);
    expect(((await wrongGrant.json()) as { error: { code: string } }).error.code).toBe(
      "unsupported_grant_type",
    );
  });
});

describe("bearer authentication on /v1 routes", () => {
  it("accepts a valid token", async () => {
    const token = await bearerToken(simulator.url);
    const { status, body } = await call(simulator.url, token, "GET", "/v1/orders");
    expect(status).toBe(200);
    expect(body.object).toBe("list");
  });

  it.each([
    ["missing", null, "missing_token"],
    ["garbage", "not-a-token", "invalid_token"],
  ])("refuses a %s token with 401", async (_label, token, code) => {
    const { status, body } = await call(simulator.url, token, "GET", "/v1/orders");
    expect(status).toBe(401);
    expect(body.error).toMatchObject({ type: "authentication_error", code });
  });

  it("refuses a token once it has expired (ttl 1 s) and after expireTokens()", async () => {
    const token = await bearerToken(simulator.url);
    await sleep(1100);
    const expired = await call(simulator.url, token, "GET", "/v1/orders");
    expect(expired.status).toBe(401);
    expect(expired.body.error).toMatchObject({ code: "token_expired" });

    const fresh = await bearerToken(simulator.url);
    expect((await call(simulator.url, fresh, "GET", "/v1/orders")).status).toBe(200);
    const admin = await call(simulator.url, null, "POST", "/_sim/tokens/expire");
    expect(admin.body.expired).toBeGreaterThan(0);
    expect((await call(simulator.url, fresh, "GET", "/v1/orders")).status).toBe(401);
  });

  it("refuses with 403 permission_error when the client lacks the permission", async () => {
    const token = await bearerToken(simulator.url, "reader", "reader-secret");
    expect((await call(simulator.url, token, "GET", "/v1/orders")).status).toBe(200);
    const { status, body } = await call(simulator.url, token, "POST", "/v1/receipts", {});
    expect(status).toBe(403);
    expect(body.error).toMatchObject({ type: "permission_error", code: "missing_permission" });
    expect((await call(simulator.url, token, "GET", "/v1/receipts")).status).toBe(403);
  });

  it("adds restricted clients at run time through the admin API, scoped to their store", async () => {
    const added = await call(simulator.url, null, "POST", "/_sim/clients", {
      clientId: "other-store",
      clientSecret: "s3cret",
      storeId: 900,
      permissions: ["read:orders", "write:orders"],
    });
    expect(added.status).toBe(201);
    simulator.createOrder({ total: "10.00" }); // store 511
    const token = await bearerToken(simulator.url, "other-store", "s3cret");
    const list = await call(simulator.url, token, "GET", "/v1/orders");
    expect(list.body.data).toEqual([]);
    const bad = await call(simulator.url, null, "POST", "/_sim/clients", {
      clientId: "x",
      permissions: ["fly"],
    });
    expect(bad.status).toBe(422);
  });
});
