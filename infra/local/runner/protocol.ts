/**
 * Messages between the runner and a Lambda execution environment (infra/local/runner/lambda-host.ts),
 * sent over the Node IPC channel as JSON.
 */

/** An error as Lambda reports it: the thrown value's name, message and stack. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
}

/** Runner → environment: one invocation. The environment handles one at a time, like Lambda. */
export interface InvokeMessage {
  id: string;
  event: unknown;
  context: {
    awsRequestId: string;
    /** Epoch milliseconds after which the runner kills the environment. */
    deadlineMs: number;
  };
}

/** Environment → runner. `ready`/`initError` once after loading the handler, then one answer per invocation. */
export type HostMessage =
  | { ready: true }
  | { initError: SerializedError }
  | { id: string; result: unknown }
  | { id: string; error: SerializedError };

export function serializeError(thrown: unknown): SerializedError {
  if (thrown instanceof Error) return { name: thrown.name, message: thrown.message, stack: thrown.stack };
  return {
    name: "Error",
    message: typeof thrown === "string" ? thrown : (JSON.stringify(thrown) ?? String(thrown)),
  };
}
