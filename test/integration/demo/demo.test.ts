import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXPECTED_RULES } from "../../../infra/local/demo/plan";
import type { OrderObservation } from "../../../infra/local/demo/report";
import { type DemoIo, type DemoOptions, runDemo } from "../../../infra/local/demo/run";
import { type LocalStack, startLocalStack } from "../../../infra/local/stack";
import { localAwsEnv } from "../../support/local-stack";

// The demo's main function in-process against the integration project's emulators: its own stack (tables and
// queues named per test), a running stack it attaches to through an env file, a timeout, and Ctrl-C.

function captureIo(): DemoIo & { out: () => string; err: () => string } {
  let out = "";
  let err = "";
  return {
    stdout: (text) => {
      out += text;
    },
    stderr: (text) => {
      err += text;
    },
    env: {},
    cwd: process.cwd(),
    isTTY: false,
    out: () => out,
    err: () => err,
  };
}

const FAST_STACK = {
  sunatDelayMs: 300,
  cdrPollSeconds: 0.5,
  cdrPollBaseSeconds: 0.5,
  workerRetryBaseSeconds: 0.2,
  aceleralaTimeoutSeconds: 1.5,
  receiptLookupDelaySeconds: 2,
  webhookRetryBaseDelayMs: 100,
};

/** Options of one run: small and quiet unless the test says otherwise. */
function demoOptions(overrides: Partial<DemoOptions>): DemoOptions {
  return { orders: 2, seed: 1, brokenRate: 0, observationsRate: 0, timeoutSeconds: 60, ...overrides };
}

function ownStack(name: string, overrides: DemoOptions["stack"] = {}): DemoOptions["stack"] {
  return {
    ...FAST_STACK,
    emulators: { env: localAwsEnv(), namePrefix: `demo-${name}-${process.pid}`, visibilityTimeoutSeconds: 2 },
    ...overrides,
  };
}

/** Valid → ACCEPTED with one receipt; broken → NEEDS_ATTENTION with the kind's rule and no receipt. */
function expectEveryOrderAsPlanned(observations: readonly OrderObservation[]) {
  for (const { order, record, receiptCount } of observations) {
    if (order.kind === "valid") {
      expect(record?.state, `#${order.orderId} ${order.description}`).toBe("ACCEPTED");
      expect(receiptCount).toBe(1);
    } else {
      expect(record?.state, `#${order.orderId} ${order.kind}`).toBe("NEEDS_ATTENTION");
      expect(record?.problems?.map((problem) => problem.rule)).toContain(EXPECTED_RULES[order.kind]);
      expect(receiptCount).toBe(0);
    }
  }
}

/** Neither the table nor the summary may show a customer's full document number or e-mail. */
function expectNoCustomerData(output: string, observations: readonly OrderObservation[]) {
  for (const { order } of observations) {
    const { document_number: documentNumber, email } = order.body.billing_details;
    if (documentNumber.length >= 6) expect(output).not.toContain(documentNumber);
    expect(output).not.toContain(email);
  }
}

describe("npm run demo, own stack", () => {
  it("ends with every valid order ACCEPTED and every broken one NEEDS_ATTENTION with its rule", async () => {
    const io = captureIo();
    const result = await runDemo(
      demoOptions({ orders: 12, seed: 7, brokenRate: 0.1, observationsRate: 1, stack: ownStack("own") }),
      io,
    );
    expect(io.err()).toBe("");
    expect(result.exitCode).toBe(0);
    expect(result.timedOut).toBe(false);
    const { observations } = result;
    expect(observations).toHaveLength(12);
    // 12 orders at 10 %: raised to one of each of the six broken kinds.
    expect(new Set(observations.filter((o) => o.order.kind !== "valid").map((o) => o.order.kind)).size).toBe(
      6,
    );
    expectEveryOrderAsPlanned(observations);
    // Observation rate 1: every acceptance carries an observation code (≥ 4000), and the summary says so.
    for (const { record } of observations.filter((o) => o.order.kind === "valid"))
      expect(Number(record?.sunatCode)).toBeGreaterThanOrEqual(4000);
    const output = io.out();
    expect(output).toContain("Pedido  Fecha");
    expect(output).toContain("Estado en API/SUNAT");
    expect(output).toContain("ACCEPTED         6 (6 with SUNAT observations");
    expect(output).toContain("NEEDS_ATTENTION  6");
    expect(output).toContain("billing_details.document_type [invoice_requires_ruc]: Una Factura");
    expect(output).toMatch(/^OK: every valid order ACCEPTED/m);
    expect(output).not.toContain("\x1b["); // not a TTY: progress lines, no ANSI redraws
    expectNoCustomerData(output, observations);
    // Act two: two cancellations, a partial refund, a partial refund then the rest: each with its notes.
    expect(result.undo?.map((plan) => plan.action)).toEqual([
      "cancel",
      "partial_refund",
      "full_refund",
      "cancel",
    ]);
    for (const plan of result.undo ?? []) {
      const notes = (plan.notes ?? []).filter((note) => note.state !== "SKIPPED");
      expect(notes.map((note) => note.state)).toEqual(plan.expected.map(() => "ACCEPTED"));
      expect(notes.map((note) => note.noteMotive).sort()).toEqual(plan.expected.map((e) => e.motive).sort());
    }
    expect(output).toContain("Nota de crédito");
    expect(output).toMatch(/^OK: every cancellation and refund got its credit note/m);
  }, 120_000);

  it("exits 1 on timeout, listing the orders that are not final", async () => {
    const io = captureIo();
    const result = await runDemo(
      // SUNAT never answers within the run: the receipts stay SUBMITTED.
      demoOptions({ seed: 3, timeoutSeconds: 2, stack: ownStack("timeout", { sunatDelayMs: 120_000 }) }),
      io,
    );
    expect(result.exitCode).toBe(1);
    expect(result.timedOut).toBe(true);
    const output = io.out();
    expect(output).toContain("NOT FINAL        2");
    expect(output).toContain("TIMED OUT with 2 order(s) not final.");
    for (const { order } of result.observations) expect(output).toContain(`#${order.orderId}`);
    expect(output).not.toMatch(/^OK:/m);
  }, 90_000);
});

describe("npm run demo -- --attach", () => {
  let stack: LocalStack;
  let directory: string;
  let envFile: string;

  beforeAll(async () => {
    stack = await startLocalStack({
      ...FAST_STACK,
      emulators: {
        env: localAwsEnv(),
        namePrefix: `demo-attach-${process.pid}`,
        visibilityTimeoutSeconds: 2,
      },
    });
    directory = await mkdtemp(join(tmpdir(), "demo-attach-"));
    envFile = join(directory, "env.json");
    await writeFile(envFile, JSON.stringify(stack.env));
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it("places the orders over the simulator's HTTP API and leaves its SUNAT policy as it was", async () => {
    const before = stack.simulator.getSunatPolicy().observationRate;
    const receiptsBefore = stack.simulator.listReceipts({ limit: "100" }).data.length;
    const io = captureIo();
    const result = await runDemo(
      // Only the first act: the receipts counted below are the orders' own (act two adds credit notes).
      demoOptions({
        orders: 8,
        seed: 11,
        brokenRate: 0.25,
        observationsRate: 0.5,
        attachEnvFile: envFile,
        undo: false,
      }),
      io,
    );
    expect(io.err()).toBe("");
    expect(result.exitCode).toBe(0);
    expectEveryOrderAsPlanned(result.observations);
    for (const { order } of result.observations)
      expect(stack.simulator.getOrder(order.orderId)).toMatchObject({
        id: order.orderId,
        payment_status: "paid",
      });
    const validCount = result.observations.filter((o) => o.order.kind === "valid").length;
    expect(stack.simulator.listReceipts({ limit: "100" }).data.length - receiptsBefore).toBe(validCount);
    expect(stack.simulator.getSunatPolicy().observationRate).toBe(before);
    expect(io.out()).not.toContain("stopping the local stack"); // someone else's stack keeps running
  }, 90_000);

  it("stops watching on Ctrl-C (abort) and exits 130", async () => {
    stack.simulator.setSunatPolicy({ delayMs: 120_000 });
    const abort = new AbortController();
    const io = captureIo();
    const running = runDemo(demoOptions({ seed: 5, attachEnvFile: envFile, signal: abort.signal }), io);
    setTimeout(() => abort.abort(), 1_500);
    const started = Date.now();
    const result = await running;
    stack.simulator.setSunatPolicy({ delayMs: FAST_STACK.sunatDelayMs });
    expect(result.exitCode).toBe(130);
    expect(result.interrupted).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(io.out()).toContain("interrupted");
  }, 30_000);

  it("exits 1 with a hint when no stack is running", async () => {
    const io = captureIo();
    const result = await runDemo(
      demoOptions({ orders: 1, timeoutSeconds: 5, attachEnvFile: join(directory, "missing.json") }),
      io,
    );
    expect(result.exitCode).toBe(1);
    expect(io.err()).toMatch(/no está en marcha.*npm start/);
  });
});
