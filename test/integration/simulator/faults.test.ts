import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../../infra/simulator/server";
import { bearerToken, call, facturaBody } from "./support";

let simulator: Simulator;
let token: string;

beforeAll(async () => {
  simulator = await startSimulator({ port: 0, sunatDelayMs: 0, seed: 42 });
});
beforeEach(async () => {
  simulator.reset();
  token = await bearerToken(simulator.url);
});
afterAll(async () => {
  await simulator.stop();
});

const receiptsOf = async (query = "") =>
  (await call(simulator.url, token, "GET", `/v1/receipts?${query}`)).body.data as Record<string, unknown>[];

describe("error_before_commit", () => {
  it("answers 5xx and stores nothing", async () => {
    await call(simulator.url, null, "POST", "/_sim/faults", {
      rules: [{ kind: "error_before_commit", routes: ["POST /v1/receipts"], status: 502, count: 1 }],
    });
    const failed = await call(simulator.url, token, "POST", "/v1/receipts", facturaBody({ correlative: 5 }));
    expect(failed.status).toBe(502);
    expect(failed.body.error).toMatchObject({ type: "api_error" });
    expect(await receiptsOf()).toHaveLength(0);
    // count 1: the retry goes through, and only POST /v1/receipts was targeted.
    const retried = await call(simulator.url, token, "POST", "/v1/receipts", facturaBody({ correlative: 5 }));
    expect(retried.status).toBe(201);
    expect(await receiptsOf()).toHaveLength(1);
  });
});

describe("timeout_after_commit", () => {
  it("stores the receipt while the client sees a timeout; the retry then gets 409 with the existing id", async () => {
    simulator.setFaults([{ kind: "timeout_after_commit", routes: ["POST /v1/receipts"], count: 1 }]);
    const attempt = call(
      simulator.url,
      token,
      "POST",
      "/v1/receipts",
      facturaBody({ correlative: 9 }),
      AbortSignal.timeout(300),
    );
    await expect(attempt).rejects.toThrow(/timeout|aborted/i);
    const stored = await receiptsOf("document_number=F001-9");
    expect(stored).toHaveLength(1);
    const retry = await call(simulator.url, token, "POST", "/v1/receipts", facturaBody({ correlative: 9 }));
    expect(retry.status).toBe(409);
    expect(retry.body.error).toMatchObject({ existing_receipt_id: stored[0]?.id });
  });

  it("can drop the connection at once instead (timeoutMode destroy)", async () => {
    simulator.setFaults([
      { kind: "timeout_after_commit", routes: ["POST /v1/receipts"], timeoutMode: "destroy", count: 1 },
    ]);
    const started = Date.now();
    await expect(call(simulator.url, token, "POST", "/v1/receipts", facturaBody())).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await receiptsOf()).toHaveLength(1);
  });
});

describe("rate_limit", () => {
  it("answers 429 rate_limit_error with Retry-After and does nothing", async () => {
    simulator.setFaults([{ kind: "rate_limit", routes: ["/v1/receipts"], retryAfterSeconds: 3, count: 2 }]);
    const limited = await call(simulator.url, token, "POST", "/v1/receipts", facturaBody());
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("3");
    expect(limited.body.error).toMatchObject({ type: "rate_limit_error" });
    expect((await call(simulator.url, token, "GET", "/v1/receipts")).status).toBe(429);
    expect((await call(simulator.url, token, "GET", "/v1/receipts")).status).toBe(200);
    expect(await receiptsOf()).toHaveLength(0);
  });
});

describe("latency", () => {
  it("adds the configured delay to matching routes only", async () => {
    simulator.setFaults([{ kind: "latency", routes: ["GET /v1/orders"], latencyMs: 250 }]);
    let started = performance.now();
    await call(simulator.url, token, "GET", "/v1/orders");
    expect(performance.now() - started).toBeGreaterThanOrEqual(245);
    started = performance.now();
    await call(simulator.url, token, "GET", "/v1/receipts");
    expect(performance.now() - started).toBeLessThan(200);
  });
});

describe("determinism and bookkeeping", () => {
  async function statusPattern(seed: number): Promise<number[]> {
    const other = await startSimulator({
      port: 0,
      seed,
      sunatDelayMs: 0,
      faults: [
        { kind: "error_before_commit", rate: 0.3 },
        { kind: "rate_limit", rate: 0.2 },
      ],
    });
    try {
      const otherToken = await bearerTokenWithRetries(other.url);
      const statuses: number[] = [];
      for (let index = 0; index < 30; index++) {
        statuses.push((await call(other.url, otherToken, "GET", "/v1/orders")).status);
      }
      return statuses;
    } finally {
      await other.stop();
    }
  }

  it("replays the same faults for the same seed and differs for another seed", async () => {
    const first = await statusPattern(7);
    const second = await statusPattern(7);
    const third = await statusPattern(8);
    expect(first).toEqual(second);
    expect(first).not.toEqual(third);
    expect(new Set(first)).toEqual(new Set([200, 429, 503]));
  });

  it("reports rules, injected counts and per-route request counts", async () => {
    simulator.setFaults([{ kind: "rate_limit", routes: ["GET /v1/orders/{id}"], count: 1 }]);
    await call(simulator.url, token, "GET", "/v1/orders/1");
    await call(simulator.url, token, "GET", "/v1/orders/1");
    const faults = await call(simulator.url, null, "GET", "/_sim/faults");
    expect(faults.body).toMatchObject({ seed: 42, injected: { rate_limit: 1 }, rules: [{ count: 0 }] });
    const stats = await call(simulator.url, null, "GET", "/_sim/stats");
    expect(stats.body).toMatchObject({
      api_total: 3,
      requests: { "POST /v1/token": 1, "GET /v1/orders/{id}": 2 },
      statuses: { "200": 1, "429": 1, "404": 1 },
    });
    await call(simulator.url, null, "DELETE", "/_sim/faults");
    expect(simulator.getFaults().rules).toEqual([]);
    const invalid = await call(simulator.url, null, "POST", "/_sim/faults", { rules: [{ kind: "meteor" }] });
    expect(invalid.status).toBe(422);
  });
});

/** The token route is faulted too when a rule has no routes, so retry it like a real client would. */
async function bearerTokenWithRetries(url: string): Promise<string> {
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      return await bearerToken(url);
    } catch {
      // injected fault; try again
    }
  }
  throw new Error("no token after 20 attempts");
}
