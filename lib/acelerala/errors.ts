/**
 * The one error type of the Acelérala client. Callers branch on `kind`, `retryable` and `ambiguous`:
 * `ambiguous` means the request may have been committed by the API even though we saw no success
 * (timeout or broken connection after sending, 5xx or unreadable success on a POST), so before submitting
 * a receipt again the caller must look it up (by number or order_id).
 */
export type AceleralaErrorKind =
  | "validation"
  | "conflict"
  | "rate_limited"
  | "auth"
  | "permission"
  | "not_found"
  | "server"
  | "timeout"
  | "network"
  | "invalid_response";

export type AceleralaFieldError = { param: string | null; code: string | null; message: string };

export type AceleralaErrorDetails = {
  kind: AceleralaErrorKind;
  /** "POST /v1/receipts", the route template, never the query or any credential. */
  route: string;
  status?: number;
  retryable: boolean;
  ambiguous: boolean;
  /** Acelérala's `error.type` and `error.code`, e.g. "conflict" / "duplicate_document_number". */
  type?: string;
  code?: string;
  param?: string | null;
  errors?: AceleralaFieldError[];
  existingReceiptId?: number | string;
  retryAfterSeconds?: number;
  apiMessage?: string;
  cause?: unknown;
};

export class AceleralaError extends Error {
  override readonly name = "AceleralaError";
  readonly kind: AceleralaErrorKind;
  readonly route: string;
  readonly status: number | undefined;
  readonly retryable: boolean;
  readonly ambiguous: boolean;
  readonly type: string | undefined;
  readonly code: string | undefined;
  readonly param: string | null | undefined;
  readonly errors: AceleralaFieldError[];
  readonly existingReceiptId: number | string | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(details: AceleralaErrorDetails) {
    super(describe(details), details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = details.kind;
    this.route = details.route;
    this.status = details.status;
    this.retryable = details.retryable;
    this.ambiguous = details.ambiguous;
    this.type = details.type;
    this.code = details.code;
    this.param = details.param;
    this.errors = details.errors ?? [];
    this.existingReceiptId = details.existingReceiptId;
    this.retryAfterSeconds = details.retryAfterSeconds;
  }

  /** A log-safe summary (no credentials ever reach an AceleralaError). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      kind: this.kind,
      route: this.route,
      status: this.status,
      retryable: this.retryable,
      ambiguous: this.ambiguous,
      code: this.code,
      param: this.param,
      errors: this.errors,
      existingReceiptId: this.existingReceiptId,
      retryAfterSeconds: this.retryAfterSeconds,
    };
  }
}

function describe(details: AceleralaErrorDetails): string {
  const status = details.status === undefined ? details.kind : `${details.status} ${details.kind}`;
  const code = details.code ? ` (${details.code}${details.param ? ` at ${details.param}` : ""})` : "";
  const message = details.apiMessage ? `: ${details.apiMessage}` : "";
  return `Acelérala ${details.route} failed: ${status}${code}${message}`;
}
