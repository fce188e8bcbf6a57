import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyResultV2,
  APIGatewayProxyStructuredResultV2,
} from "aws-lambda";
import { LOOPBACK_HOST, type LocalLog } from "../aws-local-constants";
import type { LambdaFunction } from "./lambda-function";

/** Function URLs refuse request payloads over 6 MB (the synchronous Invoke limit). */
export const FUNCTION_URL_MAX_REQUEST_BYTES = 6 * 1024 * 1024;

export interface FunctionUrlServerOptions {
  /** The function the URL invokes; the server does not stop it. */
  function: LambdaFunction;
  /** Default 0 (a free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  log?: LocalLog;
}

export interface FunctionUrlServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Stops accepting requests, lets those being answered finish, closes idle connections. */
  stop(): Promise<void>;
}

/** An HTTP server that turns requests into Function URL events (payload format 2.0) and results into responses. */
export async function startFunctionUrlServer(options: FunctionUrlServerOptions): Promise<FunctionUrlServer> {
  const server = createServer((request, response) => {
    handleRequest(options.function, request, response).catch((error: unknown) => {
      options.log?.(
        `Function URL ${options.function.name}: ${error instanceof Error ? error.message : String(error)}`,
      );
      if (!response.headersSent) sendJson(response, 500, { Message: "Internal Server Error" });
      else response.destroy();
    });
  });
  await new Promise<void>((resolveListen, rejectListen) => {
    server.once("error", rejectListen);
    server.listen(options.port ?? 0, options.host ?? LOOPBACK_HOST, () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host ?? LOOPBACK_HOST}:${port}`;
  options.log?.(`Function URL for ${options.function.name}: ${url}`);
  return {
    url,
    port,
    stop: () =>
      new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeIdleConnections();
      }),
  };
}

async function handleRequest(
  fn: LambdaFunction,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const body = await readBody(request, FUNCTION_URL_MAX_REQUEST_BYTES);
  if (body === "too large") {
    sendJson(response, 413, {
      Message: `Request must be smaller than ${FUNCTION_URL_MAX_REQUEST_BYTES} bytes for the InvokeFunction operation`,
    });
    return;
  }
  const outcome = await fn.invoke(toFunctionUrlEvent(request, body));
  if (!outcome.ok) {
    // What a Function URL answers when the function throws, times out or crashes.
    sendJson(response, 502, { Message: "Internal Server Error" });
    return;
  }
  writeResult(response, outcome.result as APIGatewayProxyResultV2);
}

async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | "too large"> {
  const declared = Number(request.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    request.resume(); // Drain without keeping it, so the 413 can be read by the client.
    return "too large";
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      request.resume();
      return "too large";
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * Content types Function URLs pass as text; every other body (and a body without a content type) arrives
 * base64-encoded with `isBase64Encoded: true`, so handlers must decode before verifying signatures.
 */
export function isTextContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const mediaType = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  return (
    mediaType.startsWith("text/") ||
    mediaType === "application/json" ||
    mediaType.endsWith("+json") ||
    mediaType === "application/xml" ||
    mediaType.endsWith("+xml") ||
    mediaType === "application/javascript"
  );
}

export function toFunctionUrlEvent(request: IncomingMessage, body: Buffer): APIGatewayProxyEventV2 {
  const target = request.url ?? "/";
  const queryStart = target.indexOf("?");
  const rawPath = queryStart >= 0 ? target.slice(0, queryStart) : target;
  const rawQueryString = queryStart >= 0 ? target.slice(queryStart + 1) : "";
  // Lower-cased names, repeated headers joined with commas; cookies move to their own array.
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(request.headersDistinct)) {
    if (name !== "cookie" && values) headers[name] = values.join(",");
  }
  const cookies = (request.headersDistinct.cookie ?? []).flatMap((line) =>
    line
      .split(";")
      .map((cookie) => cookie.trim())
      .filter(Boolean),
  );
  const queryStringParameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    const previous = queryStringParameters[name];
    queryStringParameters[name] = previous === undefined ? value : `${previous},${value}`;
  }
  const now = new Date();
  const domainName = headers.host ?? "localhost";
  const isText = isTextContentType(headers["content-type"]);
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath,
    rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(rawQueryString ? { queryStringParameters } : {}),
    requestContext: {
      accountId: "anonymous",
      apiId: "local",
      domainName,
      domainPrefix: domainName.split(".")[0] ?? domainName,
      http: {
        method: request.method ?? "GET",
        path: rawPath,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? LOOPBACK_HOST,
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: randomUUID(),
      routeKey: "$default",
      stage: "$default",
      time: formatRequestTime(now),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 ? { body: isText ? body.toString("utf8") : body.toString("base64") } : {}),
    isBase64Encoded: body.length > 0 && !isText,
  };
}

/** `12/Mar/2020:19:03:58 +0000`, the format of requestContext.time. */
function formatRequestTime(date: Date): string {
  const [, day, month, year, time] = /^\w+, (\d+) (\w+) (\d+) ([\d:]+) GMT$/.exec(date.toUTCString()) ?? [];
  return `${day?.padStart(2, "0")}/${month}/${year}:${time} +0000`;
}

function isStructuredResult(result: APIGatewayProxyResultV2): result is APIGatewayProxyStructuredResultV2 {
  return typeof result === "object" && result !== null && "statusCode" in result;
}

/**
 * A result with `statusCode` is used as given (content type defaulting to JSON); any other value is the
 * shorthand Function URLs accept: status 200, content type JSON, the value serialised as the body.
 */
function writeResult(response: ServerResponse, result: APIGatewayProxyResultV2): void {
  if (!isStructuredResult(result)) {
    sendJson(response, 200, result);
    return;
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.headers ?? {}))
    headers[name.toLowerCase()] = String(value);
  headers["content-type"] ??= "application/json";
  const body = result.body ?? "";
  const payload = result.isBase64Encoded ? Buffer.from(body, "base64") : Buffer.from(body, "utf8");
  response.writeHead(result.statusCode ?? 200, {
    ...headers,
    ...(result.cookies?.length ? { "set-cookie": result.cookies } : {}),
    "content-length": payload.length,
  });
  response.end(payload);
}

function sendJson(response: ServerResponse, statusCode: number, value: unknown): void {
  const payload = Buffer.from(JSON.stringify(value) ?? "null", "utf8");
  response.writeHead(statusCode, { "content-type": "application/json", "content-length": payload.length });
  response.end(payload);
}
