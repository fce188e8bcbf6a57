/**
 * Loaded into the receipt worker's execution environments by the benchmark (NODE_OPTIONS=--import, set only by
 * bench/harness.ts): it subscribes to the worker's phase channel (lib/observability/phases.ts) and to Node's HTTP
 * client channels, and appends what it saw to BENCH_PROBE_DIR/<pid>.jsonl. Product code is unchanged by it: with no
 * subscriber the phase channel calls each step directly. Plain JavaScript, because it loads before tsx.
 *
 * Lines (times are epoch milliseconds with fractions, comparable across processes):
 * - {"k":"phase","phase","orderId","document","start","end"}
 * - {"k":"http","phase","orderId","target","id","start","end"}: one HTTP exchange made inside a phase (innermost);
 *   `target` is the DynamoDB API (X-Amz-Target) or the Acelérala route; `id` joins it with the proxy's record
 *   (the SDK's amz-sdk-invocation-id) or the simulator's (the x-bench-span header added here).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import diagnostics from "node:diagnostics_channel";
import { appendFileSync } from "node:fs";
import { join } from "node:path";

const directory = process.env.BENCH_PROBE_DIR;
const PHASE_CHANNEL = "acelerala-sunat:worker-phase";

if (directory && process.env.AWS_LAMBDA_FUNCTION_NAME === "receipt-worker") {
  const file = join(directory, `${process.pid}.jsonl`);
  const now = () => performance.timeOrigin + performance.now();
  let buffer = [];
  const flush = () => {
    if (buffer.length === 0) return;
    const lines = buffer;
    buffer = [];
    appendFileSync(file, `${lines.map((line) => JSON.stringify(line)).join("\n")}\n`);
  };
  setInterval(flush, 200).unref();
  process.on("exit", flush);

  // `BENCH_CPU_PROFILE_SECONDS=N npm run bench`: a V8 CPU profile of the worker's first N seconds, in the same folder.
  const profileSeconds = Number(process.env.BENCH_CPU_PROFILE_SECONDS ?? 0);
  if (profileSeconds > 0) {
    const { Session } = await import("node:inspector");
    const session = new Session();
    session.connect();
    session.post("Profiler.enable", () =>
      session.post("Profiler.start", () => {
        setTimeout(() => {
          session.post("Profiler.stop", (error, result) => {
            if (!error)
              appendFileSync(join(directory, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
          });
        }, profileSeconds * 1000).unref();
      }),
    );
  }

  const phases = new AsyncLocalStorage();
  const channel = diagnostics.tracingChannel(PHASE_CHANNEL);
  channel.start.bindStore(phases, (context) => context);
  const finish = (context) => {
    buffer.push({
      k: "phase",
      phase: context.phase,
      orderId: context.orderId,
      document: context.document,
      start: context.startedAt,
      end: now(),
      failed: context.error !== undefined || undefined,
    });
  };
  channel.subscribe({
    start(context) {
      context.startedAt = now();
    },
    end(context) {
      // traceSync ends here (with a result or an error); tracePromise at asyncEnd, unless it threw synchronously.
      if ("result" in context || "error" in context) finish(context);
    },
    asyncStart() {},
    asyncEnd(context) {
      finish(context);
    },
    error() {},
  });

  const httpEntry = (target, id) => {
    const context = phases.getStore();
    return { k: "http", phase: context?.phase, orderId: context?.orderId, target, id, start: now() };
  };

  // The AWS SDK's requests (node:http).
  diagnostics.subscribe("http.client.request.start", ({ request }) => {
    const amzTarget = String(request.getHeader("x-amz-target") ?? "");
    const target = amzTarget
      ? amzTarget.slice(amzTarget.lastIndexOf(".") + 1)
      : `${request.method} ${request.path}`;
    const entry = httpEntry(target, String(request.getHeader("amz-sdk-invocation-id") ?? ""));
    request.once("response", (response) => {
      response.once("end", () => {
        entry.end = now();
        buffer.push(entry);
      });
    });
  });

  // fetch (the Acelérala client): undici's channels.
  const pending = new WeakMap();
  diagnostics.subscribe("undici:request:create", ({ request }) => {
    const id = randomUUID();
    request.addHeader("x-bench-span", id);
    const path = String(request.path ?? "").split("?")[0];
    const route = `${request.method} ${path.replace(/\/\d+(?=\/|$)/g, "/{id}")}`;
    pending.set(request, httpEntry(route, id));
  });
  diagnostics.subscribe("undici:request:trailers", ({ request }) => {
    const entry = pending.get(request);
    if (!entry) return;
    entry.end = now();
    buffer.push(entry);
  });
}
