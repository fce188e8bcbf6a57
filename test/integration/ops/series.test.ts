import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureReceiptsTable } from "../../../infra/local/receipts-table";
import { type Simulator, startSimulator } from "../../../infra/simulator/server";
import { cpe, createScratch, writeLocalEnv } from "./support";

// `cpe series` against DynamoDB Local (a table of this file only, so counters start empty) and a simulator
// whose store already issued F001-1 … F001-66 before this product.
const scratch = createScratch();
let simulator: Simulator;
let envFile: string;

beforeAll(async () => {
  simulator = await startSimulator({ existingReceipts: { F001: 66 }, sunatDelayMs: 0 });
  const tableName = `cpe-series-${process.pid}`;
  await ensureReceiptsTable(new DynamoDBClient({}), tableName);
  envFile = writeLocalEnv(scratch.dir, {
    TABLE_NAME: tableName,
    ACELERALA_API_URL: simulator.url,
    ACELERALA_CREDENTIALS: JSON.stringify({
      "511": { client_id: "demo-client", client_secret: "demo-secret" },
    }),
  });
});

afterAll(async () => {
  await simulator.stop();
  scratch.remove();
});

const series = (...args: string[]) => cpe(["series", ...args, "--local-env", envFile]);

describe("cpe series", () => {
  it("lists the store's series with the API's highest number and the next one", async () => {
    const result = await series("list", "--json");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([
      { series: "B001", counter: null, apiHighest: 0, next: 1 },
      { series: "BC01", counter: null, apiHighest: 0, next: 1 },
      { series: "F001", counter: null, apiHighest: 66, next: 67 },
      { series: "FC01", counter: null, apiHighest: 0, next: 1 },
    ]);
    const text = await series("list");
    expect(text.stdout).toMatch(/^F001 +- \(se inicia en el primer uso\) +66 +F001-67$/m);
  });

  it("seeds a counter from the API and only ever raises it", async () => {
    expect(JSON.parse((await series("seed", "f001", "--json")).stdout)).toEqual([
      { series: "F001", counter: 66, apiHighest: 66, next: 67 },
    ]);
    const below = await series("set", "F001", "10");
    expect(below.code).toBe(2);
    expect(below.stderr).toMatch(/10 es menor que el mayor número que tiene la API \(F001-66\)/);
    expect((await series("set", "F001", "70")).code).toBe(0);
    const back = await series("set", "F001", "68");
    expect(back.code).toBe(2);
    expect(back.stderr).toMatch(/68 es menor que el contador \(70\)/);
    expect(JSON.parse((await series("list", "--json")).stdout)).toContainEqual({
      series: "F001",
      counter: 70,
      apiHighest: 66,
      next: 71,
    });
  });

  it("names the problem with a bad series or action", async () => {
    expect((await series("seed", "F1")).stderr).toMatch(/"F1" no es una serie/);
    expect((await series("bump")).stderr).toMatch(/acción desconocida "bump": indique list, seed o set/);
  });
});
