import { AceleralaError } from "../acelerala/errors";
import type { AceleralaReceipt, AceleralaTransaction } from "../acelerala/schemas";
import { sunatAnswerOf } from "../acelerala/sunat-answer";
import { StoreNotConfiguredError } from "../config/env";
import { phase, phaseSync } from "../observability/phases";
import type { CreditAllocation } from "../receipt";
import { ISSUED_STATES } from "../store/lifecycle";
import type { OrderKey, ReceiptProblemRecord, ReceiptRecord, ReplacedNumber } from "../store/receipt-record";
import {
  type DocumentFacts,
  type Expect,
  expectOf,
  noteKey,
  type ReceiptStore,
  StateConflictError,
} from "../store/receipt-store";
import {
  creditedByOthers,
  type NoteDecisionInput,
  type RefundTransaction,
  type WantedNote,
  wantedNotes,
} from "./credit-notes";
import { storeNotConfigured } from "./decide";
import {
  differences,
  landedDiffersProblem,
  landedFrom,
  maskDocument,
  noteDifferences,
  ownNotes,
  ownSaleReceipts,
  takenNumberOf,
} from "./landed";

/**
 * The receipt worker's decision for one order event: exactly one receipt per order, equal to what the
 * customer paid, whatever arrives twice, crashes, times out, is replayed hours later, or changes in between —
 * and, once SUNAT accepted it, exactly one credit note per cancellation and per refund. The guard is DynamoDB
 * (ReceiptStore, conditional on state and number), never the queue. For each document (the sale receipt, then
 * each credit note, each with its own record):
 *
 * 1. The record names a document the API holds → nothing to issue.
 * 2. Decide from the order as it is NOW (the event is only a hint).
 * 3. A number that may have been POSTed (RESERVED) is resolved before anything else: look the document up by
 *    number and by `order_id`. If one of this document's landed, it IS the document: adopt it when it matches
 *    what the order asks for, hold it for a person when it differs (`landed_receipt_differs`), never issue a
 *    second. Lists may lag behind a POST: until `lookupDelayMs` after the last possible POST, "not found" proves
 *    nothing and the message comes back later.
 * 4. Nothing landed → act on the order now: skip (the number is released), flag, or POST a body built now —
 *    the same number in the same series, a new one otherwise (the old one released, never reused).
 * 5. Whatever the API answers to the POST, only a document naming this order is adopted: a 409 holder that is
 *    another order's (or nobody's) moves the counter past it, and the document takes the next free number.
 * The API may honour our correlative (and 409 a repeat) or number documents itself: the record always keeps
 * the number the API reports, and the look-up by `order_id` guards either way.
 */

/** The body of a document as the receipt domain builds it now (lib/worker/decide.ts, credit-notes.ts). */
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

/** What the receipt domain decides for a document of an order. */
export type Decision =
  | {
      action: "skip";
      rule: "canceled" | "not_placed" | "payment_status" | "nothing_left_to_credit";
      reason: string;
    }
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
  refundsOfOrder(orderId: number): Promise<AceleralaTransaction[]>;
}

export interface IssueDeps {
  store: ReceiptStore;
  api: (storeId: number) => Promise<WorkerApi>;
  decide: (order: unknown, storeId: number) => Decision;
  /** A credit note's decision (lib/worker/credit-notes.ts `decideCreditNote`, with the stores configuration). */
  decideNote: (input: Omit<NoteDecisionInput, "stores">) => Decision & { allocation?: CreditAllocation };
  now: () => Date;
  /** How long after submission the poller first asks for the CDR. */
  firstPollDelayMs: number;
  /**
   * How long after a POST its absence from the API's lists is believed: the client's timeout (a POST can be
   * committed until then) plus the lag of the API's lists behind its writes.
   */
  lookupDelayMs: number;
}

/** What became of one credit note the order owes. */
export type NoteOutcome =
  | { note: string; status: "issued"; record: ReceiptRecord }
  | { note: string; status: "already_issued"; record: ReceiptRecord }
  | { note: string; status: "needs_attention"; problems: ReceiptProblemRecord[] }
  | { note: string; status: "skipped"; reason: string }
  /** Not now: the sale receipt is not accepted yet, or a transient failure; the event comes back. */
  | { note: string; status: "waiting"; reason: string; delaySeconds?: number };

export type IssueOutcome = (
  | { status: "issued"; record: ReceiptRecord }
  | { status: "already_issued"; record: ReceiptRecord }
  | { status: "needs_attention"; problems: ReceiptProblemRecord[]; record?: ReceiptRecord }
  | { status: "skipped"; reason: string }
  /** Transient: the message must come back later (after `delaySeconds` when known). */
  | { status: "retry"; reason: string; delaySeconds?: number }
) & { notes?: NoteOutcome[] };

/** How often one invocation moves past numbers other receipts hold before it leaves the rest to a retry. */
const MAX_TAKEN_NUMBERS_PER_ATTEMPT = 3;
/** A note owed on a receipt SUNAT has not accepted yet comes back this often to look again. */
const NOTE_WAIT_SECONDS = 60;

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

/** One document the worker settles: the sale receipt, or one credit note, each under its own record. */
interface DocumentPlan {
  key: OrderKey;
  decision: Decision;
  /** The API's receipts that are this document, given its record as read. */
  own(receipts: readonly AceleralaReceipt[], record: ReceiptRecord | undefined): AceleralaReceipt[];
  /** What differs between a document that landed and the one the decision asks for (empty: the same). */
  differences(receipt: AceleralaReceipt, decision: IssueDecision): string[];
  /** What the record keeps of the document it asks for (a note adds its motive and allocation). */
  facts(decision: IssueDecision): DocumentFacts;
  /** The sale receipt of a cancelled order with none is recorded CANCELED; a note with nothing to credit is not. */
  recordsCancellation: boolean;
}

function saleFacts(decision: IssueDecision): DocumentFacts {
  return {
    documentTypeCode: decision.documentTypeCode,
    currencyCode: decision.currencyCode,
    grossTotal: decision.grossTotal,
    issueDate: decision.issueDate,
    customerDocument: maskDocument(decision.customer.documentTypeCode, decision.customer.documentNumber),
  };
}

function salePlan(key: OrderKey, decision: Decision): DocumentPlan {
  return {
    key,
    decision,
    own: (receipts, record) => ownSaleReceipts(receipts, key.orderId, record),
    differences,
    facts: saleFacts,
    recordsCancellation: true,
  };
}

/** `eventAt`: when the order event reached the queue (SQS SentTimestamp); recorded with the reservation. */
export async function issueReceipt(key: OrderKey, deps: IssueDeps, eventAt?: Date): Promise<IssueOutcome> {
  const existing = await phase("record_read", key, () => deps.store.get(key));
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
  const issuer = new Issuer(deps, api, eventAt);
  try {
    const order = await phase("order_read", key, () => api.getOrder(key.orderId));
    const { receiptId, reissue } = existing ?? {};
    if (existing?.state === "NEEDS_ATTENTION" && receiptId !== undefined && reissue) {
      return await settleReissue(key, { ...existing, receiptId, reissue }, order, deps, api, issuer);
    }
    const sale =
      existing && ISSUED_STATES.includes(existing.state)
        ? ({ status: "already_issued", record: existing } as const)
        : await issuer.settle(
            existing,
            salePlan(
              key,
              phaseSync("build", key, () => deps.decide(order, key.storeId)),
            ),
          );
    if (sale.status !== "issued" && sale.status !== "already_issued") return sale;
    const notes = await settleCreditNotes(key, order, sale.record, deps, api, issuer);
    if (notes.length === 0) return sale;
    const waiting = notes.find((note) => note.status === "waiting");
    if (waiting?.status === "waiting") {
      return {
        status: "retry",
        reason: waiting.reason,
        delaySeconds: waiting.delaySeconds ?? NOTE_WAIT_SECONDS,
        notes,
      };
    }
    return { ...sale, notes };
  } catch (error) {
    return handleFailure(key, deps, error);
  }
}

async function handleFailure(key: OrderKey, deps: IssueDeps, error: unknown): Promise<IssueOutcome> {
  if (error instanceof StateConflictError) {
    // Another invocation moved the record first; what it did stands. Read it again on the next delivery.
    const now = await deps.store.get(key);
    if (now && ISSUED_STATES.includes(now.state) && error.key.document === undefined)
      return { status: "already_issued", record: now };
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

async function flagStore(
  key: OrderKey,
  existing: ReceiptRecord | undefined,
  deps: IssueDeps,
  detail: string,
): Promise<IssueOutcome> {
  const problems = [
    storeNotConfigured(
      `La tienda ${key.storeId} no tiene credenciales de Acelérala configuradas (${detail}): no se puede emitir.`,
    ),
  ];
  const record = await deps.store.flag(key, expectOf(existing), problems, "store not configured", deps.now());
  return { status: "needs_attention", problems, record };
}

/**
 * The credit notes a cancelled or refunded order owes on its sale receipt: only once SUNAT accepted the receipt
 * (SUBMITTED waits; a rejected receipt has nothing to credit), each under its own record and the same guard.
 */
async function settleCreditNotes(
  key: OrderKey,
  order: unknown,
  sale: ReceiptRecord,
  deps: IssueDeps,
  api: WorkerApi,
  issuer: Issuer,
): Promise<NoteOutcome[]> {
  const facts = (order ?? {}) as { canceled?: unknown; payment_status?: unknown };
  const refunded = facts.payment_status === "refunded" || facts.payment_status === "partially_refunded";
  const refunds: RefundTransaction[] = refunded
    ? (await api.refundsOfOrder(key.orderId)).map((refund) => ({
        id: Number(refund.id),
        amount: String(refund.amount),
        currencyCode: refund.currency_code,
      }))
    : [];
  const wanted = wantedNotes(facts, refunds);
  if (wanted.length === 0) return [];
  if (sale.state === "SUBMITTED" || sale.state === "STALE") {
    return wanted.map((note) => ({
      note: note.noteId,
      status: "waiting",
      reason: `${sale.documentNumber} is not accepted by SUNAT yet: the credit note for ${note.reason} waits`,
    }));
  }
  if (sale.state !== "ACCEPTED" || sale.receiptId === undefined || !sale.documentNumber) {
    // REJECTED: SUNAT burnt it, there is nothing to credit; a cancelled order's record says so.
    if (sale.state === "REJECTED" && sale.documentNumber && wanted.some((note) => note.noteId === "canceled"))
      await deps.store.close(
        key,
        sale.documentNumber,
        "the order is cancelled; its receipt was rejected",
        deps.now(),
      );
    return wanted.map((note) => ({
      note: note.noteId,
      status: "skipped",
      reason: `the receipt is ${sale.state}`,
    }));
  }
  const receipt = await api.getReceipt(sale.receiptId);
  const affected = { documentNumber: sale.documentNumber, grossTotal: sale.grossTotal ?? "0" };
  const outcomes: NoteOutcome[] = [];
  for (const note of wanted) {
    const outcome = await settleNote(key, affected, receipt, note, deps, issuer);
    outcomes.push(outcome);
    // The whole event comes back; the notes already issued are not issued again.
    if (outcome.status === "waiting") return outcomes;
  }
  return outcomes;
}

/**
 * `cpe reissue` of a receipt that landed and differs from the order: a credit note undoes it (motive 01, or 02
 * when the RUC was wrong), and once SUNAT accepted the note, the order takes a new number and a receipt built
 * from the order as it is now. Each step is its own guarded document; the event comes back between them.
 */
async function settleReissue(
  key: OrderKey,
  sale: ReceiptRecord & { receiptId: number; reissue: NonNullable<ReceiptRecord["reissue"]> },
  order: unknown,
  deps: IssueDeps,
  api: WorkerApi,
  issuer: Issuer,
): Promise<IssueOutcome> {
  const landed = await api.getReceipt(sale.receiptId);
  const answer = sunatAnswerOf(landed);
  if (answer?.outcome === "rejected") {
    // SUNAT rejected it after all: nothing to undo; the record becomes REJECTED and a resend reissues it.
    return issuer.settle(sale, salePlan(key, deps.decide(order, key.storeId)));
  }
  if (answer?.outcome !== "accepted") {
    return {
      status: "retry",
      reason: `${sale.documentNumber} is not accepted by SUNAT yet: the reissue waits`,
      delaySeconds: NOTE_WAIT_SECONDS,
    };
  }
  const affected = { documentNumber: landed.document_number, grossTotal: sale.grossTotal ?? "0" };
  const wanted: WantedNote = {
    noteId: `reissue-${sale.receiptId}`,
    motive: sale.reissue.motive,
    scope: { kind: "remainder" },
    reason: `cpe reissue of ${landed.document_number}`,
  };
  const note = await settleNote(key, affected, landed, wanted, deps, issuer);
  if (note.status === "waiting") {
    return {
      status: "retry",
      reason: note.reason,
      delaySeconds: note.delaySeconds ?? NOTE_WAIT_SECONDS,
      notes: [note],
    };
  }
  if (note.status === "needs_attention")
    return { status: "needs_attention", problems: note.problems, notes: [note] };
  const noteRecord = note.status === "issued" || note.status === "already_issued" ? note.record : undefined;
  // Nothing left to credit means earlier notes already undid all of it.
  if (noteRecord && noteRecord.state !== "ACCEPTED") {
    return {
      status: "retry",
      reason: `credit note ${noteRecord.documentNumber} is ${noteRecord.state}: the new receipt waits for SUNAT to accept it`,
      delaySeconds: NOTE_WAIT_SECONDS,
      notes: [note],
    };
  }
  const decision = deps.decide(order, key.storeId);
  if (decision.action !== "issue") {
    return decision.action === "skip"
      ? { status: "skipped", reason: decision.reason, notes: [note] }
      : { status: "needs_attention", problems: decision.problems, notes: [note] };
  }
  const outcome = await issuer.replace(sale, salePlan(key, decision), decision, {
    documentNumber: landed.document_number,
    receiptId: Number(landed.id),
    creditNote: noteRecord?.documentNumber ?? "(already credited)",
    at: deps.now().toISOString(),
  });
  return { ...outcome, notes: [note] };
}

/** One credit note on `affected` (the receipt as the API holds it), under its own record and the same guard. */
async function settleNote(
  key: OrderKey,
  affected: { documentNumber: string; grossTotal: string },
  receipt: AceleralaReceipt,
  note: WantedNote,
  deps: IssueDeps,
  issuer: Issuer,
): Promise<NoteOutcome> {
  const noteRecordKey = noteKey(key, note.noteId);
  const records = await deps.store.notesOf(key);
  const record = records.find((candidate) => candidate.document === noteRecordKey.document);
  if (record && ISSUED_STATES.includes(record.state))
    return { note: note.noteId, status: "already_issued", record };
  const decision = deps.decideNote({
    receipt,
    receiptGrossTotal: affected.grossTotal,
    storeId: key.storeId,
    wanted: note,
    alreadyCredited: creditedByOthers(records, noteRecordKey.document ?? "", affected.documentNumber),
    now: deps.now(),
  });
  const claimed = new Set(
    records
      .filter((other) => other.document !== noteRecordKey.document && other.receiptId !== undefined)
      .map((other) => String(other.receiptId)),
  );
  const outcome = await issuer.settle(record, {
    key: noteRecordKey,
    decision,
    own: (receipts) => ownNotes(receipts, key.orderId, affected.documentNumber, note.motive, claimed),
    differences: noteDifferences,
    facts: (issue) => ({
      ...saleFacts(issue),
      noteMotive: note.motive,
      affectedDocumentNumber: affected.documentNumber,
      noteReason: note.reason,
      ...("allocation" in decision && decision.allocation ? { allocation: decision.allocation } : {}),
    }),
    recordsCancellation: false,
  });
  if (outcome.status === "retry")
    return {
      note: note.noteId,
      status: "waiting",
      reason: outcome.reason,
      delaySeconds: outcome.delaySeconds,
    };
  return { note: note.noteId, ...outcome } as NoteOutcome;
}

type Resolution =
  | { kind: "landed"; receipt: AceleralaReceipt }
  | { kind: "several"; receipts: AceleralaReceipt[] }
  | { kind: "not_landed"; takenBy?: AceleralaReceipt }
  | { kind: "unsure"; retryAfterMs: number };

class Issuer {
  constructor(
    private readonly deps: IssueDeps,
    private readonly api: WorkerApi,
    private readonly eventAt: Date | undefined,
  ) {}

  /** Settles one document under its record: see the steps at the top of this file. */
  async settle(record: ReceiptRecord | undefined, plan: DocumentPlan): Promise<IssueOutcome> {
    const { key, decision } = plan;
    const expect = expectOf(record);
    let takenBy: AceleralaReceipt | undefined;
    // 1. A number that may have been POSTed is never forgotten: resolve it before the record moves anywhere.
    if (record?.state === "RESERVED") {
      // An earlier attempt left it unresolved: from now on the overdue gauge watches it.
      await this.deps.store.markUnresolved(key, record);
      const resolution = await this.resolveHeldNumber(record, plan);
      switch (resolution.kind) {
        case "unsure":
          return {
            status: "retry",
            reason: `${record.documentNumber} may still land: looking it up again later`,
            delaySeconds: Math.ceil(resolution.retryAfterMs / 1000),
          };
        case "landed":
          return this.adoptLanded(expect, resolution.receipt, plan);
        case "several":
          return this.holdSeveral(expect, resolution.receipts, plan);
        case "not_landed":
          takenBy = resolution.takenBy;
      }
    } else if (record?.state === "NEEDS_ATTENTION" && record.receiptId !== undefined) {
      // The record holds a document that landed but differed: compare it with the order as it is now.
      return this.adoptLanded(expect, await this.api.getReceipt(record.receiptId), plan);
    }

    // 2. Nothing landed under the number held (if any): act on the order as it is now.
    const now = this.deps.now();
    const holdsNumber = record?.documentNumber !== undefined;
    switch (decision.action) {
      case "skip": {
        if (record && holdsNumber) {
          const to = decision.rule === "canceled" ? "CANCELED" : "SKIPPED";
          await this.deps.store.release(key, expect, to, decision.reason, now);
        } else if (
          plan.recordsCancellation &&
          decision.rule === "canceled" &&
          (!record || record.state === "SKIPPED" || record.state === "NEEDS_ATTENTION")
        ) {
          await this.deps.store.cancel(key, expect, decision.reason, now);
        }
        return { status: "skipped", reason: decision.reason };
      }
      case "needs_attention": {
        const why = decision.problems[0]?.message ?? "order refused";
        // A held number another receipt turned out to hold is dropped rather than kept for the fix.
        const taken = takenBy ? takenNumberOf(takenBy, now) : undefined;
        if (takenBy && record?.series)
          await this.deps.store.raiseCounter(key.storeId, record.series, takenBy.correlative, now);
        const flagged = await this.deps.store.flag(key, expect, decision.problems, why, now, taken);
        return { status: "needs_attention", problems: decision.problems, record: flagged };
      }
      case "issue": {
        let held: ReceiptRecord;
        if (record && holdsNumber && !takenBy && record.series === decision.series) {
          held = await this.deps.store.repost(
            key,
            expect,
            plan.facts(decision),
            this.repostWhy(record, decision),
            now,
          );
        } else {
          if (takenBy && record?.series)
            await this.deps.store.raiseCounter(key.storeId, record.series, takenBy.correlative, now);
          const releaseWhy =
            record?.series !== decision.series ? "the order now needs another series" : undefined;
          held = await this.reserve(plan, record, decision, takenBy, releaseWhy);
        }
        return this.post(held, plan, decision, MAX_TAKEN_NUMBERS_PER_ATTEMPT);
      }
    }
  }

  /** `cpe reissue`'s last step: the record's landed receipt, undone by a credit note, is replaced by a new one. */
  async replace(
    record: ReceiptRecord,
    plan: DocumentPlan,
    decision: IssueDecision,
    replaced: ReplacedNumber,
  ): Promise<IssueOutcome> {
    const now = this.deps.now();
    const held = await this.deps.store.reserve({
      key: plan.key,
      expect: expectOf(record),
      read: record,
      series: decision.series,
      facts: plan.facts(decision),
      now,
      eventAt: this.eventAt,
      replaced,
      seedCounter: () => this.api.highestCorrelative(decision.series),
    });
    return this.post(held, plan, decision, MAX_TAKEN_NUMBERS_PER_ATTEMPT);
  }

  /** Looks up, by number and by order, whether a POST with the record's number (or any of ours) landed. */
  private async resolveHeldNumber(record: ReceiptRecord, plan: DocumentPlan): Promise<Resolution> {
    const [byNumber, byOrder] = await Promise.all([
      record.series && record.correlative
        ? this.api.findReceiptByNumber(record.series, record.correlative)
        : Promise.resolve(null),
      this.api.receiptsOfOrder(plan.key.orderId),
    ]);
    const ours = plan.own([...(byNumber ? [byNumber] : []), ...byOrder], record);
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
    plan: DocumentPlan,
    /** The record as read (undefined: none); the reservation is conditional on its state and number. */
    record: ReceiptRecord | undefined,
    decision: IssueDecision,
    takenBy: AceleralaReceipt | undefined,
    releaseWhy: string | undefined,
  ): Promise<ReceiptRecord> {
    const now = this.deps.now();
    return phase("reservation", plan.key, () =>
      this.deps.store.reserve({
        key: plan.key,
        expect: expectOf(record),
        read: record ?? null,
        series: decision.series,
        facts: plan.facts(decision),
        now,
        eventAt: this.eventAt,
        releaseWhy,
        taken: takenBy ? takenNumberOf(takenBy, now) : undefined,
        seedCounter: () => this.api.highestCorrelative(decision.series),
      }),
    );
  }

  /** POSTs the document under the number the record holds, with a body built from the order now. */
  private async post(
    record: ReceiptRecord,
    plan: DocumentPlan,
    decision: IssueDecision,
    takenLeft: number,
  ): Promise<IssueOutcome> {
    const { key } = plan;
    const { series, correlative } = record;
    if (!series || !correlative) {
      throw new Error(`receipt of order ${key.storeId}/${key.orderId} is ${record.state} without a number`);
    }
    const expect = expectOf(record);
    try {
      const created = await phase("post", key, () =>
        this.api.createReceipt({ ...decision.body, series, correlative }),
      );
      return this.adoptLanded(expect, created, plan);
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
        const [own] = plan.own([holder], record);
        // An earlier POST of ours landed after all (a list had not caught up): it is the document.
        if (own) return this.adoptLanded(expect, own, plan);
        // Another order's receipt (or one made outside this system) holds the number: move past it.
        const now = this.deps.now();
        await this.deps.store.raiseCounter(key.storeId, series, holder.correlative, now);
        if (takenLeft <= 0) {
          await this.deps.store.recordError(key, `${holder.document_number} is held by another receipt`, now);
          return { status: "retry", reason: `${series}-${correlative} is held by another receipt` };
        }
        const next = await this.reserve(plan, record, decision, holder, undefined);
        return this.post(next, plan, decision, takenLeft - 1);
      }
      if (error.kind === "validation") {
        // A definite refusal: nothing was stored, so the number stays with the document for a later fix.
        const problems = apiProblems(error);
        const flagged = await this.deps.store.flag(
          key,
          expect,
          problems,
          `API refused ${series}-${correlative}`,
          this.deps.now(),
        );
        return { status: "needs_attention", problems, record: flagged };
      }
      await this.deps.store.recordError(key, error.message, this.deps.now());
      // Whether or not this POST may have landed, the next attempt resolves the number first, and its
      // look-up is only believed `lookupDelayMs` after the POST: come back no sooner.
      const postedAt = Date.parse(record.postedAt ?? record.updatedAt);
      const waitMs = Math.max(0, postedAt + this.deps.lookupDelayMs - this.deps.now().getTime());
      const delaySeconds = Math.max(error.retryAfterSeconds ?? 0, Math.ceil(waitMs / 1000));
      return { status: "retry", reason: error.message, delaySeconds };
    }
  }

  /**
   * A document of this order is in the API. If it matches what the order asks for now, it is the document; if
   * SUNAT rejected it, it is REJECTED (the number is burnt); if it differs, or the order no longer builds it, a
   * person decides (never a second document). A cancelled or unpaid order keeps the receipt that landed:
   * undoing it takes a credit note.
   */
  private async adoptLanded(
    expect: Expect,
    receipt: AceleralaReceipt,
    plan: DocumentPlan,
  ): Promise<IssueOutcome> {
    const { key, decision } = plan;
    const now = this.deps.now();
    const landed = landedFrom(receipt);
    let problems: ReceiptProblemRecord[] = [];
    if (landed.sunatAnswer?.outcome !== "rejected") {
      if (decision.action === "issue") {
        const found = plan.differences(receipt, decision);
        if (found.length > 0) problems = [landedDiffersProblem(receipt, found.join("; "))];
      } else if (decision.action === "needs_attention") {
        problems = [landedDiffersProblem(receipt, "el pedido ya no es válido"), ...decision.problems];
      }
    }
    if (problems.length > 0) {
      const record = await this.deps.store.holdLanded(key, expect, landed, problems, now);
      return { status: "needs_attention", problems, record };
    }
    const why =
      decision.action === "skip"
        ? `receipt ${landed.receiptId} landed; the order is ${decision.rule === "canceled" ? "cancelled" : "not payable"} now: a credit note is owed`
        : `API holds receipt ${landed.receiptId}`;
    const record = await phase("state_write", key, () =>
      this.deps.store.land(key, expect, landed, now.getTime() + this.deps.firstPollDelayMs, why, now),
    );
    return { status: "issued", record };
  }

  private async holdSeveral(
    expect: Expect,
    receipts: AceleralaReceipt[],
    plan: DocumentPlan,
  ): Promise<IssueOutcome> {
    const [first, ...others] = receipts as [AceleralaReceipt, ...AceleralaReceipt[]];
    const problems: ReceiptProblemRecord[] = [
      {
        field: "receipt",
        rule: "several_receipts_landed",
        message: `Acelérala tiene ${receipts.length} comprobantes para este pedido (${receipts.map((r) => r.document_number).join(", ")}); ${others.map((r) => r.document_number).join(", ")} deben anularse con nota de crédito.`,
      },
    ];
    const record = await this.deps.store.holdLanded(
      plan.key,
      expect,
      landedFrom(first),
      problems,
      this.deps.now(),
    );
    return { status: "needs_attention", problems, record };
  }
}
