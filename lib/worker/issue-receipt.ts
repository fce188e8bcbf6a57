import { AceleralaError } from "../acelerala/errors";
import type { AceleralaReceipt } from "../acelerala/schemas";
import {
  FINAL_STATES,
  type OrderKey,
  type ReceiptProblemRecord,
  type ReceiptRecord,
} from "../store/receipt-record";
import { type ReceiptStore, StateConflictError, type SunatAnswer } from "../store/receipt-store";

/**
 * The receipt worker's decision for one order event: at most one receipt per order, whatever arrives twice,
 * crashes, times out or is replayed. The guard is DynamoDB (ReceiptStore), never the queue:
 *
 * 1. A receipt already SUBMITTED or final → nothing to do.
 * 2. Re-read the order from the API (the event is only a hint) and decide: skip, needs attention, or issue.
 * 3. Reserve `(series, correlative)` for the order in one transaction, storing the exact request body.
 * 4. POST it with that explicit number. If this invocation did not reserve the number itself (a retry, a replay,
 *    a crash after an earlier POST), first look the number up: the earlier POST may have landed.
 * 5. A 409 for our own number means our earlier POST landed: adopt that receipt.
 */

/** What the receipt domain decides for an order (see lib/worker/decide.ts for the real one). */
export type Decision =
  | { action: "skip"; reason: string }
  | { action: "needs_attention"; problems: ReceiptProblemRecord[] }
  | {
      action: "issue";
      documentTypeCode: string;
      series: string;
      currencyCode: string;
      grossTotal: string;
      /** The POST /v1/receipts body, complete but for `correlative`. */
      body: Record<string, unknown>;
    };

/** The parts of the Acelérala client the worker uses. */
export interface WorkerApi {
  getOrder(id: number): Promise<unknown>;
  createReceipt(body: object): Promise<AceleralaReceipt>;
  getReceipt(id: number): Promise<AceleralaReceipt>;
  findReceiptByNumber(series: string, correlative: number): Promise<AceleralaReceipt | null>;
}

export interface IssueDeps {
  store: ReceiptStore;
  api: (storeId: number) => Promise<WorkerApi>;
  decide: (order: unknown, storeId: number) => Decision;
  now: () => Date;
  /** How long after submission the poller first asks for the CDR. */
  firstPollDelayMs: number;
}

export type IssueOutcome =
  | { status: "issued"; record: ReceiptRecord }
  | { status: "already_issued"; record: ReceiptRecord }
  | { status: "needs_attention"; problems: ReceiptProblemRecord[] }
  | { status: "skipped"; reason: string }
  /** Transient: the message must come back later (after `delaySeconds` when the API said so). */
  | { status: "retry"; reason: string; delaySeconds?: number };

export function sunatAnswerOf(receipt: AceleralaReceipt): SunatAnswer | null {
  if (!receipt.sunat_acknowledged) return null;
  return {
    accepted: receipt.sunat_accepted === true,
    sunatCode: receipt.sunat_code ?? null,
    sunatMessage: receipt.sunat_message ?? null,
    cdrUrl: receipt.cdr_url ?? null,
    xmlUrl: receipt.xml_url ?? null,
    pdfUrl: receipt.pdf_url ?? null,
  };
}

function apiProblems(error: AceleralaError): ReceiptProblemRecord[] {
  if (error.errors.length === 0) {
    return [
      { field: error.param ?? "receipt", rule: error.code ?? "api_validation", message: error.message },
    ];
  }
  return error.errors.map((e) => ({
    field: e.param ?? "receipt",
    rule: e.code ?? "api_validation",
    message: e.message,
  }));
}

/** `eventAt`: when the order event reached the queue (SQS SentTimestamp); recorded with the reservation. */
export async function issueReceipt(key: OrderKey, deps: IssueDeps, eventAt?: Date): Promise<IssueOutcome> {
  const { store } = deps;
  const existing = await store.get(key);
  if (existing && FINAL_STATES.includes(existing.state))
    return { status: "already_issued", record: existing };

  const api = await deps.api(key.storeId);
  try {
    const order = await api.getOrder(key.orderId);
    const decision = deps.decide(order, key.storeId);
    if (decision.action === "skip") return { status: "skipped", reason: decision.reason };
    if (decision.action === "needs_attention") {
      // A record that already holds a number keeps it (the API never accepted it); only the problems change.
      await store.markNeedsAttention(
        key,
        decision.problems,
        decision.problems[0]?.message ?? "order refused",
        deps.now(),
      );
      return { status: "needs_attention", problems: decision.problems };
    }

    const held = await holdNumber(key, existing, decision, deps, eventAt);
    if (FINAL_STATES.includes(held.record.state)) return { status: "already_issued", record: held.record };
    if (held.record.state === "NEEDS_ATTENTION") {
      return { status: "needs_attention", problems: held.record.problems ?? [] };
    }
    return await submit(key, held.record, held.fresh, api, deps);
  } catch (error) {
    if (error instanceof StateConflictError) {
      // Another invocation moved the receipt first; what it did stands.
      const now = await store.get(key);
      if (now && FINAL_STATES.includes(now.state)) return { status: "already_issued", record: now };
      return { status: "retry", reason: error.message };
    }
    if (error instanceof AceleralaError) {
      if (error.kind === "not_found")
        return { status: "skipped", reason: `order ${key.orderId} not found in Acelérala` };
      await store.recordError(key, error.message, deps.now());
      return { status: "retry", reason: error.message, delaySeconds: error.retryAfterSeconds };
    }
    throw error;
  }
}

/**
 * The record that holds this order's number: reserved by this invocation (`fresh`: no POST can have been
 * made with it yet), or one an earlier attempt reserved (a POST may have landed: look before posting).
 */
async function holdNumber(
  key: OrderKey,
  existing: ReceiptRecord | undefined,
  decision: Extract<Decision, { action: "issue" }>,
  deps: IssueDeps,
  eventAt: Date | undefined,
): Promise<{ record: ReceiptRecord; fresh: boolean }> {
  const bodyFor = (correlative: number) =>
    JSON.stringify({ ...decision.body, series: decision.series, correlative });

  if (existing?.state === "RESERVED") return { record: existing, fresh: false }; // its number and body stand
  if (existing?.state === "NEEDS_ATTENTION" && existing.series === decision.series && existing.correlative) {
    // The API refused this number's data before; the order was fixed: same number, new body.
    const record = await deps.store.reuseReservedNumber(
      key,
      {
        series: decision.series,
        grossTotal: decision.grossTotal,
        currencyCode: decision.currencyCode,
        requestBody: bodyFor(existing.correlative),
      },
      deps.now(),
    );
    return { record, fresh: false };
  }
  const result = await deps.store.reserve({
    key,
    documentTypeCode: decision.documentTypeCode,
    series: decision.series,
    currencyCode: decision.currencyCode,
    grossTotal: decision.grossTotal,
    requestBodyFor: bodyFor,
    now: deps.now(),
    eventAt,
    previous: existing,
  });
  return { record: result.record, fresh: result.reserved };
}

async function submit(
  key: OrderKey,
  record: ReceiptRecord,
  reservedJustNow: boolean,
  api: WorkerApi,
  deps: IssueDeps,
): Promise<IssueOutcome> {
  const { series, correlative, requestBody } = record;
  if (!series || !correlative || !requestBody) {
    throw new Error(`receipt of order ${key.storeId}/${key.orderId} is ${record.state} without a number`);
  }
  // Not reserved in this invocation: an earlier POST may have landed (timeout, crash, replay). Look first.
  if (!reservedJustNow) {
    const landed = await api.findReceiptByNumber(series, correlative);
    if (landed) return adopt(key, record, landed, deps);
  }
  try {
    const created = await api.createReceipt(JSON.parse(requestBody) as object);
    return adopt(key, record, created, deps);
  } catch (error) {
    if (!(error instanceof AceleralaError)) throw error;
    if (error.kind === "conflict") {
      const holder = await findHolder(api, error, series, correlative);
      if (holder) return adopt(key, record, holder, deps);
      return { status: "retry", reason: `409 for ${series}-${correlative} but the holder could not be read` };
    }
    if (error.kind === "validation") {
      const problems = apiProblems(error);
      await deps.store.markNeedsAttention(key, problems, `API refused ${series}-${correlative}`, deps.now());
      return { status: "needs_attention", problems };
    }
    throw error; // retryable or ambiguous: the caller records it and the message comes back
  }
}

async function findHolder(
  api: WorkerApi,
  error: AceleralaError,
  series: string,
  correlative: number,
): Promise<AceleralaReceipt | null> {
  if (error.existingReceiptId !== undefined) return api.getReceipt(Number(error.existingReceiptId));
  return api.findReceiptByNumber(series, correlative);
}

/** The API holds a receipt under our number. If it is this order's, record it; otherwise a person must look. */
async function adopt(
  key: OrderKey,
  record: ReceiptRecord,
  receipt: AceleralaReceipt,
  deps: IssueDeps,
): Promise<IssueOutcome> {
  if (
    receipt.order_id !== undefined &&
    receipt.order_id !== null &&
    String(receipt.order_id) !== String(key.orderId)
  ) {
    const problems = [
      {
        field: "correlative",
        rule: "number_taken_by_other_receipt",
        message: `${receipt.document_number} ya existe en Acelérala para otro pedido (${receipt.order_id}); la serie se usó fuera de este sistema`,
      },
    ];
    await deps.store.markNeedsAttention(key, problems, problems[0]?.message ?? "", deps.now());
    return { status: "needs_attention", problems };
  }
  const now = deps.now();
  const updated = await deps.store.markSubmitted(
    key,
    record.state,
    {
      receiptId: Number(receipt.id),
      sunatAnswer: sunatAnswerOf(receipt),
      nextPollAt: now.getTime() + deps.firstPollDelayMs,
    },
    now,
  );
  return { status: "issued", record: updated };
}
