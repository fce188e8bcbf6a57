import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import type { CliCommand } from "../../../lib/cli/command";
import type { CliIo } from "../../../lib/cli/io";
import { run } from "../../../lib/cli/main";
import { ReceiptSchema } from "../../../lib/receipt";

const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const ORDERS = "test/fixtures/orders";
const scratch = mkdtempSync(join(tmpdir(), "cpe-cli-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function capture(env: Record<string, string | undefined> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env, cwd: REPO_ROOT };
  return { io, stdout: () => out.join(""), stderr: () => err.join("") };
}

async function cpe(argv: string[], env: Record<string, string | undefined> = {}) {
  const c = capture(env);
  const code = await run(argv, c.io);
  return { code, stdout: c.stdout(), stderr: c.stderr() };
}

describe("cpe dispatcher", () => {
  it("--help lists the subcommands on stdout, exit 0", async () => {
    const { code, stdout } = await cpe(["--help"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Uso: cpe <comando>/);
    expect(stdout).toMatch(/^\s+console\s/m);
    // The exit codes are documented where every operator looks first.
    expect(stdout).toMatch(/0 hecho; 1 falló .*\n2 error de uso .*3 hecho, con hallazgos/s);
    expect(stdout).toMatch(/^\s+build\s/m);
    expect(stdout).toMatch(/^\s+words\s/m);
  });
  it("an unknown subcommand: usage on stderr, exit 2 (a usage error)", async () => {
    const { code, stdout, stderr } = await cpe(["frobnicate"]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/comando desconocido "frobnicate"/);
    expect(stderr).toMatch(/Uso: cpe/);
  });
  it("no subcommand: usage on stderr, exit 2", async () => {
    expect((await cpe([])).code).toBe(2);
  });
  it("dispatches to any command of the table, passing the rest of argv", async () => {
    const seen: string[][] = [];
    const probe: CliCommand = {
      name: "probe",
      summary: "test",
      usage: "",
      run: async (argv) => {
        seen.push(argv);
        return 7;
      },
    };
    const c = capture();
    expect(await run(["probe", "--x", "1"], c.io, [probe])).toBe(7);
    expect(seen).toEqual([["--x", "1"]]);
  });
});

describe("cpe build", () => {
  it("prints the receipt of the seed's Factura (40.00 → 33.90 + 6.10), exit 0", async () => {
    const { code, stdout, stderr } = await cpe([
      "build",
      "--order",
      `${ORDERS}/factura-ruc-20601373034.json`,
    ]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const receipt = ReceiptSchema.parse(JSON.parse(stdout));
    expect(receipt).toMatchObject({
      store_id: 511,
      series: "F001",
      document_type_code: "01",
      net_total: 33.9,
      taxes_total: 6.1,
      gross_total: 40,
      legends: [{ code: 1000, value: "SON CUARENTA CON 00/100 SOLES" }],
    });
  });
  it.each([
    [
      "boleta-dni-discounts.json",
      { document_type_code: "03", taxable_total: 67.79, sales_tax_total: 12.21, gross_total: 80 },
    ],
    [
      "factura-discounts-shipping.json",
      {
        document_type_code: "01",
        taxable_total: 271.02,
        sales_tax_total: 48.78,
        gross_total: 319.8,
        free_total: 21.19,
      },
    ],
    [
      "boleta-usd-bags.json",
      { currency_code: "USD", taxable_total: 21.36, taxes_total: 4.84, gross_total: 26.2 },
    ],
  ])("%s gives the right figures", async (file, figures) => {
    const { code, stdout } = await cpe(["build", "--order", `${ORDERS}/${file}`]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject(figures);
  });
  it("the seed's order: each problem on stderr, exit 3 (a person must fix the order), nothing on stdout", async () => {
    const { code, stdout, stderr } = await cpe(["build", "--order", `${ORDERS}/seed-order-32203.json`]);
    expect(code).toBe(3);
    expect(stdout).toBe("");
    // Its lines_total (Σ line subtotals) is one of the seed's two readings; its subtotal and total do not add up.
    expect(stderr.trim().split("\n")).toEqual([
      expect.stringMatching(/^subtotal \[subtotal_relation\]: .*30\.00.*80\.00/),
      expect.stringMatching(/^total \[total_mismatch\]: .*80\.00.*30\.00/),
    ]);
  });
  it("the seed's order as printed (not JSON): exit 1 with line and column", async () => {
    const { code, stderr } = await cpe(["build", "--order", `${ORDERS}/seed-order-32203.as-printed.txt`]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/JSON no válido en línea 1, columna 1325/);
  });
  it("a multi-line file with a trailing comma: the error's line and column", async () => {
    const file = join(scratch, "broken.json");
    writeFileSync(file, '{\n  "id": 1,\n  "total": "1.00",\n}\n');
    const { code, stderr } = await cpe(["build", "--order", file]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/línea 4, columna 1/);
  });
  it("an unreadable file: exit 1", async () => {
    const { code, stderr } = await cpe(["build", "--order", join(scratch, "missing.json")]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/no se puede leer el archivo \(ENOENT\)/);
  });
  it("accepts a webhook envelope, --store, --issue-date and --correlative", async () => {
    const order = JSON.parse(readFileSync(join(REPO_ROOT, ORDERS, "factura-ruc-20601373034.json"), "utf8"));
    const envelope = join(scratch, "envelope.json");
    writeFileSync(
      envelope,
      JSON.stringify({ id: "evt_1", type: "orders.updated.placed", store_id: 511, data: { object: order } }),
    );
    const { code, stdout } = await cpe([
      "build",
      "--order",
      envelope,
      "--store",
      "config/stores.json",
      "--issue-date",
      "2022-03-28",
      "--correlative",
      "36862",
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      issue_date: "2022-03-28",
      correlative: 36862,
      gross_total: 40,
    });
  });
  it("picks the store by the order's store_id, and refuses an unknown one", async () => {
    const stores = join(scratch, "stores.json");
    const demo = JSON.parse(readFileSync(join(REPO_ROOT, "config/stores.json"), "utf8"))[0];
    writeFileSync(
      stores,
      JSON.stringify([demo, { ...demo, store_id: 4, series: { invoice: "F004", ticket: "B004" } }]),
    );
    const order = join(scratch, "store4.json");
    const seed = JSON.parse(readFileSync(join(REPO_ROOT, ORDERS, "boleta-dni-discounts.json"), "utf8"));
    writeFileSync(order, JSON.stringify({ ...seed, store_id: 4 }));
    const picked = await cpe(["build", "--order", order], { STORES_CONFIG_PATH: stores });
    expect(picked.code).toBe(0);
    expect(JSON.parse(picked.stdout)).toMatchObject({ store_id: 4, series: "B004" });
    writeFileSync(order, JSON.stringify({ ...seed, store_id: 99 }));
    const unknown = await cpe(["build", "--order", order, "--store", stores]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no hay configuración para la tienda store_id 99/);
  });
  it("an invalid stores file: exit 1 naming the field", async () => {
    const stores = join(scratch, "bad-stores.json");
    writeFileSync(stores, JSON.stringify([{ store_id: 511 }]));
    const { code, stderr } = await cpe([
      "build",
      "--order",
      `${ORDERS}/boleta-dni-discounts.json`,
      "--store",
      stores,
    ]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/configuración de tienda no válida: 0\.vendor_information/);
  });
  it("usage errors: missing --order, unknown option, bad correlative, exit 2 before reading anything", async () => {
    expect(await cpe(["build"])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/falta --order FILE/),
    });
    expect(await cpe(["build", "--order", "x", "--nope"])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/opción desconocida --nope/),
    });
    expect(await cpe(["build", "--order", "x", "--correlative", "abc"])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--correlative debe ser un número entero/),
    });
    expect(await cpe(["build", "--order", "x", "--store"])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/falta el valor de --store/),
    });
    expect((await cpe(["build", "--help"])).code).toBe(0);
  });

  it("a date that is not on the calendar: one line naming it, exit 2, no stack trace", async () => {
    for (const date of ["2026-13-45", "2026-02-30", "21/11/2026"]) {
      const { code, stdout, stderr } = await cpe([
        "build",
        "--order",
        `${ORDERS}/factura-ruc-20601373034.json`,
        "--issue-date",
        date,
      ]);
      expect(code).toBe(2);
      expect(stdout).toBe("");
      expect(stderr).toMatch(new RegExp(`^cpe build: --issue-date.*${date.replace(/\//g, "\\/")}`));
      expect(stderr).not.toMatch(/\bat \S+:\d+:\d+/);
    }
  });
});

describe("cpe words", () => {
  it("prints the legend", async () => {
    expect(await cpe(["words", "1234.56"])).toEqual({
      code: 0,
      stdout: "SON MIL DOSCIENTOS TREINTA Y CUATRO CON 56/100 SOLES\n",
      stderr: "",
    });
    expect((await cpe(["words", "40", "--currency", "usd"])).stdout).toBe(
      "SON CUARENTA CON 00/100 DÓLARES AMERICANOS\n",
    );
  });
  it("refuses a bad amount or currency as a usage error, exit 2", async () => {
    expect((await cpe(["words", "abc"])).code).toBe(2);
    expect((await cpe(["words"])).code).toBe(2);
    expect((await cpe(["words", "1000000000000"])).code).toBe(2);
    expect((await cpe(["words", "1", "--currency", "EUR"])).code).toBe(2);
  });
});

/** Spawns the real `cpe` (npx tsx lib/cli/main.ts …); stops it by pid if a test gives up early. */
async function spawnCpe(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn("npx", ["tsx", "lib/cli/main.ts", ...args], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", resolve);
    });
    return { code, stdout, stderr };
  } finally {
    if (child.exitCode === null && child.pid) process.kill(child.pid);
  }
}

describe("the real executable", () => {
  it("npx tsx lib/cli/main.ts words 40 prints the legend and exits 0", async () => {
    expect(await spawnCpe(["words", "40"])).toMatchObject({
      code: 0,
      stdout: "SON CUARENTA CON 00/100 SOLES\n",
    });
  }, 30_000);

  it("npx tsx lib/cli/main.ts build on the seed's order exits 3 with the problems on stderr", async () => {
    const { code, stdout, stderr } = await spawnCpe(["build", "--order", `${ORDERS}/seed-order-32203.json`]);
    expect(code).toBe(3);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/total \[total_mismatch\]/);
  }, 30_000);
});
