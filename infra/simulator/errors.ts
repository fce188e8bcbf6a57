/** Acelérala's error shape: `{"error": {"type", "code", "message", "param", ...}}` with the HTTP status. */

export type ErrorType =
  | "authentication_error"
  | "permission_error"
  | "not_found"
  | "invalid_request_error"
  | "conflict"
  | "rate_limit_error"
  | "api_error";

export type FieldError = { param: string; code: string; message: string };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: ErrorType,
    readonly code: string,
    message: string,
    readonly param: string | null = null,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toBody(): { error: Record<string, unknown> } {
    return {
      error: { type: this.type, code: this.code, message: this.message, param: this.param, ...this.extra },
    };
  }
}

export function badRequest(code: string, message: string, param: string | null = null): ApiError {
  return new ApiError(400, "invalid_request_error", code, message, param);
}

export function notFound(resource: string, id: string): ApiError {
  return new ApiError(404, "not_found", "resource_missing", `No such ${resource}: ${id}`, "id");
}

export function validationFailed(errors: readonly FieldError[]): ApiError {
  const first = errors[0];
  return new ApiError(
    422,
    "invalid_request_error",
    first?.code ?? "invalid",
    `The request has ${errors.length} validation error(s)${first ? `; first: ${first.param}: ${first.message}` : ""}`,
    first?.param ?? null,
    { errors },
  );
}
