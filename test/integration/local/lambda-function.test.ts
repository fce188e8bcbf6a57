import { afterEach, describe, expect, it } from "vitest";
import { type LambdaFunction, startLambdaFunction } from "../../../infra/local/runner/lambda-function";
import { isProcessAlive } from "./process-alive";

const HANDLERS = "test/integration/local/handlers";
const started: LambdaFunction[] = [];

function lambda(
  handler: string,
  options: { timeoutSeconds?: number; concurrency?: number; env?: Record<string, string> } = {},
) {
  const fn = startLambdaFunction({
    name: "test-fn",
    handler: `${HANDLERS}/${handler}`,
    output: () => {},
    ...options,
  });
  started.push(fn);
  return fn;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((fn) => fn.stop()));
});

describe("a local Lambda function", () => {
  it("runs the handler in a child process with only the function's environment and a Lambda context", async () => {
    process.env.PARENT_ONLY_VARIABLE = "must not leak";
    try {
      const fn = lambda("http.ts#echo", { env: { GREETING: "hola" }, timeoutSeconds: 5 });
      const outcome = await fn.invoke({
        version: "2.0",
        rawPath: "/",
        requestContext: { http: { method: "GET" } },
      });
      expect(outcome.ok).toBe(true);
      if (!outcome.ok) return;
      expect(outcome.pid).not.toBe(process.pid);
      const body = JSON.parse((outcome.result as { body: string }).body);
      expect(body.greeting).toBe("hola");
      expect(body.inheritedSecret).toBeUndefined();
      // getRemainingTimeInMillis counts down from the 5 s timeout.
      expect(body.remainingMs).toBeGreaterThan(3_000);
      expect(body.remainingMs).toBeLessThanOrEqual(5_000);
    } finally {
      delete process.env.PARENT_ONLY_VARIABLE;
    }
  });

  it("reuses a warm environment for the next invocation", async () => {
    const fn = lambda("http.ts#shorthand");
    const first = await fn.invoke({});
    const second = await fn.invoke({});
    expect([first.ok, second.ok]).toEqual([true, true]);
    expect(second.pid).toBe(first.pid);
  });

  it("reports a handler's error with its name, message and stack, and keeps the environment", async () => {
    const fn = lambda("http.ts#fail");
    const outcome = await fn.invoke({});
    expect(outcome).toMatchObject({
      ok: false,
      failure: "handler",
      error: { name: "TypeError", message: "the handler broke on purpose" },
    });
    expect(outcome.ok ? "" : outcome.error.stack).toContain("http.ts");
    expect(fn.listEnvironments()).toHaveLength(1);
  });

  it("enforces the timeout: the invocation fails and the environment is replaced", async () => {
    const fn = lambda("http.ts#slow", { timeoutSeconds: 1 });
    const startedAt = Date.now();
    const outcome = await fn.invoke({});
    expect(Date.now() - startedAt).toBeLessThan(8_000);
    expect(outcome).toMatchObject({
      ok: false,
      failure: "timeout",
      error: {
        name: "Sandbox.Timedout",
        message: expect.stringContaining("Task timed out after 1.00 seconds"),
      },
    });
    const timedOutPid = outcome.pid ?? -1;
    await expect.poll(() => isProcessAlive(timedOutPid)).toBe(false);
    const next = await fn.invoke({});
    expect(next.ok).toBe(false); // Still slow, but in a new environment.
    expect(next.pid).not.toBe(timedOutPid);
  });

  it("fails an invocation whose environment is killed, and starts a fresh one for the next", async () => {
    const fn = lambda("http.ts#slow", { timeoutSeconds: 20 });
    const running = fn.invoke({});
    await expect
      .poll(() => fn.listEnvironments().some((environment) => environment.state === "invoking"), {
        timeout: 15_000,
      })
      .toBe(true);
    const killed = fn.kill();
    const outcome = await running;
    expect(outcome).toMatchObject({ ok: false, failure: "crash", pid: killed });
    expect(outcome.ok ? "" : outcome.error.message).toContain("signal: SIGKILL");
    const shorthand = lambda("http.ts#shorthand");
    expect((await shorthand.invoke({})).ok).toBe(true);
  });

  it("fails when the module cannot be loaded (init error)", async () => {
    const outcome = await lambda("init-failure.ts#handler").invoke({});
    expect(outcome).toMatchObject({
      ok: false,
      failure: "init",
      error: { name: "Runtime.ImportModuleError", message: "init failed on purpose" },
    });
  });

  it("fails when the export does not exist", async () => {
    const outcome = await lambda("http.ts#missing").invoke({});
    expect(outcome).toMatchObject({
      ok: false,
      failure: "init",
      error: { message: expect.stringContaining('"missing"') },
    });
  });

  it("supports callback-style handlers", async () => {
    const outcome = await lambda("http.ts#callbackStyle").invoke({});
    expect(outcome).toMatchObject({ ok: true, result: { statusCode: 204 } });
  });

  it("warm() starts environments up to its concurrency, ready and idle", async () => {
    const fn = lambda("http.ts#shorthand", { concurrency: 2 });
    await fn.warm();
    const environments = fn.listEnvironments();
    expect(environments.map((environment) => environment.state)).toEqual(["idle", "idle"]);
    expect(new Set(environments.map((environment) => environment.pid)).size).toBe(2);
  });

  it("never runs more environments than its concurrency, and stop() ends them all", async () => {
    const fn = lambda("sqs.ts#slowBatch", { concurrency: 2, env: { SLOW_BATCH_MS: "300" } });
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => fn.invoke({ Records: [] })));
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    const pids = new Set(outcomes.map((outcome) => outcome.pid));
    expect(pids.size).toBeLessThanOrEqual(2);
    await fn.stop();
    for (const pid of pids) expect(isProcessAlive(pid ?? -1)).toBe(false);
    expect((await fn.invoke({})).ok).toBe(false); // A stopped function refuses work.
  });
});
