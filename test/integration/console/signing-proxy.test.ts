import { createHash, createHmac } from "node:crypto";
import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PROXY_ORIGIN_HEADER } from "../../../lib/console/proxy-origin";
import { parseProxyTarget, type SigningProxy, startSigningProxy } from "../../../lib/console/signing-proxy";

// `cpe console --aws`'s proxy against a stand-in for the console's Function URL on 127.0.0.1, which checks every
// signature the way AWS does (SigV4, recomputed here with node:crypto from the request as it arrived, sharing no
// code with the signer), and a browser-like client that talks to the proxy over real HTTP.

const CREDENTIALS = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
  sessionToken: "session-token-example",
};
const REGION = "us-east-1";

interface Arrived {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: Buffer;
}

const hex = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest();
/** RFC 3986 unreserved characters stay; everything else is %XX (upper case), as SigV4 asks. */
const encode = (text: string) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Whether the request carries a valid SigV4 signature for lambda in REGION with CREDENTIALS (an independent check). */
function verifySignature(request: Arrived): { valid: boolean; signedHeaders: string[]; why?: string } {
  const authorization = String(request.headers.authorization ?? "");
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      authorization,
    );
  if (!match) return { valid: false, signedHeaders: [], why: `no SigV4 Authorization: ${authorization}` };
  const [, accessKey, date, region, service, signedList = "", signature] = match;
  const signedHeaders = signedList.split(";");
  if (accessKey !== CREDENTIALS.accessKeyId || region !== REGION || service !== "lambda")
    return { valid: false, signedHeaders, why: "wrong scope" };
  const payloadHash = hex(request.body);
  const declared = request.headers["x-amz-content-sha256"];
  if (declared !== undefined && declared !== payloadHash)
    return { valid: false, signedHeaders, why: "payload hash" };
  const url = new URL(request.url, "http://placeholder");
  const query = [...url.searchParams]
    .map(([key, value]) => [encode(key), encode(value)])
    .sort(([a = "", x = ""], [b = "", y = ""]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1))
    .map(([key, value]) => `${key}=${value}`)
    .join("&");
  const canonicalHeaders = signedHeaders
    .map(
      (name) =>
        `${name}:${String(request.headers[name] ?? "")
          .trim()
          .replace(/\s+/g, " ")}\n`,
    )
    .join("");
  const canonical = [request.method, url.pathname, query, canonicalHeaders, signedList, payloadHash].join(
    "\n",
  );
  const amzDate = String(request.headers["x-amz-date"] ?? "");
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, hex(canonical)].join("\n");
  const key = hmac(
    hmac(hmac(hmac(`AWS4${CREDENTIALS.secretAccessKey}`, date ?? ""), region ?? ""), service ?? ""),
    "aws4_request",
  );
  const expected = createHmac("sha256", key).update(stringToSign).digest("hex");
  return expected === signature
    ? { valid: true, signedHeaders }
    : { valid: false, signedHeaders, why: "signature" };
}

let upstream: Server;
let upstreamUrl: string;
const arrived: Arrived[] = [];
let proxy: SigningProxy | undefined;

beforeAll(async () => {
  upstream = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
    const seen: Arrived = {
      method: request.method ?? "",
      url: request.url ?? "",
      headers: request.headers,
      body: Buffer.concat(chunks),
    };
    arrived.push(seen);
    const check = verifySignature(seen);
    if (!check.valid) {
      // What a Function URL with AWS_IAM answers to a bad or missing signature.
      response.writeHead(403, { "content-type": "application/json" });
      response.end(JSON.stringify({ Message: "Forbidden", why: check.why }));
      return;
    }
    response.setHeader("set-cookie", ["a=1; Path=/; HttpOnly", "b=2; Path=/; SameSite=Strict"]);
    response.writeHead(request.method === "POST" ? 303 : 200, {
      "content-type": "text/html; charset=utf-8",
      ...(request.method === "POST" ? { location: "/pedidos/1001" } : {}),
    });
    response.end(`<p>${request.method} ${request.url}</p>`);
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", () => resolve()));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/`;
});

afterEach(async () => {
  await proxy?.stop();
  proxy = undefined;
  arrived.length = 0;
});

afterAll(async () => {
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

/** A raw HTTP request to the proxy with any Host header (fetch would not let a test forge one). */
function send(
  url: string,
  options: { method?: string; host?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: IncomingMessage["headers"]; body: string }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: options.method ?? "GET",
        headers: { host: options.host ?? target.host, ...options.headers },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

async function start(): Promise<SigningProxy> {
  proxy = await startSigningProxy({
    target: upstreamUrl,
    region: REGION,
    credentials: async () => CREDENTIALS,
    port: 0,
  });
  return proxy;
}

describe("the signing proxy of cpe console --aws", () => {
  it("signs a page request (path, query, the session token) so that the Function URL accepts it", async () => {
    const { url } = await start();
    const response = await send(`${url}pedidos/1001?tienda=511&estado=N%2FA`, {
      headers: { cookie: "cpe_csrf=t" },
    });
    expect(response.status).toBe(200);
    expect(response.body).toBe("<p>GET /pedidos/1001?tienda=511&estado=N%2FA</p>");
    const [seen] = arrived;
    expect(verifySignature(seen as Arrived)).toMatchObject({ valid: true });
    expect(seen?.headers.host).toBe(new URL(upstreamUrl).host);
    expect(seen?.headers["x-amz-security-token"]).toBe(CREDENTIALS.sessionToken);
    expect(seen?.headers.cookie).toBe("cpe_csrf=t");
    // Both cookies the console sets come back to the browser.
    expect(response.headers["set-cookie"]).toEqual(["a=1; Path=/; HttpOnly", "b=2; Path=/; SameSite=Strict"]);
  });

  it("signs a form's body and the origin the browser sees; passes the browser's own Origin untouched", async () => {
    const { url } = await start();
    const origin = url.replace(/\/$/, "");
    const body = "csrf=t&tienda=511&order=1001&order=1002";
    const response = await send(`${url}send`, {
      method: "POST",
      body,
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        origin,
        "sec-fetch-site": "same-origin",
        // A header of this name from the browser is the proxy's to set, never passed on.
        [PROXY_ORIGIN_HEADER]: "https://evil.example",
      },
    });
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe("/pedidos/1001");
    const seen = arrived[0] as Arrived;
    expect(seen.body.toString()).toBe(body);
    const check = verifySignature(seen);
    expect(check.valid).toBe(true);
    expect(check.signedHeaders).toEqual(
      expect.arrayContaining(["host", "content-type", PROXY_ORIGIN_HEADER, "x-amz-date"]),
    );
    expect(seen.headers[PROXY_ORIGIN_HEADER]).toBe(origin);
    expect(seen.headers.origin).toBe(origin);
    expect(seen.headers["sec-fetch-site"]).toBe("same-origin");
  });

  it("refuses a request whose Host is not its own (a DNS-rebinding page), without forwarding it", async () => {
    const { url } = await start();
    const response = await send(url, { host: "evil.example:3002" });
    expect(response.status).toBe(421);
    expect(arrived).toEqual([]);
  });

  it("the stand-in does refuse a request whose body changed after signing (the check can fail)", () => {
    const request = { method: "POST", url: "/send", headers: {}, body: Buffer.from("x") } as Arrived;
    expect(verifySignature(request).valid).toBe(false);
  });

  it("reads the region from the Function URL and refuses a plain http one that is not loopback", () => {
    expect(parseProxyTarget("https://abcdef.lambda-url.sa-east-1.on.aws/").region).toBe("sa-east-1");
    expect(() => parseProxyTarget("http://abcdef.lambda-url.sa-east-1.on.aws/")).toThrow(/debe ser https/);
    expect(() => parseProxyTarget("https://console.example.com/")).toThrow(/AWS_REGION/);
    expect(() => parseProxyTarget("not a url")).toThrow(/no es válida/);
  });
});
