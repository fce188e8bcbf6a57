import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { createRandom, type Random } from "../infra/simulator/random";

/**
 * A counting (and, for the chaos run, failing) HTTP proxy in front of one local AWS emulator (DynamoDB Local or
 * fauxqs). Why a proxy rather than an SDK middleware: the handlers run in child processes from unchanged product
 * code, and the proxy sees every request they make without touching lib/. It tells the handlers' requests from
 * the harness's own (the runner's event-source polling, the bench's checks) by the SDK user agent: the handlers'
 * environment carries AWS_SDK_UA_APP_ID=HANDLER_APP_ID, which the AWS SDK v3 writes into the user agent as
 * `app/<id>`.
 *
 * What it counts per API (X-Amz-Target for JSON protocols, Action= for the query protocol): requests, request and
 * response bytes (SQS bills each 64 KB chunk of payload as one request), and for DynamoDB the capacity units:
 * it adds `"ReturnConsumedCapacity": "TOTAL"` to each DynamoDB request so DynamoDB Local reports what the call
 * consumed (the emulator ignores signatures; the product code ignores the extra field in the answer).
 */

/** Written by the AWS SDK into the user agent as `app/<id>` when AWS_SDK_UA_APP_ID is set. */
export const HANDLER_APP_ID = "acelerala-handler";

export type Caller = "handler" | "harness";

export interface ApiCount {
  requests: number;
  /** Answered with a status ≥ 400 by the emulator (e.g. a conditional check that failed). */
  errors: number;
  requestBytes: number;
  responseBytes: number;
  /** SQS: Σ ceil(payload / 64 KB) with a minimum of 1 per request. */
  billedChunks: number;
  /** DynamoDB: consumed units reported by DynamoDB Local (reads and writes, base table and indexes). */
  readUnits: number;
  writeUnits: number;
  /** Faults this proxy injected into these requests. */
  injectedFaults: number;
}

export type ProxyCounts = Record<Caller, Record<string, ApiCount>>;

export type ProxyFaultMode =
  /** Answer 500 InternalServerError without forwarding: nothing happened. */
  | "error_before"
  /** Forward (the write is committed), then answer 500 instead: the caller does not know it happened. */
  | "error_after"
  /** Destroy the connection without forwarding. */
  | "drop_connection";

export interface ProxyFaults {
  /** Probability that a handler request gets a fault. */
  rate: number;
  /** Which mode each fault takes (drawn uniformly). */
  modes: readonly ProxyFaultMode[];
  /** Only these APIs (e.g. "UpdateItem"); every API when absent. */
  apis?: readonly string[];
}

export interface AwsProxy {
  readonly url: string;
  counts(): ProxyCounts;
  reset(): void;
  setFaults(faults: ProxyFaults | null): void;
  stop(): Promise<void>;
}

const SQS_CHUNK_BYTES = 64 * 1024;

function emptyCount(): ApiCount {
  return {
    requests: 0,
    errors: 0,
    requestBytes: 0,
    responseBytes: 0,
    billedChunks: 0,
    readUnits: 0,
    writeUnits: 0,
    injectedFaults: 0,
  };
}

function apiName(request: IncomingMessage, body: Buffer): string {
  const target = request.headers["x-amz-target"];
  if (typeof target === "string") return target.slice(target.lastIndexOf(".") + 1);
  const action = new URLSearchParams(body.toString("utf8")).get("Action");
  return action ?? `${request.method} ${request.url}`;
}

function callerOf(request: IncomingMessage): Caller {
  const agents = `${request.headers["user-agent"] ?? ""} ${request.headers["x-amz-user-agent"] ?? ""}`;
  return agents.includes(`app/${HANDLER_APP_ID}`) ? "handler" : "harness";
}

type ConsumedCapacity = { ReadCapacityUnits?: number; WriteCapacityUnits?: number; CapacityUnits?: number };

const READ_APIS = new Set(["GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"]);

/**
 * Sums DynamoDB's ConsumedCapacity (an object, or a list for transactions and batches). With "TOTAL" DynamoDB
 * may give only CapacityUnits: the API says whether those are reads or writes.
 */
function capacityOf(api: string, responseBody: Buffer): { read: number; write: number } {
  try {
    const parsed = JSON.parse(responseBody.toString("utf8")) as { ConsumedCapacity?: unknown };
    const list = Array.isArray(parsed.ConsumedCapacity)
      ? (parsed.ConsumedCapacity as ConsumedCapacity[])
      : parsed.ConsumedCapacity
        ? [parsed.ConsumedCapacity as ConsumedCapacity]
        : [];
    let read = 0;
    let write = 0;
    for (const entry of list) {
      if (entry.ReadCapacityUnits === undefined && entry.WriteCapacityUnits === undefined) {
        if (READ_APIS.has(api)) read += entry.CapacityUnits ?? 0;
        else write += entry.CapacityUnits ?? 0;
      } else {
        read += entry.ReadCapacityUnits ?? 0;
        write += entry.WriteCapacityUnits ?? 0;
      }
    }
    return { read, write };
  } catch {
    return { read: 0, write: 0 };
  }
}

function withConsumedCapacity(body: Buffer): Buffer {
  try {
    const parsed = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
    if (parsed.ReturnConsumedCapacity !== undefined) return body;
    return Buffer.from(JSON.stringify({ ...parsed, ReturnConsumedCapacity: "TOTAL" }), "utf8");
  } catch {
    return body;
  }
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => resolve(Buffer.concat(chunks)));
    stream.on("error", reject);
  });
}

export async function startAwsProxy(options: {
  service: "dynamodb" | "sqs";
  /** The emulator's endpoint, e.g. http://127.0.0.1:8000 */
  upstream: string;
  seed?: number;
}): Promise<AwsProxy> {
  const upstream = new URL(options.upstream);
  let counts: ProxyCounts = { handler: {}, harness: {} };
  let faults: ProxyFaults | null = null;
  let random: Random = createRandom(options.seed ?? 1);
  const sockets = new Set<Socket>();

  const countFor = (caller: Caller, api: string): ApiCount => {
    const bucket = counts[caller];
    bucket[api] ??= emptyCount();
    return bucket[api];
  };

  const drawFault = (caller: Caller, api: string): ProxyFaultMode | null => {
    if (!faults || caller !== "handler") return null;
    if (faults.apis && !faults.apis.includes(api)) return null;
    if (!(random() < faults.rate)) return null;
    return faults.modes[Math.floor(random() * faults.modes.length)] ?? null;
  };

  const internalError = (response: ServerResponse) => {
    const body = JSON.stringify({
      __type: "com.amazonaws.dynamodb.v20120810#InternalServerError",
      message: "Injected by the chaos proxy",
    });
    response.writeHead(500, {
      "content-type": "application/x-amz-json-1.0",
      "content-length": Buffer.byteLength(body),
    });
    response.end(body);
  };

  const forward = (request: IncomingMessage, body: Buffer) =>
    new Promise<{ status: number; headers: IncomingMessage["headers"]; body: Buffer }>((resolve, reject) => {
      const headers = { ...request.headers, host: upstream.host, "content-length": String(body.length) };
      const outgoing = httpRequest(
        {
          hostname: upstream.hostname,
          port: upstream.port,
          method: request.method,
          path: request.url,
          headers,
        },
        (answer) => {
          readAll(answer).then(
            (answerBody) =>
              resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: answerBody }),
            reject,
          );
        },
      );
      outgoing.on("error", reject);
      outgoing.end(body);
    });

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const original = await readAll(request);
    const api = apiName(request, original);
    const caller = callerOf(request);
    const count = countFor(caller, api);
    count.requests += 1;
    count.requestBytes += original.length;
    const fault = drawFault(caller, api);
    if (fault) count.injectedFaults += 1;
    if (fault === "drop_connection") {
      request.socket.destroy();
      return;
    }
    if (fault === "error_before") {
      internalError(response);
      return;
    }
    const body = options.service === "dynamodb" ? withConsumedCapacity(original) : original;
    // Long polls (ReceiveMessage with WaitTimeSeconds) are aborted by their client on stop: stop forwarding too.
    const answer = await forward(request, body);
    count.responseBytes += answer.body.length;
    if (answer.status >= 400) count.errors += 1;
    if (options.service === "dynamodb") {
      const units = capacityOf(api, answer.body);
      count.readUnits += units.read;
      count.writeUnits += units.write;
    } else {
      const payload = Math.max(original.length, answer.body.length);
      count.billedChunks += Math.max(1, Math.ceil(payload / SQS_CHUNK_BYTES));
    }
    if (fault === "error_after") {
      internalError(response);
      return;
    }
    if (response.destroyed) return;
    const headers = { ...answer.headers };
    delete headers["transfer-encoding"];
    headers["content-length"] = String(answer.body.length);
    response.writeHead(answer.status, headers);
    response.end(answer.body);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent && !response.destroyed) internalError(response);
      else response.destroy();
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts: () => structuredClone(counts),
    reset: () => {
      counts = { handler: {}, harness: {} };
    },
    setFaults: (next) => {
      faults = next;
      random = createRandom(options.seed ?? 1);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
