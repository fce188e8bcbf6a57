import { AceleralaError } from "../acelerala/errors";
import type { AceleralaReceipt } from "../acelerala/schemas";
import { StoreNotConfiguredError } from "../config/env";
import { ISSUED_STATES } from "../store/lifecycle";
import type { OrderKey, ReceiptProblemRecord, ReceiptRecord } from "../store/receipt-record";
import {
  type DocumentFacts,
  type Expect,
  expectOf,
  type ReceiptStore,
  StateConflictError,
} from "../store/receipt-store";
import {
  differences,
  landedDiffersProblem,
  landedFrom,
  maskDocument,
  ownSaleReceipts,
  takenNumberOf,
} from "./landed";

/**
 * The receipt worker's decision for one order event: exactly one receipt per order, equal to what the
 * customer paid, whatever arrives twice, crashes, times out, is replayed hours later, or changes in between.
 * The guard is DynamoDB (ReceiptStore, conditional on state and number), never the queue:
 *
 * 1. The record names a receipt the API holds → nothing to issue.
 * 2. Re-read the order (the event is only a hint) and decide from the order as it is NOW.
 * 3. A number that may have been POSTed (RESERVED) is resolved before anything else: look the receipt up by
 *    number and by `order_id`. If one of this order's landed, it IS the order's receipt: adopt it when it
 *    matches the order, hold it for a person when it differs (`landed_receipt_differs`), never issue a second.
 *    Lists may lag behind a POST: until `lookupDelayMs` after the last possible POST, "not found" proves
 *    nothing and the message comes back later.
 * 4. Nothing of this order landed → act on the order now: skip (the number is released), flag, or POST a body
 *    built now — the same number in the same series, a new one otherwise (the old one released, never reused).
 * 5. Whatever the API answers to the POST, only a receipt naming this order is adopted: a 409 holder that is
 *    another order's (or nobody's) moves the counter past it, and the order takes the next free number.
 * The API may honour our correlative (and 409 a repeat) or number receipts itself: the record always keeps
 * the number the API reports, and the look-up by `order_id` guards either way.
 */

/** The body of the order's receipt as the receipt domain builds it now (lib/worker/decide.ts). */
export type IssueDecision = {
  action: "issue";
  documentTypeCode: string;
  series: string;
  currencyCode: string;
  grossTotal: string;
  issueDate: string;
  /** Why the issue date is not the sale's (SUNAT's submission window passed). */
  issueDateMoved?: string;
  customer: { documentTypeCode: string; documentNumber: string };
  /** The POST /v1/receipts body, complete but for `correlative`. */
  body: Record<string, unknown>;
};

/** What the receipt domain decides for an order. */
export type Decision =
  | { action: "skip"; rule: "canceled" | "not_placed" | "payment_status"; reason: string }
  | { action: "needs_attention"; problems: ReceiptProblemRecord[] }
  | IssueDecision;

/** The parts of the Acelérala client the worker uses. */
export interface WorkerApi {
  getOrder(id: number): Promise<unknown>;
  createReceipt(body: object): Promise<AceleralaReceipt>;
  getReceipt(id: number): Promise<AceleralaReceipt>;
  findReceiptByNumber(series: string, correlative: number): Promise<AceleralaReceipt | null>;
  receiptsOfOrder(orderId: number): Promise<AceleralaReceipt[]>;
  highestCorrelative(series: string): Promise<number>;
}

export interface IssueDeps {
  store: ReceiptStore;
  api: (storeId: number) => Promise<WorkerApi>;
  decide: (order: unknown, storeId: number) => Decision;
  now: () => Date;
  /** How long after submission the poller first asks for the CDR. */
  firstPollDelayMs: number;
  /**
   * How long after a POST its absence from the API's lists is believed: the client's timeout (a POST can be
   * committed until then) plus the lag of the API's lists behind its writes.
   */
  lookupDelayMs: number;
}

export type IssueOutcome =
  | { status: "issued"; record: ReceiptRecord }
  | { status: "already_issued"; record: ReceiptRecord }
  | { status: "needs_attention"; problems: ReceiptProblemRecord[]; record?: ReceiptRecord }
  | { status: "skipped"; reason: string }
  /** Transient: the message must come back later (after `delaySeconds` when known). */
  | { status: "retry"; reason: string; delaySeconds?: number };

/** How often one invocation moves past numbers other receipts hold before it leaves the rest to a retry. */
const MAX_TAKEN_NUMBERS_PER_ATTEMPT = 3;

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

function factsOf(decision: IssueDecision): DocumentFacts {
  return {
    documentTypeCode: decision.documentTypeCode,
    currencyCode: decision.currencyCode,
    grossTotal: decision.grossTotal,
    issueDate: decision.issueDate,
    customerDocument: maskDocument(decision.customer.documentTypeCode, decision.customer.documentNumber),
  };
}

/** `eventAt`: when the order event reached the queue (SQS SentTimestamp); recorded with the reservation. */
export async function issueReceipt(key: OrderKey, deps: IssueDeps, eventAt?: Date): Promise<IssueOutcome> {
  const existing = await deps.store.get(key);
  if (existing && ISSUED_STATES.includes(existing.state))
    return { status: "already_issued", record: existing };

  let api: WorkerApi;
  try {
    api = await deps.api(key.storeId);
  } catch (error) {
    // A store with no credentials is not a passing fault: five retries and the DLQ would only hide it. A record in
    // any other state is left alone (a RESERVED number cannot be resolved without the API): that one retries.
    if (!(error instanceof StoreNotConfiguredError) || (existing && existing.state !== "NEEDS_ATTENTION"))
      throw error;
    return flagStore(key, existing, deps, error.message);
  }
  try {
    const order = await api.getOrder(key.orderId);
    const decision = deps.decide(order, key.storeId);
    return await new Issuer(key, deps, api, eventAt).settle(existing, decision);
  } catch (error) {
    if (error instanceof StateConflictError) {
      // Another invocation moved the record first; what it did stands. Read it again on the next delivery.
      const now = await deps.store.get(key);
      if (now && ISSUED_STATES.includes(now.state)) return { status: "already_issued", record: now };
      return { status: "retry", reason: error.message };
    }
    if (error instanceof AceleralaError) {
      if (error.kind === "not_found" && error.route.startsWith("GET /v1/orders"))
        return { status: "skipped", reason: `order ${key.orderId} not found in Acelérala` };
      await deps.store.recordError(key, error.message, deps.now());
      return { status: "retry", reason: error.message, delaySeconds: error.retryAfterSeconds };
    }
    throw error;
  }
}

async function flagStore(
  key: OrderKey,
  existing: ReceiptRecord | undefined,
  deps: IssueDeps,
  detail: string,
): Promise<IssueOutcome> {
  const problems: ReceiptProblemRecord[] = [
    {
      field: "store_id",
      rule: "store_not_configured",
      message: `La tienda ${key.storeId} no tiene credenciales de Acelérala configuradas (${detail}): no se puede emitir.`,
    },
  ];
  const record = await deps.store.flag(key, expectOf(existing), problems, "store not configured", deps.now());
  return { status: "needs_attention", problems, record };
}

type Resolution =
  | { kind: "landed"; receipt: AceleralaReceipt }
  | { kind: "several"; receipts: AceleralaReceipt[] }
  | { kind: "not_landed"; takenBy?: AceleralaReceipt }
  | { kind: "unsure"; retryAfterMs: number };

class Issuer {
  constructor(
    private readonly key: OrderKey,
    private readonly deps: IssueDeps,
    private readonly api: WorkerApi,
    private readonly eventAt: Date | undefined,
  ) {}

  async settle(record: ReceiptRecord | undefined, decision: Decision): Promise<IssueOutcome> {
    const expect = expectOf(record);
    let takenBy: AceleralaReceipt | undefined;
    // 1. A number that may have been POSTed is never forgotten: resolve it before the record moves anywhere.
    if (record?.state === "RESERVED") {
      const resolution = await this.resolveHeldNumber(record);
      switch (resolution.kind) {
        case "unsure":
          return {
            status: "retry",
            reason: `${record.documentNumber} may still land: looking it up again later`,
            delaySeconds: Math.ceil(resolution.retryAfterMs / 1000),
          };
        case "landed":
          return this.adoptLanded(expect, resolution.receipt, decision);
        case "several":
          return this.holdSeveral(expect, resolution.receipts);
        case "not_landed":
          takenBy = resolution.takenBy;
      }
    } else if (record?.state === "NEEDS_ATTENTION" && record.receiptId !== undefined) {
      // The record holds a receipt that landed but differed: compare it with the order as it is now.
      return this.adoptLanded(expect, await this.api.getReceipt(record.receiptId), decision);
    }

    // 2. Nothing of this order landed under the number held (if any): act on the order as it is now.
    const now = this.deps.now();
    const holdsNumber = record?.documentNumber !== undefined;
    switch (decision.action) {
      case "skip": {
        if (record && holdsNumber) {
          await this.deps.store.release(
            this.key,
            expect,
            decision.rule === "canceled" ? "CANCELED" : "SKIPPED",
            decision.reason,
            now,
          );
        } else if (
          decision.rule === "canceled" &&
          (!record || record.state === "SKIPPED" || record.state === "NEEDS_ATTENTION")
        ) {
          await this.deps.store.cancel(this.key, expect, decision.reason, now);
        }
        return { status: "skipped", reason: decision.reason };
      }
      case "needs_attention": {
        const why = decision.problems[0]?.message ?? "order refused";
        // A held number another receipt turned out to hold is dropped rather than kept for the fix.
        const taken = takenBy ? takenNumberOf(takenBy, now) : undefined;
        if (takenBy && record?.series)
          await this.deps.store.raiseCounter(this.key.storeId, record.series, takenBy.correlative, now);
        const flagged = await this.deps.store.flag(this.key, expect, decision.problems, why, now, taken);
        return { status: "needs_attention", problems: decision.problems, record: flagged };
      }
      case "issue": {
        let held: ReceiptRecord;
        if (record && holdsNumber && !takenBy && record.series === decision.series) {
          held = await this.deps.store.repost(
            this.key,
            expect,
            factsOf(decision),
            this.repostWhy(record, decision),
            now,
          );
        } else {
          if (takenBy && record?.series)
            await this.deps.store.raiseCounter(this.key.storeId, record.series, takenBy.correlative, now);
          held = await this.reserve(
            expect,
            decision,
            takenBy,
            record?.series !== decision.series ? "the order now needs another series" : undefined,
          );
        }
        return this.post(held, decision, MAX_TAKEN_NUMBERS_PER_ATTEMPT);
      }
    }
  }

  /** Looks up, by number and by order, whether a POST with the record's number (or any of ours) landed. */
  private async resolveHeldNumber(record: ReceiptRecord): Promise<Resolution> {
    const [byNumber, byOrder] = await Promise.all([
      record.series && record.correlative
        ? this.api.findReceiptByNumber(record.series, record.correlative)
        : Promise.resolve(null),
      this.api.receiptsOfOrder(this.key.orderId),
    ]);
    const ours = ownSaleReceipts([...(byNumber ? [byNumber] : []), ...byOrder], this.key.orderId, record);
    if (ours.length > 1) return { kind: "several", receipts: ours };
    const [landed] = ours;
    if (landed) return { kind: "landed", receipt: landed };
    const postedAt = Date.parse(record.postedAt ?? record.updatedAt);
    const waitMs = postedAt + this.deps.lookupDelayMs - this.deps.now().getTime();
    if (waitMs > 0) return { kind: "unsure", retryAfterMs: waitMs };
    return byNumber ? { kind: "not_landed", takenBy: byNumber } : { kind: "not_landed" };
  }

  private repostWhy(record: ReceiptRecord, decision: IssueDecision): string {
    const base =
      record.state === "RESERVED"
        ? `${record.documentNumber} never landed; posted again with the order as it is now`
        : `order fixed; ${record.documentNumber} (never registered) posted again`;
    return decision.issueDateMoved ? `${base}; ${decision.issueDateMoved}` : base;
  }

  private async reserve(
    expect: Expect,
    decision: IssueDecision,
    takenBy: AceleralaReceipt | undefined,
    releaseWhy: string | undefined,
  ): Promise<ReceiptRecord> {
    const now = this.deps.now();
    return this.deps.store.reserve({
      key: this.key,
      expect,
      series: decision.series,
      facts: factsOf(decision),
      now,
      eventAt: this.eventAt,
      releaseWhy,
      taken: takenBy ? takenNumberOf(takenBy, now) : undefined,
      seedCounter: () => this.api.highestCorrelative(decision.series),
    });
  }

  /** POSTs the order's receipt under the number the record holds, with a body built from the order now. */
  private async post(
    record: ReceiptRecord,
    decision: IssueDecision,
    takenLeft: number,
  ): Promise<IssueOutcome> {
    const { series, correlative } = record;
    if (!series || !correlative) {
      throw new Error(
        `receipt of order ${this.key.storeId}/${this.key.orderId} is ${record.state} without a number`,
      );
    }
    const expect = expectOf(record);
    try {
      const created = await this.api.createReceipt({ ...decision.body, series, correlative });
      return this.adoptLanded(expect, created, decision);
    } catch (error) {
      if (!(error instanceof AceleralaError)) throw error;
      if (error.kind === "conflict") {
        const holder =
          error.existingReceiptId !== undefined
            ? await this.api.getReceipt(Number(error.existingReceiptId))
            : await this.api.findReceiptByNumber(series, correlative);
        if (!holder)
          return {
            status: "retry",
            reason: `409 for ${series}-${correlative} but the holder could not be read`,
          };
        const [own] = ownSaleReceipts([holder], this.key.orderId, record);
        // An earlier POST of ours landed after all (a list had not caught up): it is the order's receipt.
        if (own) return this.adoptLanded(expect, own, decision);
        // Another order's receipt (or one made outside this system) holds the number: move past it.
        const now = this.deps.now();
        await this.deps.store.raiseCounter(this.key.storeId, series, holder.correlative, now);
        if (takenLeft <= 0) {
          await this.deps.store.recordError(
            this.key,
            `${holder.document_number} is held by another receipt`,
            now,
          );
          return { status: "retry", reason: `${series}-${correlative} is held by another receipt` };
        }
        const next = await this.reserve(expect, decision, holder, undefined);
        return this.post(next, decision, takenLeft - 1);
      }
      if (error.kind === "validation") {
        // A definite refusal: nothing was stored, so the number stays with the order for a later fix.
        const problems = apiProblems(error);
        const flagged = await this.deps.store.flag(
          this.key,
          expect,
          problems,
          `API refused ${series}-${correlative}`,
          this.deps.now(),
        );
        return { status: "needs_attention", problems, record: flagged };
      }
      await this.deps.store.recordError(this.key, error.message, this.deps.now());
      // Whether or not this POST may have landed, the next attempt resolves the number first, and its
      // look-up is only believed `lookupDelayMs` after the POST: come back no sooner.
      const postedAt = Date.parse(record.postedAt ?? record.updatedAt);
      const waitMs = Math.max(0, postedAt + this.deps.lookupDelayMs - this.deps.now().getTime());
      const delaySeconds = Math.max(error.retryAfterSeconds ?? 0, Math.ceil(waitMs / 1000));
      return { status: "retry", reason: error.message, delaySeconds };
    }
  }

  /**
   * A receipt of this order is in the API. If it matches the order now, it is the order's receipt; if SUNAT
   * rejected it, it is REJECTED (the number is burnt; an operator re-issues); if it differs, or the order no
   * longer builds, a person decides (never a second receipt). A cancelled or unpaid order keeps the receipt
   * that landed: undoing it takes a credit note.
   */
  private async adoptLanded(
    expect: Expect,
    receipt: AceleralaReceipt,
    decision: Decision,
  ): Promise<IssueOutcome> {
    const now = this.deps.now();
    const landed = landedFrom(receipt);
    let problems: ReceiptProblemRecord[] = [];
    if (landed.sunatAnswer?.outcome !== "rejected") {
      if (decision.action === "issue") {
        const found = differences(receipt, decision);
        if (found.length > 0) problems = [landedDiffersProblem(receipt, found.join("; "))];
      } else if (decision.action === "needs_attention") {
        problems = [landedDiffersProblem(receipt, "el pedido ya no es válido"), ...decision.problems];
      }
    }
    if (problems.length > 0) {
      const record = await this.deps.store.holdLanded(this.key, expect, landed, problems, now);
      return { status: "needs_attention", problems, record };
    }
    const why =
      decision.action === "skip"
        ? `receipt ${landed.receiptId} landed; the order is ${decision.rule === "canceled" ? "cancelled" : "not payable"} now: a credit note is owed`
        : `API holds receipt ${landed.receiptId}`;
    const record = await this.deps.store.land(
      this.key,
      expect,
      landed,
      now.getTime() + this.deps.firstPollDelayMs,
      why,
      now,
    );
    return { status: "issued", record };
  }

  private async holdSeveral(expect: Expect, receipts: AceleralaReceipt[]): Promise<IssueOutcome> {
    const [first, ...others] = receipts as [AceleralaReceipt, ...AceleralaReceipt[]];
    const problems: ReceiptProblemRecord[] = [
      {
        field: "receipt",
        rule: "several_receipts_landed",
        message: `Acelérala tiene ${receipts.length} comprobantes para este pedido (${receipts.map((r) => r.document_number).join(", ")}); ${others.map((r) => r.document_number).join(", ")} deben anularse con nota de crédito.`,
      },
    ];
    const record = await this.deps.store.holdLanded(
      this.key,
      expect,
      landedFrom(first),
      problems,
      this.deps.now(),
    );
    return { status: "needs_attention", problems, record };
  }
}
