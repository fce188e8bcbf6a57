import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../../lib/config/env";
import { loadStores } from "../../../lib/config/stores";

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), "stores-"));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function file(name: string, content: string): Promise<string> {
  const path = join(directory, name);
  await writeFile(path, content);
  return path;
}

describe("loadStores", () => {
  it("loads the repository's config/stores.json (the demo store 511)", async () => {
    const stores = await loadStores("config/stores.json");
    expect(stores.map((store) => store.store_id)).toContain(511);
    // The file names no credit-note series: the defaults apply.
    expect(stores.find((store) => store.store_id === 511)?.series).toEqual({
      invoice: "F001",
      ticket: "B001",
      credit_invoice: "FC01",
      credit_ticket: "BC01",
    });
  });

  it("names the file and the field of a bad configuration", async () => {
    const path = await file("bad.json", JSON.stringify([{ store_id: 511, series: { invoice: "B001" } }]));
    const error = await loadStores(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toContain(
      `${path}: [0].series.invoice: serie de Factura: F + 3 alfanuméricos, o 4 dígitos (contingencia)`,
    );
    expect(problems.some((problem) => problem.startsWith(`${path}: [0].vendor_information:`))).toBe(true);
  });

  it("refuses invalid JSON and a missing file", async () => {
    await expect(loadStores(await file("broken.json", "[{,]"))).rejects.toThrow(/not valid JSON/);
    await expect(loadStores(join(directory, "absent.json"))).rejects.toThrow(
      /cannot read the stores file \(ENOENT\)/,
    );
  });
});
