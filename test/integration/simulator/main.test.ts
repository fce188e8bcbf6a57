import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { afterAll, expect, it } from "vitest";

let child: ChildProcess | undefined;

afterAll(() => {
  if (child?.pid && child.exitCode === null) process.kill(child.pid, "SIGKILL");
});

it("runs as a process: prints the URL and ready, serves, and stops on SIGTERM", async () => {
  child = spawn(
    "node_modules/.bin/tsx",
    ["infra/simulator/main.ts", "--port", "0", "--sunat-delay-ms", "0"],
    {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, WEBHOOK_SECRETS: "" },
    },
  );
  let output = "";
  await new Promise<void>((resolve, reject) => {
    child?.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (/^ready$/m.test(output)) resolve();
    });
    child?.once("exit", (code) => reject(new Error(`exited early with ${code}: ${output}`)));
  });
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
  expect(url).toBeDefined();
  const health = await fetch(`${url}/_sim/health`);
  expect(await health.json()).toMatchObject({ ok: true, url });
  expect(output).not.toMatch(/whsec_/);

  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const [code] = await exited;
  expect(code).toBe(0);
  await expect(fetch(`${url}/_sim/health`)).rejects.toThrow();
}, 20_000);
