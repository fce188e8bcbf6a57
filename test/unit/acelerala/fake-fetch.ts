import { AceleralaError } from "../../../lib/acelerala/errors";

/** A scripted `fetch` for the client's unit tests: records every request and answers from a handler. */
export type RecordedRequest = {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: string | undefined;
};

export type FakeFetch = typeof fetch & { requests: RecordedRequest[] };

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

export function apiError(
  status: number,
  type: string,
  code: string,
  extra: Record<string, unknown> = {},
): Response {
  return json(status, { error: { type, code, message: `${type}: ${code}`, param: null, ...extra } });
}

export function tokenResponse(token: string, expiresIn = 3600): Response {
  return json(200, {
    access_token: token,
    token_type: "Bearer",
    expires_in: expiresIn,
    scope: "read:orders",
  });
}

export function fakeFetch(handler: (request: RecordedRequest) => Response | Promise<Response>): FakeFetch {
  const requests: RecordedRequest[] = [];
  const fetchFn = async (input: string | URL | Request, init?: RequestInit) => {
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, key) => {
      headers[key] = value;
    });
    const request: RecordedRequest = {
      method: init?.method ?? "GET",
      url: new URL(String(input)),
      headers,
      body: typeof init?.body === "string" ? init.body : undefined,
    };
    requests.push(request);
    return handler(request);
  };
  return Object.assign(fetchFn as typeof fetch, { requests });
}

/** The AceleralaError a call rejects with (fails the test if it resolves or rejects with anything else). */
export async function failure(promise: Promise<unknown>): Promise<AceleralaError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AceleralaError)) throw new Error(`expected an AceleralaError, got ${String(error)}`);
  return error;
}
