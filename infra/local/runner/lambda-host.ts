/**
 * One Lambda execution environment: a child process that loads one handler and answers invocations sent
 * over IPC, one at a time. Started by lambda-function.ts with `node --import tsx lambda-host.ts <module> <export>`.
 * Like Lambda, module-level code runs once (the init phase) and later invocations reuse the process.
 */

import { pathToFileURL } from "node:url";
import type { Context } from "aws-lambda";
import { type HostMessage, type InvokeMessage, serializeError } from "./protocol";

type Handler = (
  event: unknown,
  context: Context,
  callback: (error?: unknown, result?: unknown) => void,
) => unknown;

const [modulePath, exportName] = process.argv.slice(2);

function send(message: HostMessage): void {
  try {
    process.send?.(message);
  } catch (error) {
    // A result IPC cannot carry (a BigInt, a cycle) fails the invocation, as Lambda fails on unserialisable output.
    if ("id" in message) process.send?.({ id: message.id, error: serializeError(error) });
    else throw error;
  }
}

// The runner is our only reason to exist: without it nobody can read our answers.
process.on("disconnect", () => process.exit());
// A terminal's Ctrl-C reaches the whole process group; the runner that owns this environment decides when it
// ends (it stops its environments on shutdown), so an interrupt must not kill an invocation half-way.
process.on("SIGINT", () => {});

async function loadHandler(): Promise<Handler> {
  if (!modulePath || !exportName) throw new Error("usage: lambda-host.ts <module path> <export name>");
  const loaded: Record<string, unknown> = await import(pathToFileURL(modulePath).href);
  const handler = loaded[exportName];
  if (typeof handler !== "function") {
    throw new Error(`${modulePath} does not export a function named "${exportName}"`);
  }
  return handler as Handler;
}

function lambdaContext(message: InvokeMessage): Context {
  const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME ?? "local";
  const region = process.env.AWS_REGION ?? "us-east-1";
  const unsupported = () => {
    throw new Error("context.done/succeed/fail are not supported; return a value or a promise");
  };
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION ?? "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${functionName}`,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? "128",
    awsRequestId: message.context.awsRequestId,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME ?? `/aws/lambda/${functionName}`,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME ?? "local",
    getRemainingTimeInMillis: () => Math.max(0, message.context.deadlineMs - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

/** Supports async handlers and, for older code, the (event, context, callback) style. */
function callHandler(handler: Handler, event: unknown, context: Context): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const callback = (error?: unknown, result?: unknown) => (error ? reject(error) : resolve(result));
    try {
      const returned = handler(event, context, callback);
      if (returned && typeof (returned as PromiseLike<unknown>).then === "function") {
        (returned as PromiseLike<unknown>).then(resolve, reject);
      } else if (handler.length < 3) {
        resolve(returned);
      }
    } catch (error) {
      reject(error);
    }
  });
}

try {
  const handler = await loadHandler();
  process.on("message", (message: InvokeMessage) => {
    callHandler(handler, message.event, lambdaContext(message)).then(
      (result) => send({ id: message.id, result }),
      (error: unknown) => send({ id: message.id, error: serializeError(error) }),
    );
  });
  send({ ready: true });
} catch (error) {
  send({ initError: serializeError(error) });
  process.exitCode = 1;
  process.disconnect?.();
}
