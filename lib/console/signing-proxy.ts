import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { SignatureV4 } from "@smithy/signature-v4";
import { PROXY_ORIGIN_HEADER } from "./proxy-origin";

/**
 * `cpe console --aws`: a proxy on 127.0.0.1 that signs every request with the operator's AWS credentials (SigV4,
 * service `lambda`) and forwards it to the console's Function URL, whose auth type is AWS_IAM: the console is
 * never public, and nothing but the operator's browser on this machine reaches it through the proxy.
 *
 * Two guards, because a loopback port is reachable by any web page the operator visits:
 * - the Host header must be this proxy's own address (a DNS-rebinding page names its own host, and is refused);
 * - cross-site POSTs are left to the console's CSRF checks: the proxy forwards the browser's Origin and
 *   Sec-Fetch-Site untouched, and names the origin the browser sees in X-Cpe-Console-Origin (signed), which the
 *   console trusts only behind IAM (CONSOLE_TRUST_PROXY_ORIGIN=true, set by the AWS stack).
 */

/** Function URLs take at most 6 MB. */
const MAX_BODY_BYTES = 6 * 1024 * 1024;

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
  "content-length",
  // The upstream answer is decoded by fetch; ask for none so the bytes pass as they are.
  "accept-encoding",
  PROXY_ORIGIN_HEADER,
]);
/** Headers the signature covers (besides x-amz-*): what the console acts on. The rest pass unsigned. */
const SIGNED_HEADERS = ["content-type", PROXY_ORIGIN_HEADER];

/** SHA-256 (and HMAC-SHA-256 with a key) over node:crypto, the interface SignatureV4 expects. */
class NodeSha256 {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    if (this.secret === undefined) return createHash("sha256");
    const key =
      typeof this.secret === "string"
        ? this.secret
        : ArrayBuffer.isView(this.secret)
          ? Buffer.from(this.secret.buffer, this.secret.byteOffset, this.secret.byteLength)
          : Buffer.from(this.secret);
    return createHmac("sha256", key);
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    if (typeof data === "string") this.hash.update(data, "utf8");
    else if (ArrayBuffer.isView(data))
      this.hash.update(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    else this.hash.update(Buffer.from(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SigningProxyOptions {
  /** The console's Function URL (https; http only on loopback, for tests). */
  target: string;
  /** The region of the Function URL; default: read from its host (`….lambda-url.<region>.on.aws`). */
  region?: string;
  /** The operator's credentials, asked for each request (the SDK's provider chain caches and refreshes them). */
  credentials: () => Promise<AwsCredentials>;
  /** 127.0.0.1 port; 0 picks a free one. */
  port: number;
  log?: (line: string) => void;
}

export interface SigningProxy {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  stop(): Promise<void>;
}

export class ProxyTargetError extends Error {
  override name = "ProxyTargetError";
}

/** The Function URL checked, and its region. */
export function parseProxyTarget(target: string, region?: string): { url: URL; region: string } {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new ProxyTargetError(`la URL de la consola no es válida: "${target}"`);
  }
  const loopback = url.hostname === "127.0.0.1" || url.hostname === "localhost";
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback))
    throw new ProxyTargetError(
      `la URL de la consola debe ser https (la salida ConsoleUrl de la pila); se recibió ${target}`,
    );
  const fromHost = /\.lambda-url\.([a-z0-9-]+)\.on\.aws$/.exec(url.hostname)?.[1];
  const chosen = region ?? fromHost;
  if (!chosen) throw new ProxyTargetError(`no se sabe la región de ${url.hostname}: defina AWS_REGION`);
  return { url, region: chosen };
}

async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export async function startSigningProxy(options: SigningProxyOptions): Promise<SigningProxy> {
  const { url: target, region } = parseProxyTarget(options.target, options.region);
  const signer = new SignatureV4({
    service: "lambda",
    region,
    credentials: options.credentials,
    sha256: NodeSha256,
  });
  let origin = "";
  let allowedHosts: string[] = [];

  async function forward(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!allowedHosts.includes(request.headers.host ?? "")) {
      response.writeHead(421, { "content-type": "text/plain; charset=utf-8" });
      response.end(`Host no permitido: abra ${origin}/`);
      return;
    }
    const body = await readBody(request);
    if (body === undefined) {
      response.writeHead(413, { "content-type": "text/plain; charset=utf-8" });
      response.end("La solicitud supera 6 MB.");
      return;
    }
    const path = new URL(request.url ?? "/", origin);
    const query: Record<string, string | string[]> = {};
    for (const [name, value] of path.searchParams) {
      const previous = query[name];
      query[name] = previous === undefined ? value : [...([] as string[]).concat(previous), value];
    }
    const method = request.method ?? "GET";
    const passed: Record<string, string> = {};
    for (const [name, values] of Object.entries(request.headersDistinct))
      if (values && !HOP_BY_HOP.has(name)) passed[name] = values.join(name === "cookie" ? "; " : ", ");
    passed[PROXY_ORIGIN_HEADER] = origin;
    const toSign: Record<string, string> = { host: target.host };
    for (const name of SIGNED_HEADERS) if (passed[name] !== undefined) toSign[name] = passed[name];
    const signed = await signer.sign({
      method,
      protocol: target.protocol,
      hostname: target.hostname,
      ...(target.port ? { port: Number(target.port) } : {}),
      path: path.pathname,
      query,
      headers: toSign,
      body: body.length > 0 ? body : undefined,
    });
    const headers = { ...passed, ...signed.headers };
    delete headers.host; // fetch sets it from the URL, as signed
    const upstream = await fetch(new URL(`${path.pathname}${path.search}`, target), {
      method,
      headers,
      ...(body.length > 0 && method !== "GET" && method !== "HEAD" ? { body } : {}),
      redirect: "manual",
    });
    const out: Record<string, string | string[]> = {};
    upstream.headers.forEach((value, name) => {
      if (!HOP_BY_HOP.has(name) && name !== "content-encoding" && name !== "set-cookie") out[name] = value;
    });
    const cookies = upstream.headers.getSetCookie();
    if (cookies.length > 0) out["set-cookie"] = cookies;
    const location = upstream.headers.get("location");
    if (location?.startsWith(target.origin))
      out.location = `${origin}${location.slice(target.origin.length)}`;
    const payload = Buffer.from(await upstream.arrayBuffer());
    response.writeHead(upstream.status, { ...out, "content-length": String(payload.length) });
    response.end(payload);
  }

  const server = createServer((request, response) => {
    forward(request, response).catch((error: unknown) => {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      options.log?.(`proxy: ${message}`);
      if (!response.headersSent) {
        response.writeHead(502, { "content-type": "text/plain; charset=utf-8" });
        response.end(`No se pudo llegar a la consola en AWS: ${message}`);
      } else response.destroy();
    });
  });
  await new Promise<void>((resolveListen, rejectListen) => {
    server.once("error", rejectListen);
    server.listen(options.port, "127.0.0.1", () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  return {
    url: `${origin}/`,
    stop: () =>
      new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeIdleConnections();
      }),
  };
}
