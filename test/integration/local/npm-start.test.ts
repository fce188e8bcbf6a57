import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

// `npm start` as a developer runs it, through npm: everything it starts (DynamoDB Local's JVM, the function
// environments, the simulator and fauxqs in its own process) must be gone after SIGTERM to the npm process
// (what a process manager or `kill <pid>` sends) and after Ctrl-C (SIGINT to the whole process group). Each run
// writes its environment file in a scratch folder, so a developer's running stack is left alone.

const REPOSITORY_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "npm-start-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface ProcessRow {
  pid: number;
  ppid: number;
  args: string;
}

function processTable(): ProcessRow[] {
  return execFileSync("ps", ["-e", "-o", "pid=,ppid=,args="], { encoding: "utf8" })
    .split("\n")
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ pid: Number(match[1]), ppid: Number(match[2]), args: match[3] ?? "" }));
}

/** Every process below `root` (children, grandchildren, …). */
function descendantsOf(root: number): ProcessRow[] {
  const table = processTable();
  const found: ProcessRow[] = [];
  const parents = [root];
  while (parents.length > 0) {
    const parent = parents.pop();
    for (const row of table.filter((candidate) => candidate.ppid === parent)) {
      found.push(row);
      parents.push(row.pid);
    }
  }
  return found;
}

/** Running, as opposed to gone or a zombie nobody has reaped yet (which holds no resources). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

interface NpmStart {
  npm: ChildProcess & { pid: number };
  output(): string;
  healthUrl: string;
  consoleUrl: string;
  envFile: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function startNpmStart(name: string): Promise<NpmStart> {
  const envFile = join(scratch, `${name}-env.json`);
  // A clean environment: nothing of the test's emulators leaks into the stack under test.
  const env: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" };
  if (process.env.JAVA_HOME) env.JAVA_HOME = process.env.JAVA_HOME;
  env.RECEIVER_PORT = "0";
  // Free ports, never 3000/3001: a developer's own stack may be running.
  env.CONSOLE_PORT = "0";
  // Its own process group (detached), as a terminal gives a foreground job, so Ctrl-C can be sent to it.
  const npm = spawn("npm", ["start", "--", "--quiet", "--local-env", envFile], {
    cwd: REPOSITORY_ROOT,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (npm.pid === undefined) throw new Error("npm did not start");
  let text = "";
  npm.stdout?.on("data", (chunk: Buffer) => {
    text += chunk.toString("utf8");
  });
  npm.stderr?.on("data", (chunk: Buffer) => {
    text += chunk.toString("utf8");
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    npm.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const deadline = Date.now() + 90_000;
  while (!/^ready in /m.test(text)) {
    if (npm.exitCode !== null || npm.signalCode !== null)
      throw new Error(`npm start exited before it was ready:\n${text}`);
    if (Date.now() > deadline) throw new Error(`npm start was not ready within 90 s:\n${text}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const healthUrl = /health: (http:\/\/\S+)/.exec(text)?.[1];
  if (!healthUrl) throw new Error(`npm start printed no health URL:\n${text}`);
  const consoleUrl = /^web console +(http:\/\/127\.0\.0\.1:\d+\/)/m.exec(text)?.[1];
  if (!consoleUrl) throw new Error(`npm start printed no console URL:\n${text}`);
  return {
    npm: npm as ChildProcess & { pid: number },
    output: () => text,
    healthUrl,
    consoleUrl,
    envFile,
    exited,
  };
}

/** What the test itself must stop if the code under test did not (by pid, never by name). */
function killLeftovers(pids: readonly number[]): void {
  for (const pid of pids) {
    if (!isRunning(pid)) continue;
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Gone in the meantime.
    }
  }
}

async function expectEverythingStopped(run: NpmStart, tree: readonly ProcessRow[], signal: string) {
  expect(await run.exited).toEqual({ code: 0, signal: null });
  await expect
    .poll(() => tree.filter((row) => isRunning(row.pid)).map((row) => `${row.pid} ${row.args}`), {
      timeout: 10_000,
      interval: 200,
    })
    .toEqual([]);
  await expect(fetch(run.healthUrl, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
  await expect(fetch(run.consoleUrl, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
  expect(existsSync(run.envFile)).toBe(false);
  expect(run.output()).toMatch(new RegExp(`\\[local\\] ${signal}: stopping\\n[\\s\\S]*\\[local\\] stopped`));
}

describe("npm start stops everything it started", () => {
  it("on SIGTERM to the npm process", async () => {
    const run = await startNpmStart("sigterm");
    const tree = descendantsOf(run.npm.pid);
    try {
      // What is running: the JVM, one warm environment per function, and the stack itself.
      expect(tree.some((row) => row.args.includes("DynamoDBLocal.jar"))).toBe(true);
      expect(tree.filter((row) => row.args.includes("lambda-host.ts")).length).toBeGreaterThanOrEqual(4);
      expect(tree.some((row) => row.args.includes("infra/local/start.ts"))).toBe(true);
      expect((await fetch(run.healthUrl)).status).toBe(200);
      // The console answers as soon as "ready" is printed: its page, in Spanish.
      const page = await fetch(run.consoleUrl);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<h1>Pedidos<\/h1>/);
      expect(JSON.parse(readFileSync(run.envFile, "utf8")).CONSOLE_URL).toBe(run.consoleUrl);
      expect(existsSync(run.envFile)).toBe(true);

      process.kill(run.npm.pid, "SIGTERM");
      await expectEverythingStopped(run, tree, "SIGTERM");
    } finally {
      killLeftovers([...tree.map((row) => row.pid), run.npm.pid]);
    }
  }, 150_000);

  it("on Ctrl-C (SIGINT to the process group)", async () => {
    const run = await startNpmStart("sigint");
    const tree = descendantsOf(run.npm.pid);
    try {
      expect(tree.some((row) => row.args.includes("DynamoDBLocal.jar"))).toBe(true);
      process.kill(-run.npm.pid, "SIGINT");
      await expectEverythingStopped(run, tree, "SIGINT");
    } finally {
      killLeftovers([...tree.map((row) => row.pid), run.npm.pid]);
    }
  }, 150_000);
});
