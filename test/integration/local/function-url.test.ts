import { request as httpRequest } from "node:http";
import { afterAll, describe, expect, it } from "vitest";
import {
  FUNCTION_URL_MAX_REQUEST_BYTES,
  type FunctionUrlServer,
  startFunctionUrlServer,
} from "../../../infra/local/runner/function-url-server";
import { type LambdaFunction, startLambdaFunction } from "../../../infra/local/runner/lambda-function";

const HANDLERS = "test/integration/local/handlers";
const functions: LambdaFunction[] = [];
const servers: FunctionUrlServer[] = [];

async function functionUrl(handler: string, timeoutSeconds = 5): Promise<string> {
  const fn = startLambdaFunction({
    name: handler.split("#")[1] ?? "fn",
    handler: `${HANDLERS}/${handler}`,
    timeoutSeconds,
    output: () => {},
  });
  functions.push(fn);
  const server = await startFunctionUrlServer({ function: fn });
  servers.push(server);
  return server.url;
}

afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  await Promise.all(functions.map((fn) => fn.stop()));
});

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** node:http rather than fetch, to send a header twice and read set-cookie as sent. */
function send(
  url: string,
  options: {
    method?: string;
    path?: string;
    headers?: Record<string, string | string[]>;
    body?: Buffer | string;
  },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      `${url}${options.path ?? "/"}`,
      { method: options.method ?? "POST", headers: options.headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks),
          }),
        );
      },
    );
    request.on("error", reject);
    request.end(options.body);
  });
}

describe("the Function URL server", () => {
  it("turns a JSON request into a payload-2.0 event and the structured result into the response", async () => {
    const url = await functionUrl("http.ts#echo");
    const body = JSON.stringify({ id: "evt_1", type: "orders.updated.placed", amount: "118.00" });
    const response = await send(url, {
      path: "/webhooks/acelerala?store=511&tag=a&tag=b",
      headers: {
        "Content-Type": "application/json",
        "Webhook-Id": "evt_1",
        "X-Multi": ["one", "two"],
        Cookie: "session=abc; theme=dark",
      },
      body,
    });
    expect(response.status).toBe(201);
    expect(response.headers["content-type"]).toBe("application/json");
    expect(response.headers["x-handled-by"]).toBe("echo");
    expect(response.headers["set-cookie"]).toEqual(["seen=1; Path=/"]);
    const event = JSON.parse(response.body.toString("utf8"));
    expect(event).toMatchObject({
      version: "2.0",
      rawPath: "/webhooks/acelerala",
      rawQueryString: "store=511&tag=a&tag=b",
      queryStringParameters: { store: "511", tag: "a,b" },
      cookies: ["session=abc", "theme=dark"],
      method: "POST",
      sourceIp: "127.0.0.1",
      body,
      isBase64Encoded: false,
    });
    expect(event.headers).toMatchObject({
      "content-type": "application/json",
      "webhook-id": "evt_1",
      "x-multi": "one,two",
    });
    expect(event.headers.cookie).toBeUndefined();
  });

  it("passes a binary body base64-encoded and returns a base64 result as raw bytes", async () => {
    const url = await functionUrl("http.ts#binaryEcho");
    const bytes = Buffer.from([0, 1, 2, 250, 251, 252, 255, 10, 13]);
    const response = await send(url, {
      headers: { "content-type": "application/octet-stream" },
      body: bytes,
    });
    expect(response.status).toBe(200);
    expect(response.headers["x-was-base64"]).toBe("true");
    expect(response.headers["content-type"]).toBe("application/octet-stream");
    expect(response.body.equals(bytes)).toBe(true);
  });

  it("answers the plain-object shorthand with 200 and the object as JSON", async () => {
    const url = await functionUrl("http.ts#shorthand");
    const response = await send(url, { method: "GET" });
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(response.body.toString("utf8"))).toEqual({ message: "hola" });
  });

  it("answers 502 when the handler throws", async () => {
    const url = await functionUrl("http.ts#fail");
    const response = await send(url, { body: "{}", headers: { "content-type": "application/json" } });
    expect(response.status).toBe(502);
    expect(response.body.toString("utf8")).not.toContain("broke on purpose"); // No internals leak to the caller.
  });

  it("answers 502 when the handler times out", async () => {
    const url = await functionUrl("http.ts#slow", 1);
    const response = await send(url, { method: "GET" });
    expect(response.status).toBe(502);
  });

  it("refuses a request body over 6 MB with 413 without invoking the function", async () => {
    const url = await functionUrl("http.ts#echo");
    const tooLarge = Buffer.alloc(FUNCTION_URL_MAX_REQUEST_BYTES + 1, 97);
    const response = await send(url, { headers: { "content-type": "text/plain" }, body: tooLarge });
    expect(response.status).toBe(413);
    const justFits = await send(url, {
      headers: { "content-type": "text/plain" },
      body: Buffer.alloc(1024, 97),
    });
    expect(justFits.status).toBe(201);
  });
});
