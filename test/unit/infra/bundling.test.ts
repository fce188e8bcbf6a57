import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BUNDLE_ALIASES,
  BUNDLE_MAIN_FIELDS,
  BUNDLE_TARGET,
  ESM_REQUIRE_BANNER,
} from "../../../infra/aws/bundling";

const ENTRY = path.resolve(import.meta.dirname, "../../fixtures/bundles/aws-calls.ts");

let directory: string;
let server: Server;
let endpoint: string;
const seen: { target: string; authorization: string }[] = [];

/** Answers DynamoDB's and SQS's JSON protocols (told apart by X-Amz-Target) with one table and one queue. */
function answer(request: IncomingMessage): string {
  const target = String(request.headers["x-amz-target"] ?? "");
  seen.push({ target, authorization: String(request.headers.authorization ?? "") });
  return target.startsWith("AmazonSQS")
    ? '{"QueueUrls":["http://127.0.0.1/q"]}'
    : '{"TableNames":["receipts"]}';
}

beforeAll(async () => {
  directory = mkdtempSync(path.join(tmpdir(), "bundle-aliases-"));
  server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      response.setHeader("content-type", "application/x-amz-json-1.0");
      response.end(answer(request));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(directory, { recursive: true, force: true });
});

function run(
  file: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file], { env: { PATH: process.env.PATH ?? "", ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("Lambda bundles with the module replacements (infra/aws/bundling.ts)", () => {
  it("still make DynamoDB and SQS calls: credentials from the environment, no event-stream codec needed", async () => {
    const result = await build({
      entryPoints: [ENTRY],
      bundle: true,
      write: false,
      platform: "node",
      format: "esm",
      target: BUNDLE_TARGET,
      mainFields: BUNDLE_MAIN_FIELDS,
      alias: BUNDLE_ALIASES,
      banner: { js: ESM_REQUIRE_BANNER },
      metafile: true,
    });
    const bundled = Object.keys(result.metafile.inputs);
    expect(bundled.some((input) => input.endsWith("infra/aws/no-event-streams.ts"))).toBe(true);
    expect(bundled.some((input) => input.includes("@smithy/core/dist-es/submodules/event-streams"))).toBe(
      false,
    );
    expect(bundled.some((input) => input.includes("credential-provider-node"))).toBe(false);

    const [output] = result.outputFiles;
    if (output === undefined) throw new Error("esbuild wrote no bundle");
    const file = path.join(directory, "aws-calls.mjs");
    writeFileSync(file, output.text);
    const { code, stdout, stderr } = await run(file, {
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: "AKIDBUNDLETEST",
      AWS_SECRET_ACCESS_KEY: "bundle-test-secret",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    });

    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ tables: ["receipts"], queues: ["http://127.0.0.1/q"] });
    expect(seen.map((request) => request.target)).toEqual([
      "DynamoDB_20120810.ListTables",
      "AmazonSQS.ListQueues",
    ]);
    expect(seen.every((request) => request.authorization.includes("Credential=AKIDBUNDLETEST/"))).toBe(true);
  });

  it("the stand-in for the event-stream codec fails loudly, naming the alias, if an event-stream operation ever runs", async () => {
    const { EventStreamSerde, eventStreamSerdeProvider } = await import(
      "../../../infra/aws/no-event-streams"
    );
    expect(() => new EventStreamSerde()).toThrow(/infra\/aws\/bundling\.ts/);
    expect(() => eventStreamSerdeProvider()).toThrow(/not bundled/);
  });
});
