// Trivial Function URL handlers for the runner's tests: they report what they received.
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from "aws-lambda";

/** Echoes the event's HTTP parts back as JSON. */
export async function echo(
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyResultV2> {
  return {
    statusCode: 201,
    headers: { "Content-Type": "application/json", "X-Handled-By": context.functionName },
    cookies: ["seen=1; Path=/"],
    body: JSON.stringify({
      version: event.version,
      rawPath: event.rawPath,
      rawQueryString: event.rawQueryString,
      queryStringParameters: event.queryStringParameters,
      headers: event.headers,
      cookies: event.cookies,
      method: event.requestContext.http.method,
      sourceIp: event.requestContext.http.sourceIp,
      body: event.body,
      isBase64Encoded: event.isBase64Encoded,
      remainingMs: context.getRemainingTimeInMillis(),
      greeting: process.env.GREETING,
      inheritedSecret: process.env.PARENT_ONLY_VARIABLE,
    }),
  };
}

/** Returns the request body's bytes unchanged, as a binary response. */
export async function binaryEcho(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> {
  const bytes = Buffer.from(event.body ?? "", event.isBase64Encoded ? "base64" : "utf8");
  return {
    statusCode: 200,
    headers: { "content-type": "application/octet-stream", "x-was-base64": String(event.isBase64Encoded) },
    body: bytes.toString("base64"),
    isBase64Encoded: true,
  };
}

/** The shorthand Function URLs accept: a plain object, no statusCode. */
export async function shorthand(): Promise<unknown> {
  return { message: "hola" };
}

export async function fail(): Promise<never> {
  throw new TypeError("the handler broke on purpose");
}

/** Sleeps longer than any test's function timeout. */
export async function slow(): Promise<string> {
  await new Promise((resolve) => setTimeout(resolve, 10_000));
  return "too late";
}

/** Answers in the callback style some older handlers use. */
export function callbackStyle(
  _event: unknown,
  _context: Context,
  callback: (error: null, result: unknown) => void,
) {
  callback(null, { statusCode: 204 });
}
