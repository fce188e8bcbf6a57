import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseDlqOptions } from "../../../lib/cli/commands/dlq";
import { parseReceiptsOptions } from "../../../lib/cli/commands/receipts";
import type { CliIo } from "../../../lib/cli/io";
import { run } from "../../../lib/cli/main";
import { LOCAL_STACK_ENV_PATH, resolveTarget, TargetError } from "../../../lib/cli/target";
import { OptionError } from "../../../lib/ops/args";

// No servers here: option validation and target selection only. The commands against DynamoDB Local and
// fauxqs are in test/integration/ops.
const scratch = mkdtempSync(join(tmpdir(), "cpe-ops-unit-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const LOCAL_ENV = {
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "LOCALACCESSKEYID",
  AWS_SECRET_ACCESS_KEY: "localSecretAccessKey",
  AWS_ENDPOINT_URL_DYNAMODB: "http://127.0.0.1:8001",
  AWS_ENDPOINT_URL_SQS: "http://127.0.0.1:8002",
  TABLE_NAME: "receipts",
  ORDER_EVENTS_QUEUE_URL: "http://127.0.0.1:8002/000000000000/q.fifo",
  ORDER_EVENTS_DLQ_URL: "http://127.0.0.1:8002/000000000000/dlq.fifo",
};

function io(env: Record<string, string | undefined> = {}, cwd = scratch) {
  const out: string[] = [];
  const err: string[] = [];
  const cliIo: CliIo = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env, cwd };
  return { io: cliIo, stdout: () => out.join(""), stderr: () => err.join("") };
}

function writeJson(name: string, value: unknown): string {
  const path = join(scratch, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

describe("parseDlqOptions", () => {
  it("peek: --max defaults to 10, replay options are refused", () => {
    expect(parseDlqOptions(["peek"], {})).toEqual({ action: "peek", max: 10, json: false });
    expect(parseDlqOptions(["peek"], { max: "3", json: true })).toEqual({
      action: "peek",
      max: 3,
      json: true,
    });
    expect(() => parseDlqOptions(["peek"], { order: "1" })).toThrow(
      "--order es una opción de replay, no de peek",
    );
    expect(() => parseDlqOptions(["peek"], { "dry-run": true })).toThrow(/--dry-run es una opción de replay/);
  });
  it("replay: every option parsed; default is every message", () => {
    expect(parseDlqOptions(["replay"], {})).toEqual({
      action: "replay",
      dryRun: false,
      native: false,
      json: false,
    });
    expect(
      parseDlqOptions(["replay"], { max: "5", order: "#1001", "dry-run": true, rate: "2.5", json: true }),
    ).toEqual({
      action: "replay",
      max: 5,
      orderId: "1001",
      dryRun: true,
      ratePerSecond: 2.5,
      native: false,
      json: true,
    });
  });
  it("--native only with --aws, and never with --order, --dry-run or --max, saying why", () => {
    expect(parseDlqOptions(["replay"], { native: true, aws: true, rate: "10" })).toMatchObject({
      native: true,
      ratePerSecond: 10,
    });
    expect(() => parseDlqOptions(["replay"], { native: true })).toThrow(/--native necesita --aws/);
    expect(() => parseDlqOptions(["replay"], { native: true, aws: true, order: "1" })).toThrow(
      /no admite --order: la tarea de SQS mueve toda la DLQ, no tiene filtro/,
    );
    expect(() => parseDlqOptions(["replay"], { native: true, aws: true, "dry-run": true })).toThrow(
      /no admite --dry-run/,
    );
    expect(() => parseDlqOptions(["replay"], { native: true, aws: true, max: "2" })).toThrow(
      /no admite --max/,
    );
  });
  it("names the action and bad values", () => {
    expect(() => parseDlqOptions([], {})).toThrow("indique peek o replay");
    expect(() => parseDlqOptions(["drain"], {})).toThrow('acción desconocida "drain": indique peek o replay');
    expect(() => parseDlqOptions(["peek", "x"], {})).toThrow('argumento inesperado "x"');
    expect(() => parseDlqOptions(["replay"], { rate: "0" })).toThrow(OptionError);
    expect(() => parseDlqOptions(["replay"], { order: "abc" })).toThrow(/--order debe ser un número entero/);
    expect(() => parseDlqOptions(["peek"], { max: "ten" })).toThrow(/--max debe ser un número entero/);
  });
});

describe("parseReceiptsOptions", () => {
  it("defaults to 50 rows, and validates state (Spanish or English), dates, order and limit", () => {
    expect(parseReceiptsOptions({})).toEqual({ limit: 50, json: false });
    expect(
      parseReceiptsOptions({
        state: "submitted",
        since: "2026-11-21",
        until: "2026-11-22",
        order: "#32204",
        before: "32300",
        limit: "5",
      }),
    ).toEqual({
      state: "SUBMITTED",
      since: new Date("2026-11-21T05:00:00.000Z"),
      until: new Date("2026-11-23T05:00:00.000Z"),
      orderId: 32204,
      before: 32300,
      limit: 5,
      json: false,
    });
    expect(parseReceiptsOptions({ state: "ACEPTADO" }).state).toBe("ACCEPTED");
    expect(parseReceiptsOptions({ state: "N/A" }).state).toBe("NONE");
    expect(() => parseReceiptsOptions({ state: "DONE" })).toThrow(/--state debe ser un estado: ACEPTADO/);
    expect(() => parseReceiptsOptions({ since: "last week" })).toThrow(/--since debe ser una fecha ISO/);
    expect(() => parseReceiptsOptions({ limit: "0" })).toThrow("--limit debe ser 1 o más; se recibió 0");
  });
});

describe("resolveTarget", () => {
  it("without a local stack: tells the operator to start it or use --aws", async () => {
    const c = io();
    await expect(resolveTarget({}, c.io, { needsQueues: false })).rejects.toThrow(
      "la pila local no está en marcha: iníciela con `npm start`, o use --aws",
    );
    await expect(
      resolveTarget({ "local-env": "nowhere.json" }, c.io, { needsQueues: false }),
    ).rejects.toThrow(/la pila local no está en marcha \(nowhere\.json no existe\)/);
  });
  it("reads .cache/local-stack/env.json by default, with explicit endpoints and credentials", async () => {
    const cwd = mkdtempSync(join(scratch, "cwd-"));
    mkdirSync(join(cwd, ".cache/local-stack"), { recursive: true });
    writeFileSync(join(cwd, LOCAL_STACK_ENV_PATH), JSON.stringify(LOCAL_ENV));
    // The shell's AWS variables must not leak into a local target.
    const c = io({ AWS_ACCESS_KEY_ID: "AKIAREALKEY", AWS_PROFILE: "prod", TABLE_NAME: "prod-table" }, cwd);
    const target = await resolveTarget({}, c.io, { needsQueues: true });
    expect(target).toEqual({
      mode: "local",
      description: `pila local (${LOCAL_STACK_ENV_PATH})`,
      tableName: "receipts",
      region: "us-east-1",
      queueUrl: LOCAL_ENV.ORDER_EVENTS_QUEUE_URL,
      dlqUrl: LOCAL_ENV.ORDER_EVENTS_DLQ_URL,
      endpoints: { dynamodb: LOCAL_ENV.AWS_ENDPOINT_URL_DYNAMODB, sqs: LOCAL_ENV.AWS_ENDPOINT_URL_SQS },
      credentials: { accessKeyId: "LOCALACCESSKEYID", secretAccessKey: "localSecretAccessKey" },
    });
  });
  it("refuses a local environment without emulator endpoints, naming every missing variable", async () => {
    const { AWS_ENDPOINT_URL_SQS, ORDER_EVENTS_DLQ_URL, AWS_ACCESS_KEY_ID, ...partial } = LOCAL_ENV;
    const path = writeJson("partial.json", partial);
    const error = await resolveTarget({ "local-env": path }, io().io, { needsQueues: true }).catch((e) => e);
    expect(error).toBeInstanceOf(TargetError);
    expect(error.message).toContain("ORDER_EVENTS_DLQ_URL is missing");
    expect(error.message).toContain("falta AWS_ENDPOINT_URL_SQS");
    expect(error.message).toContain("falta AWS_ACCESS_KEY_ID");
    // status and receipts do not need the queues.
    const tableOnly = writeJson("table-only.json", { ...partial, AWS_ACCESS_KEY_ID });
    await expect(
      resolveTarget({ "local-env": tableOnly }, io().io, { needsQueues: false }),
    ).resolves.toMatchObject({
      tableName: "receipts",
    });
  });
  it("refuses a file that is not an object of variables", async () => {
    const path = writeJson("list.json", ["x"]);
    await expect(resolveTarget({ "local-env": path }, io().io, { needsQueues: false })).rejects.toThrow(
      /se esperaba un objeto JSON de variables de entorno/,
    );
  });
  it("--aws: names each missing stack output; the region may come from the profile", async () => {
    const error = await resolveTarget({ aws: true }, io({ AWS_PROFILE: "ops" }).io, {
      needsQueues: true,
    }).catch((e) => e);
    expect(error.message).toMatch(/TABLE_NAME is missing/);
    expect(error.message).toMatch(/ORDER_EVENTS_QUEUE_URL is missing/);
    expect(error.message).toMatch(/ORDER_EVENTS_DLQ_URL is missing/);
    const target = await resolveTarget({ aws: true }, io({ TABLE_NAME: "t", AWS_PROFILE: "ops" }).io, {
      needsQueues: false,
    });
    expect(target).toEqual({ mode: "aws", description: "AWS", tableName: "t", endpoints: {} });
    expect(target.credentials).toBeUndefined(); // the SDK's default chain, never explicit keys
  });
  it("--aws and --local-env together are refused", async () => {
    await expect(
      resolveTarget({ aws: true, "local-env": "x" }, io().io, { needsQueues: false }),
    ).rejects.toThrow(/se excluyen/);
  });
});

describe("the commands' usage errors (exit 2, one line on stderr, nothing on stdout, nothing done)", () => {
  const cases: [string[], RegExp][] = [
    [["status"], /cpe status: falta el número de pedido \(ORDER_ID\)/],
    [["status", "abc", "--store", "511"], /ORDER_ID debe ser un número entero positivo; se recibió "abc"/],
    [["status", "1001", "1002"], /argumento inesperado "1002": indique un solo ORDER_ID/],
    [["status", "1001", "--store", "x"], /--store debe ser un número entero positivo/],
    [["receipts", "--state", "nope"], /cpe receipts: --state debe ser un estado/],
    [["receipts", "--since", "2026-13-01"], /2026-13-01 no es una fecha del calendario/],
    [["resend"], /cpe resend: falta el número de pedido/],
    [["resend", "32204", "x"], /ORDER_ID debe ser un número entero positivo; se recibió "x"/],
    [["dlq"], /cpe dlq: indique peek o replay/],
    [["dlq", "replay", "--native", "--aws", "--order", "1"], /--native no admite --order/],
    [["dlq", "peek", "--frobnicate"], /cpe dlq: opción desconocida --frobnicate/],
    [["reconcile", "--store", "511"], /cpe reconcile: falta --since FECHA/],
    [
      ["backfill", "--store", "511", "--placed-from", "2026-11-02", "--placed-to", "2026-11-01"],
      /debe ser posterior/,
    ],
    [["console", "--port", "3005"], /--port es el puerto del proxy de --aws/],
    [["console", "--aws", "--port", "70000"], /--port debe ser como máximo 65535/],
  ];
  for (const [argv, message] of cases) {
    it(`cpe ${argv.join(" ")}`, async () => {
      const c = io();
      expect(await run(argv, c.io)).toBe(2);
      expect(c.stderr()).toMatch(message);
      expect(c.stderr()).toMatch(/--help muestra las opciones/);
      expect(c.stdout()).toBe("");
    });
  }
  it("--help of each command goes to stdout with exit 0, in Spanish, exit codes included", async () => {
    for (const name of [
      "dlq",
      "status",
      "receipts",
      "resend",
      "backfill",
      "reconcile",
      "series",
      "webhooks",
      "console",
    ]) {
      const c = io();
      expect(await run([name, "--help"], c.io)).toBe(0);
      expect(c.stdout()).toMatch(new RegExp(`^Uso: cpe ${name}`));
      expect(c.stdout()).toMatch(/Códigos de salida: 0 hecho; 1 falló/);
    }
  });
});

describe("the commands' failures (exit 1: the target or an input is not there)", () => {
  const cases: [string[], RegExp][] = [
    [
      ["status", "1001", "--store", "511"],
      /la pila local no está en marcha: iníciela con `npm start`, o use --aws/,
    ],
    [["receipts", "--store", "511"], /la pila local no está en marcha/],
    [
      ["receipts", "--aws", "--store", "511"],
      /--aws necesita las salidas de la pila en el entorno: TABLE_NAME is missing/,
    ],
    [["dlq", "peek"], /cpe dlq peek: la pila local no está en marcha/],
    [["console"], /cpe console: la pila local no está en marcha/],
    [["console", "--aws"], /--aws necesita CONSOLE_URL en el entorno/],
  ];
  for (const [argv, message] of cases) {
    it(`cpe ${argv.join(" ")}`, async () => {
      const c = io();
      expect(await run(argv, c.io)).toBe(1);
      expect(c.stderr()).toMatch(message);
      expect(c.stdout()).toBe("");
    });
  }
  it("status without --store takes the first store of the stores file", async () => {
    const cwd = mkdtempSync(join(scratch, "stores-"));
    const c = io({ STORES_CONFIG_PATH: "missing-stores.json" }, cwd);
    expect(await run(["status", "1001"], c.io)).toBe(1);
    expect(c.stderr()).toMatch(/missing-stores\.json: no se puede leer el archivo \(ENOENT\)/);
  });
});
