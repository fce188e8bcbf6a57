import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { writeLocalEnv } from "../ops/support";

// `npm run -s cpe -- …` runs bin/cpe.mjs, which runs a bundle of the CLI and rebuilds it when a source changed.
// Each test here uses a bundle folder of its own (CPE_BUNDLE_DIR), never the developer's .cache/cpe.

const REPOSITORY_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "cpe-launcher-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Manifest {
  builtAtMs: number;
  node: string;
  inputs: string[];
}

function npmRunCpe(bundleDir: string, args: string[]) {
  const child = spawn("npm", ["run", "-s", "cpe", "--", ...args], {
    cwd: REPOSITORY_ROOT,
    env: { ...process.env, CPE_BUNDLE_DIR: bundleDir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

function bundleState(bundleDir: string): { bundleMtimeMs: number; manifest: Manifest } {
  return {
    bundleMtimeMs: statSync(join(bundleDir, "cpe.mjs")).mtimeMs,
    manifest: JSON.parse(readFileSync(join(bundleDir, "manifest.json"), "utf8")) as Manifest,
  };
}

const WORDS_40 = { code: 0, stdout: "SON CUARENTA CON 00/100 SOLES\n", stderr: "" };

describe("bin/cpe.mjs, the cpe launcher", () => {
  it("builds the bundle on first use, then runs it as it is while nothing changed", async () => {
    const bundleDir = join(scratch, "first-use");
    expect(await npmRunCpe(bundleDir, ["words", "40"])).toEqual(WORDS_40);
    const built = bundleState(bundleDir);
    // The CLI's own sources and what says the dependencies changed; no single file of node_modules.
    expect(built.manifest.inputs).toEqual(
      expect.arrayContaining([
        "lib/cli/main.ts",
        "lib/receipt/amount-in-words.ts",
        "node_modules/.package-lock.json",
        "package.json",
        "bin/cpe.mjs",
      ]),
    );
    expect(built.manifest.inputs.filter((input) => input.startsWith("node_modules/"))).toEqual([
      "node_modules/.package-lock.json",
    ]);
    expect(built.manifest.node).toBe(process.version);

    expect(await npmRunCpe(bundleDir, ["words", "40"])).toEqual(WORDS_40);
    expect(bundleState(bundleDir)).toEqual(built);
  }, 60_000);

  it("rebuilds when a source is newer than the bundle (a developer edited it)", async () => {
    const bundleDir = join(scratch, "edited");
    expect(await npmRunCpe(bundleDir, ["words", "40"])).toEqual(WORDS_40);
    const before = bundleState(bundleDir);
    // What saving the file in an editor does to it, without changing its content.
    const source = join(REPOSITORY_ROOT, "lib/receipt/amount-in-words.ts");
    const now = new Date();
    utimesSync(source, now, now);

    expect(await npmRunCpe(bundleDir, ["words", "40"])).toEqual(WORDS_40);
    const after = bundleState(bundleDir);
    expect(after.manifest.builtAtMs).toBeGreaterThan(before.manifest.builtAtMs);
    expect(after.bundleMtimeMs).toBeGreaterThan(before.bundleMtimeMs);
    // Once: the next call runs the new bundle as it is.
    expect(await npmRunCpe(bundleDir, ["words", "40"])).toEqual(WORDS_40);
    expect(bundleState(bundleDir)).toEqual(after);
  }, 60_000);

  it("rebuilds when an input is gone, when Node.js changed, or when the bundle is missing", async () => {
    const bundleDir = join(scratch, "stale");
    expect(await npmRunCpe(bundleDir, ["words", "40"])).toEqual(WORDS_40);
    const manifestPath = join(bundleDir, "manifest.json");
    const stale: ((manifest: Manifest) => void)[] = [
      (manifest) => manifest.inputs.push("lib/cli/a-file-since-deleted.ts"),
      (manifest) => {
        manifest.node = "v18.0.0";
      },
      () => rmSync(join(bundleDir, "cpe.mjs")),
    ];
    for (const makeStale of stale) {
      const manifest = bundleState(bundleDir).manifest;
      makeStale(manifest);
      if (existsSync(join(bundleDir, "cpe.mjs"))) writeFileSync(manifestPath, JSON.stringify(manifest));
      expect(await npmRunCpe(bundleDir, ["words", "40"])).toEqual(WORDS_40);
      const rebuilt = bundleState(bundleDir).manifest;
      expect(rebuilt.node).toBe(process.version);
      expect(rebuilt.inputs).not.toContain("lib/cli/a-file-since-deleted.ts");
      expect(rebuilt.builtAtMs).toBeGreaterThan(manifest.builtAtMs);
    }
  }, 120_000);

  it("runs the AWS SDK from the bundle: `cpe status` reads DynamoDB Local", async () => {
    const bundleDir = join(scratch, "status");
    const envFile = writeLocalEnv(scratch);
    const result = await npmRunCpe(bundleDir, [
      "status",
      "987654321",
      "--store",
      "511",
      "--local-env",
      envFile,
    ]);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(
      /el pedido 987654321 de la tienda 511 no tiene registro de comprobante \(tabla /,
    );
    expect(result.code).toBe(1);
  }, 60_000);
});
