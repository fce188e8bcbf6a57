import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { type AttributeValue, BatchGetItemCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION } from "../infra/local/aws-local-constants";
import { createRandom, type Random } from "../infra/simulator/random";
import { RECEIPTS_TABLE } from "../lib/store/table-definition";
import { itemSize, writeUnits } from "./item-size";

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
 *
 * Billed write units: DynamoDB Local 3.3.1 reports standard writes right (the larger of the item's sizes before
 * and after, 1 KB units, plus each index write) but not transactions (2 units for two or three small items,
 * where AWS bills 2 per item), nor the unit a failed conditional write costs. So for writes the proxy also
 * counts what AWS's published rules bill: a committed transaction's items are billed 2 × their 1 KB units each,
 * at their size when `flush` reads them (BatchGetItem straight to the emulator, after the run so it adds no load
 * to it, not counted), plus 2 units for each index entry the write put (read from the request: see
 * `indexEntriesWritten`): an upper bound, exact while the items stay under 1 KB, since a receipt record only grows
 * after its reservation on the happy path. A write refused by its condition is billed 1 unit; a cancelled transaction is counted apart (AWS
 * does not say whether it bills one).
 *
 * Timings: for each handler request, when it arrived, when the emulator was asked and answered, and when the
 * answer left, keyed by the SDK's amz-sdk-invocation-id (the benchmark's probe in the worker sees the same id).
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
  /** DynamoDB: write units as AWS bills them (see the top of this file). */
  billedWriteUnits: number;
  /** DynamoDB: transactions cancelled (a condition failed, or a conflict). */
  cancelledTransactions: number;
}

/** One handler request through the proxy (epoch ms). */
export interface RequestTiming {
  /** The SDK's amz-sdk-invocation-id header. */
  id: string;
  api: string;
  arrivedAt: number;
  upstreamStart: number;
  upstreamEnd: number;
  doneAt: number;
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
  /** Handler requests' timings since the last reset. */
  timings(): RequestTiming[];
  /** Bills the transactions committed since the last flush (reads their items: call it after a run). */
  flush(): Promise<void>;
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
    billedWriteUnits: 0,
    cancelledTransactions: 0,
  };
}

const epochNow = () => performance.timeOrigin + performance.now();

const WRITE_APIS = new Set(["PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"]);
/** The key attribute of each of the table's indexes: a write that sets it writes an entry in that index. */
const INDEX_PARTITION_KEYS = [RECEIPTS_TABLE.pendingCdrIndex, RECEIPTS_TABLE.stateIndex].map(
  (index) => index.partitionKey.name,
);

export type TransactOperation = {
  TableName?: string;
  Key?: Record<string, AttributeValue>;
  Item?: Record<string, AttributeValue>;
  UpdateExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
};

/** One item a committed transaction wrote, and how many index entries that write put (each under 1 KB). */
interface TransactionWrite {
  table: string;
  key: Record<string, AttributeValue>;
  indexEntries: number;
}

/**
 * The index entries one transactional write puts: a Put whose item carries an index's key, or an Update whose SET
 * clause names it (the entries are a few hundred bytes, one unit each). Read from the request, because the item
 * read after the run has usually left the sparse indexes again (a receipt enters `pending-cdr` when submitted and
 * leaves it when answered). Not counted: `= if_not_exists(…)` (the entry is usually there already) and a REMOVE of an index
 * key (in a transaction it may remove an absent attribute).
 */
export function indexEntriesWritten(operation: TransactOperation): number {
  if (operation.Item)
    return INDEX_PARTITION_KEYS.filter((name) => operation.Item?.[name] !== undefined).length;
  const set =
    /\bSET\b(.*?)(?:\bREMOVE\b|\bADD\b|\bDELETE\b|$)/s.exec(operation.UpdateExpression ?? "")?.[1] ?? "";
  const assigned = new Set(
    [...set.matchAll(/([#\w]+)\s*=(?!\s*if_not_exists\()/g)].map(
      ([, name = ""]) => operation.ExpressionAttributeNames?.[name] ?? name,
    ),
  );
  return INDEX_PARTITION_KEYS.filter((name) => assigned.has(name)).length;
}

/** The items a TransactWriteItems request writes (Put items carry their key in Item). */
function transactionWrites(body: Buffer): TransactionWrite[] {
  const writes: TransactionWrite[] = [];
  try {
    const parsed = JSON.parse(body.toString("utf8")) as {
      TransactItems?: Record<string, TransactOperation | undefined>[];
    };
    for (const entry of parsed.TransactItems ?? []) {
      for (const [kind, operation] of Object.entries(entry)) {
        if (kind === "ConditionCheck" || !operation?.TableName) continue;
        const { Item: item } = operation;
        const key =
          operation.Key ??
          (item
            ? {
                [RECEIPTS_TABLE.partitionKey.name]: item[RECEIPTS_TABLE.partitionKey.name] as AttributeValue,
                [RECEIPTS_TABLE.sortKey.name]: item[RECEIPTS_TABLE.sortKey.name] as AttributeValue,
              }
            : undefined);
        if (!key) continue;
        writes.push({ table: operation.TableName, key, indexEntries: indexEntriesWritten(operation) });
      }
    }
  } catch {
    // Not JSON: nothing to bill.
  }
  return writes;
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

/** The error's type name in a DynamoDB error answer (`__type`: "com.amazonaws…#ConditionalCheckFailedException"). */
function errorType(body: Buffer): string {
  try {
    const type = (JSON.parse(body.toString("utf8")) as { __type?: unknown }).__type;
    return typeof type === "string" ? type.slice(type.lastIndexOf("#") + 1) : "";
  } catch {
    return "";
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
  const upstreamAgent = new Agent({ keepAlive: true });
  let counts: ProxyCounts = { handler: {}, harness: {} };
  let timings: RequestTiming[] = [];
  /** Committed handler transactions not billed yet: the count to bill, and the request. */
  let unbilled: { count: ApiCount; body: Buffer }[] = [];
  const reader =
    options.service === "dynamodb"
      ? new DynamoDBClient({
          region: LOCAL_AWS_REGION,
          credentials: LOCAL_AWS_CREDENTIALS,
          endpoint: options.upstream,
        })
      : undefined;

  /** Bills committed transactions' items by their size now (read straight from the emulator, 100 keys a time). */
  const billTransactions = async (): Promise<void> => {
    const batch = unbilled;
    unbilled = [];
    if (!reader) return;
    const wanted = batch.flatMap(({ count, body }) =>
      transactionWrites(body).map((write) => ({ count, ...write })),
    );
    const sizes = new Map<string, Record<string, AttributeValue>>();
    const id = (table: string, key: Record<string, AttributeValue>) => `${table} ${JSON.stringify(key)}`;
    const distinct = [...new Map(wanted.map((entry) => [id(entry.table, entry.key), entry])).values()];
    for (let start = 0; start < distinct.length; start += 100) {
      const byTable: Record<string, { Keys: Record<string, AttributeValue>[]; ConsistentRead: true }> = {};
      for (const { table, key } of distinct.slice(start, start + 100)) {
        byTable[table] ??= { Keys: [], ConsistentRead: true };
        byTable[table].Keys.push(key);
      }
      let request: typeof byTable | undefined = byTable;
      while (request && Object.keys(request).length > 0) {
        const result = await reader.send(new BatchGetItemCommand({ RequestItems: request }));
        for (const [table, items] of Object.entries(result.Responses ?? {})) {
          for (const item of items) {
            const key = {
              [RECEIPTS_TABLE.partitionKey.name]: item[RECEIPTS_TABLE.partitionKey.name] as AttributeValue,
              [RECEIPTS_TABLE.sortKey.name]: item[RECEIPTS_TABLE.sortKey.name] as AttributeValue,
            };
            sizes.set(id(table, key), item);
          }
        }
        request = result.UnprocessedKeys as typeof byTable | undefined;
      }
    }
    for (const { count, table, key, indexEntries } of wanted) {
      const item = sizes.get(id(table, key));
      // An item deleted since is billed at the minimum.
      count.billedWriteUnits += 2 * (item ? writeUnits(itemSize(item)) : 1) + 2 * indexEntries;
    }
  };
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
          agent: upstreamAgent,
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
    const arrivedAt = epochNow();
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
    const upstreamStart = epochNow();
    const answer = await forward(request, body);
    const upstreamEnd = epochNow();
    count.responseBytes += answer.body.length;
    if (answer.status >= 400) count.errors += 1;
    let billAfterAnswer = false;
    if (options.service === "dynamodb") {
      const units = capacityOf(api, answer.body);
      count.readUnits += units.read;
      count.writeUnits += units.write;
      const refusedBy = answer.status >= 400 ? errorType(answer.body) : "";
      if (api === "TransactWriteItems") {
        if (answer.status < 400) billAfterAnswer = caller === "handler";
        else if (refusedBy === "TransactionCanceledException") count.cancelledTransactions += 1;
      } else if (WRITE_APIS.has(api)) {
        count.billedWriteUnits +=
          refusedBy === "ConditionalCheckFailedException" ? 1 : answer.status < 400 ? units.write : 0;
      }
    } else {
      const payload = Math.max(original.length, answer.body.length);
      count.billedChunks += Math.max(1, Math.ceil(payload / SQS_CHUNK_BYTES));
    }
    if (fault === "error_after") {
      internalError(response);
    } else if (!response.destroyed) {
      const headers = { ...answer.headers };
      delete headers["transfer-encoding"];
      headers["content-length"] = String(answer.body.length);
      response.writeHead(answer.status, headers);
      response.end(answer.body);
    }
    if (caller === "handler") {
      const id = request.headers["amz-sdk-invocation-id"];
      timings.push({
        id: typeof id === "string" ? id : "",
        api,
        arrivedAt,
        upstreamStart,
        upstreamEnd,
        doneAt: epochNow(),
      });
    }
    if (billAfterAnswer) unbilled.push({ count, body });
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
    timings: () => [...timings],
    flush: billTransactions,
    reset: () => {
      counts = { handler: {}, harness: {} };
      timings = [];
      unbilled = [];
    },
    setFaults: (next) => {
      faults = next;
      random = createRandom(options.seed ?? 1);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        upstreamAgent.destroy();
        reader?.destroy();
        server.close(() => resolve());
      }),
  };
}
