import { type ChildProcess, spawn } from "node:child_process";

/**
 * Makes sure `child` does not outlive this process:
 * - on a normal exit of this process (including process.exit), it is killed synchronously;
 * - if this process is killed outright (SIGKILL, OOM), a tiny `sh` guard notices that the pipe from us closed
 *   and kills the child by pid. The guard holds no reference to our event loop.
 * Returns a function that removes both once the child has been stopped normally.
 */
export function killChildrenOnExit(child: ChildProcess): () => void {
  const killOnExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };
  process.on("exit", killOnExit);
  const guard =
    child.pid === undefined
      ? undefined
      : spawn("sh", ["-c", 'read _unused; kill -9 "$0" 2>/dev/null', String(child.pid)], {
          stdio: ["pipe", "ignore", "ignore"],
        });
  guard?.on("error", () => undefined);
  guard?.unref();
  (guard?.stdin as unknown as { unref?: () => void } | undefined)?.unref?.();
  return () => {
    process.off("exit", killOnExit);
    // Kill the guard first, so it can never act on a pid the system has reused.
    if (guard && guard.exitCode === null && guard.signalCode === null) guard.kill("SIGKILL");
  };
}

/** Sends `signal`, escalates to SIGKILL after `forceAfterMs`, and resolves once the child has exited. */
export async function killAndWait(
  child: ChildProcess,
  options: { signal?: NodeJS.Signals; forceAfterMs?: number } = {},
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill(options.signal ?? "SIGKILL");
  const force = setTimeout(() => child.kill("SIGKILL"), options.forceAfterMs ?? 5_000);
  try {
    await exited;
  } finally {
    clearTimeout(force);
  }
}
