import { type ChildProcess, fork } from "node:child_process";
import { randomUUID } from "node:crypto";
import { isAbsolute, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { killAndWait } from "../process-lifecycle";
import type { HostMessage, InvokeMessage, SerializedError } from "./protocol";

const REPOSITORY_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const HOST_SCRIPT = fileURLToPath(new URL("./lambda-host.ts", import.meta.url));
/** Lambda's default function timeout. */
const DEFAULT_TIMEOUT_SECONDS = 3;
/** Longer than Lambda's 10 s init limit: loading TypeScript through tsx on a busy 2-core machine is slower. */
const DEFAULT_INIT_TIMEOUT_SECONDS = 30;

export interface LambdaFunctionOptions {
  /** Function name (AWS_LAMBDA_FUNCTION_NAME, context.functionName). */
  name: string;
  /** `<module>#<export>`, the module relative to the repository root or absolute, e.g. `functions/receipt-worker/index.ts#handler`. */
  handler: string;
  /** The function's environment variables. The parent's environment is NOT inherited, as on Lambda. */
  env?: Record<string, string>;
  /** Invocation time limit; on expiry the environment is killed and replaced, as Lambda does. Default 3 s. */
  timeoutSeconds?: number;
  /** Maximum number of environments (concurrent invocations); further invocations wait their turn. Default 1. */
  concurrency?: number;
  memorySizeMb?: number;
  /** Limit for loading the handler module in a new environment. Default 30 s. */
  initTimeoutSeconds?: number;
  /** Receives each line the handler writes to stdout/stderr; by default the lines go to this process's stdout/stderr. */
  output?: (line: string) => void;
}

/** Why an invocation failed, in Lambda's terms. */
export type InvocationFailure = "handler" | "timeout" | "crash" | "init" | "stopped";

export type InvocationOutcome =
  | { ok: true; result: unknown; awsRequestId: string; pid: number }
  | { ok: false; failure: InvocationFailure; error: SerializedError; awsRequestId: string; pid?: number };

export interface EnvironmentInfo {
  pid: number;
  /** `init`: loading the handler; `invoking`: running an invocation; `idle`: warm, waiting for work. */
  state: "init" | "invoking" | "idle";
}

interface PendingInvocation {
  id: string;
  settle(outcome: InvocationOutcome): void;
}

/** One child process, loading the handler once and running one invocation at a time. */
class ExecutionEnvironment {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves with undefined once the handler is loaded, or with the error that prevented it. */
  readonly ready: Promise<SerializedError | undefined>;
  /** Reserved by an invocation (possibly still waiting for init). */
  busy = false;
  initialized = false;
  private pending: PendingInvocation | undefined;
  private readonly removeExitHook: () => void;

  constructor(
    options: LambdaFunctionOptions,
    private readonly onExit: (environment: ExecutionEnvironment) => void,
  ) {
    const [modulePath, exportName] = parseHandler(options.handler);
    this.child = fork(HOST_SCRIPT, [modulePath, exportName], {
      cwd: REPOSITORY_ROOT,
      execPath: process.execPath,
      execArgv: ["--import", "tsx"],
      env: lambdaEnvironment(options),
      stdio: options.output ? ["ignore", "pipe", "pipe", "ipc"] : ["ignore", "inherit", "inherit", "ipc"],
      detached: false,
    });
    if (this.child.pid === undefined) throw new Error(`Could not start an environment for ${options.name}`);
    this.pid = this.child.pid;
    const output = options.output;
    if (output) {
      for (const stream of [this.child.stdout, this.child.stderr]) {
        if (stream) createInterface({ input: stream }).on("line", output);
      }
    }
    const killOnExit = () => this.child.kill("SIGKILL");
    process.on("exit", killOnExit);
    this.removeExitHook = () => process.off("exit", killOnExit);

    const initTimeoutMs = (options.initTimeoutSeconds ?? DEFAULT_INIT_TIMEOUT_SECONDS) * 1000;
    this.ready = new Promise((resolveReady) => {
      const timer = setTimeout(() => {
        resolveReady({
          name: "Runtime.InitTimeout",
          message: `Init did not finish within ${initTimeoutMs} ms`,
        });
        this.child.kill("SIGKILL");
      }, initTimeoutMs);
      const settleReady = (error: SerializedError | undefined) => {
        clearTimeout(timer);
        resolveReady(error);
      };
      this.child.on("message", (message: HostMessage) => {
        if ("ready" in message) {
          this.initialized = true;
          settleReady(undefined);
        } else if ("initError" in message)
          settleReady({ ...message.initError, name: "Runtime.ImportModuleError" });
        else if (this.pending?.id === message.id) {
          const pending = this.pending;
          this.pending = undefined;
          pending.settle(
            "error" in message
              ? {
                  ok: false,
                  failure: "handler",
                  error: message.error,
                  awsRequestId: message.id,
                  pid: this.pid,
                }
              : { ok: true, result: message.result, awsRequestId: message.id, pid: this.pid },
          );
        }
      });
      this.child.on("error", (error) => settleReady({ name: "Runtime.StartError", message: error.message }));
      this.child.once("exit", (code, signal) => {
        this.removeExitHook();
        const reason = signal ? `signal: ${signal}` : `exit status ${code}`;
        settleReady({ name: "Runtime.ExitError", message: `Runtime exited during init with ${reason}` });
        this.failPendingAsCrash(reason);
        this.onExit(this);
      });
    });
  }

  private failPendingAsCrash(reason: string): void {
    const pending = this.pending;
    this.pending = undefined;
    pending?.settle({
      ok: false,
      failure: "crash",
      error: {
        name: "Runtime.ExitError",
        message: `RequestId: ${pending.id} Error: Runtime exited with error: ${reason}`,
      },
      awsRequestId: pending.id,
      pid: this.pid,
    });
  }

  get state(): EnvironmentInfo["state"] {
    if (!this.initialized) return "init";
    return this.pending ? "invoking" : "idle";
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  invoke(event: unknown, timeoutSeconds: number): Promise<InvocationOutcome> {
    const awsRequestId = randomUUID();
    return new Promise((resolveOutcome) => {
      const timer = setTimeout(() => {
        if (this.pending?.id !== awsRequestId) return;
        this.pending = undefined;
        resolveOutcome({
          ok: false,
          failure: "timeout",
          error: {
            name: "Sandbox.Timedout",
            message: `RequestId: ${awsRequestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`,
          },
          awsRequestId,
          pid: this.pid,
        });
        // Lambda discards an environment whose invocation timed out; the next invocation gets a fresh one.
        this.child.kill("SIGKILL");
      }, timeoutSeconds * 1000);
      this.pending = {
        id: awsRequestId,
        settle: (outcome) => {
          clearTimeout(timer);
          resolveOutcome(outcome);
        },
      };
      const message: InvokeMessage = {
        id: awsRequestId,
        event,
        context: { awsRequestId, deadlineMs: Date.now() + timeoutSeconds * 1000 },
      };
      if (this.exited || !this.child.connected) {
        this.failPendingAsCrash("the environment had already exited");
        return;
      }
      this.child.send(message, (error) => {
        if (!error) return;
        this.failPendingAsCrash(`could not deliver the event: ${error.message}`);
        this.child.kill("SIGKILL");
      });
    });
  }

  stop(): Promise<void> {
    return killAndWait(this.child, { signal: "SIGTERM", forceAfterMs: 2_000 });
  }
}

/**
 * A Lambda function run locally: a pool of execution environments (child processes) up to `concurrency`,
 * started on demand and reused, replaced when one crashes, is killed or times out.
 */
export class LambdaFunction {
  readonly name: string;
  private readonly environments: ExecutionEnvironment[] = [];
  private readonly waiting: Array<() => void> = [];
  private readonly inFlight = new Set<Promise<InvocationOutcome>>();
  private stopping = false;

  constructor(private readonly options: LambdaFunctionOptions) {
    this.name = options.name;
    parseHandler(options.handler); // Fail now, not at the first invocation.
  }

  get concurrency(): number {
    return this.options.concurrency ?? 1;
  }

  /** Invokes the handler with `event`; never throws: failures are outcomes, as in Lambda's Invoke API. */
  invoke(event: unknown): Promise<InvocationOutcome> {
    const invocation = this.run(event);
    this.inFlight.add(invocation);
    void invocation.finally(() => this.inFlight.delete(invocation));
    return invocation;
  }

  /** Starts environments up to `concurrency` and waits until their handlers are loaded. */
  /** Starts environments up to `count` (default: the concurrency) and waits until their handlers are loaded. */
  async warm(count: number = this.concurrency): Promise<void> {
    while (!this.stopping && this.environments.length < Math.min(count, this.concurrency))
      this.environments.push(this.spawn());
    await Promise.all(this.environments.map((environment) => environment.ready));
  }

  /** The live environments, for tests that want to kill one. */
  listEnvironments(): EnvironmentInfo[] {
    return this.environments
      .filter((environment) => !environment.exited)
      .map(({ pid, state }) => ({ pid, state }));
  }

  /**
   * Kills an environment with SIGKILL (chaos testing): the one with `pid`, or else one running an invocation,
   * or else any.
   * Returns the pid killed, or undefined if there was none. An invocation running in it fails as a crash.
   */
  kill(pid?: number): number | undefined {
    const live = this.environments.filter((environment) => !environment.exited);
    const target =
      pid === undefined
        ? (live.find((environment) => environment.state === "invoking") ?? live[0])
        : live.find((environment) => environment.pid === pid);
    if (pid !== undefined && !target) throw new Error(`No live environment of ${this.name} has pid ${pid}`);
    target?.child.kill("SIGKILL");
    return target?.pid;
  }

  /** Lets running invocations finish (each is bounded by the timeout), fails queued ones, then ends every environment. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const wake of this.waiting.splice(0)) wake();
    await Promise.allSettled([...this.inFlight]);
    await Promise.all(this.environments.map((environment) => environment.stop()));
  }

  private async run(event: unknown): Promise<InvocationOutcome> {
    const environment = await this.acquire();
    if (!environment) {
      return {
        ok: false,
        failure: "stopped",
        error: { name: "Runtime.Stopped", message: `${this.name} is stopping` },
        awsRequestId: randomUUID(),
      };
    }
    try {
      const initError = await environment.ready;
      if (initError) {
        environment.child.kill("SIGKILL");
        return {
          ok: false,
          failure: "init",
          error: initError,
          awsRequestId: randomUUID(),
          pid: environment.pid,
        };
      }
      return await environment.invoke(event, this.options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS);
    } finally {
      environment.busy = false;
      this.waiting.shift()?.();
    }
  }

  private async acquire(): Promise<ExecutionEnvironment | undefined> {
    for (;;) {
      if (this.stopping) return undefined;
      const idle = this.environments.find((environment) => !environment.busy && !environment.exited);
      if (idle) {
        idle.busy = true;
        return idle;
      }
      if (this.environments.length < this.concurrency) {
        const fresh = this.spawn();
        this.environments.push(fresh);
        fresh.busy = true;
        return fresh;
      }
      await new Promise<void>((wake) => this.waiting.push(wake));
    }
  }

  private spawn(): ExecutionEnvironment {
    return new ExecutionEnvironment(this.options, (exited) => {
      const index = this.environments.indexOf(exited);
      if (index >= 0) this.environments.splice(index, 1);
      // A slot is free: whoever waits for an environment may start a new one.
      this.waiting.shift()?.();
    });
  }
}

export function startLambdaFunction(options: LambdaFunctionOptions): LambdaFunction {
  return new LambdaFunction(options);
}

function parseHandler(handler: string): [modulePath: string, exportName: string] {
  const separator = handler.lastIndexOf("#");
  const modulePart = separator >= 0 ? handler.slice(0, separator) : handler;
  const exportName = separator >= 0 ? handler.slice(separator + 1) : "handler";
  if (!modulePart || !exportName)
    throw new Error(`Handler "${handler}" is not of the form <module>#<export>`);
  return [isAbsolute(modulePart) ? modulePart : resolve(REPOSITORY_ROOT, modulePart), exportName];
}

/** Lambda's own variables, a few the process needs to run, then the function's configuration. */
function lambdaEnvironment(options: LambdaFunctionOptions): NodeJS.ProcessEnv {
  const passThrough = ["PATH", "HOME", "TMPDIR", "LANG", "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"];
  const inherited = Object.fromEntries(
    passThrough.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]]])),
  );
  return {
    ...inherited,
    TZ: ":UTC",
    AWS_LAMBDA_FUNCTION_NAME: options.name,
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(options.memorySizeMb ?? 128),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${options.name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: "local",
    LAMBDA_TASK_ROOT: REPOSITORY_ROOT,
    ...options.env,
  };
}
