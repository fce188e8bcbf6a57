import { randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { ApiError } from "./errors";

/** Client credentials → bearer tokens, as the seed describes (`POST /v1/token`, Basic auth, client_credentials). */

export const PERMISSIONS = [
  "read:orders",
  "write:orders",
  "read:receipts",
  "write:receipts",
  "read:webhooks",
  "write:webhooks",
  "read:transactions",
  "write:transactions",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ClientSchema = z.object({
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  storeId: z.number().int().positive(),
  permissions: z.array(z.enum(PERMISSIONS)),
});
export type ClientInput = z.input<typeof ClientSchema>;
export type Client = z.output<typeof ClientSchema>;

export const DEMO_STORE_ID = 511;
export const DEMO_CLIENT: Client = {
  clientId: "demo-client",
  clientSecret: "demo-secret",
  storeId: DEMO_STORE_ID,
  permissions: [...PERMISSIONS],
};

export type Principal = { clientId: string; storeId: number; permissions: readonly Permission[] };
type TokenRecord = Principal & { expiresAt: number };

export type TokenResponse = { access_token: string; token_type: "Bearer"; expires_in: number; scope: string };

function sameText(left: string, right: string): boolean {
  const a = Buffer.from(left);
  const b = Buffer.from(right);
  return a.length === b.length && timingSafeEqual(a, b);
}

function unauthorized(code: string, message: string): ApiError {
  return new ApiError(401, "authentication_error", code, message, null, {}, { "www-authenticate": "Bearer" });
}

export class Authenticator {
  private readonly clients = new Map<string, Client>();
  private readonly tokens = new Map<string, TokenRecord>();

  constructor(
    private readonly tokenTtlSeconds: number,
    private readonly initialClients: readonly Client[],
  ) {
    this.reset();
  }

  reset(): void {
    this.clients.clear();
    this.tokens.clear();
    for (const client of [DEMO_CLIENT, ...this.initialClients]) this.clients.set(client.clientId, client);
  }

  addClient(input: ClientInput): Client {
    const client = ClientSchema.parse(input);
    this.clients.set(client.clientId, client);
    return client;
  }

  /** Makes every issued token expired, so clients must refresh (tests of the 401 → new token path). */
  expireTokens(): number {
    for (const token of this.tokens.values()) token.expiresAt = 0;
    return this.tokens.size;
  }

  issueToken(authorization: string | undefined, form: URLSearchParams): TokenResponse {
    const match = /^Basic\s+(\S+)$/i.exec(authorization ?? "");
    if (!match?.[1]) throw unauthorized("missing_credentials", "Send HTTP Basic client_id:client_secret");
    const decoded = Buffer.from(match[1], "base64").toString("utf8");
    const separator = decoded.indexOf(":");
    const clientId = separator >= 0 ? decoded.slice(0, separator) : decoded;
    const secret = separator >= 0 ? decoded.slice(separator + 1) : "";
    const client = this.clients.get(clientId);
    if (!client || !sameText(client.clientSecret, secret)) {
      throw unauthorized("invalid_client", "Unknown client or wrong secret");
    }
    if (form.get("grant_type") !== "client_credentials") {
      throw new ApiError(
        400,
        "invalid_request_error",
        "unsupported_grant_type",
        "grant_type must be client_credentials",
        "grant_type",
      );
    }
    const accessToken = `sim_${randomBytes(24).toString("base64url")}`;
    this.tokens.set(accessToken, {
      clientId: client.clientId,
      storeId: client.storeId,
      permissions: client.permissions,
      expiresAt: Date.now() + this.tokenTtlSeconds * 1000,
    });
    return {
      access_token: accessToken,
      token_type: "Bearer",
      expires_in: this.tokenTtlSeconds,
      scope: client.permissions.join(" "),
    };
  }

  authenticate(authorization: string | undefined, needed: Permission): Principal {
    if (!authorization) throw unauthorized("missing_token", "Send Authorization: Bearer <token>");
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    const token = match?.[1] ? this.tokens.get(match[1]) : undefined;
    if (!token) throw unauthorized("invalid_token", "The bearer token is not valid");
    if (token.expiresAt <= Date.now()) throw unauthorized("token_expired", "The bearer token has expired");
    if (!token.permissions.includes(needed)) {
      throw new ApiError(
        403,
        "permission_error",
        "missing_permission",
        `This token lacks the ${needed} permission`,
      );
    }
    return token;
  }
}
