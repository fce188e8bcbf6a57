import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import type {
  BurntNumber,
  OrderKey,
  ReceiptProblemRecord,
  ReceiptRecord,
  ReceiptState,
  StateTransition,
} from "./receipt-record";
import { PENDING_CDR_PARTITION, RECEIPTS_TABLE } from "./table-definition";

/**
 * The DynamoDB side of exactly-once. Every write is conditional on the state it expects, so duplicate
 * webhooks, Lambda retries, DLQ replays and overlapping poller runs can never move a receipt backwards
 * or give one order two numbers.
 */

const PK = RECEIPTS_TABLE.partitionKey.name;
const SK = RECEIPTS_TABLE.sortKey.name;
const INDEX = RECEIPTS_TABLE.pendingCdrIndex;

/** The sale receipt of an order. Credit notes will get their own sort key. */
const RECEIPT_SORT_KEY = "RECEIPT";
const COUNTER_SORT_KEY = "COUNTER";

/** Optimistic counter updates retried this many times before giving up (the message is then retried). */
const MAX_RESERVE_ATTEMPTS = 50;

/** Random back-off between counter races, so racing workers spread out instead of colliding again. */
function jitter(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(5 * (attempt + 1), 100);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** What the pending-CDR index holds of a receipt: its keys and the projected attributes, nothing more. */
export type PendingReceipt = Pick<ReceiptRecord, (typeof INDEX.projectedAttributes)[number]>;

export function receiptKey(key: OrderKey): Record<string, string> {
  return { [PK]: `ORDER#${key.storeId}#${key.orderId}`, [SK]: RECEIPT_SORT_KEY };
}

function counterKey(storeId: number, series: string): Record<string, string> {
  return { [PK]: `COUNTER#${storeId}#${series}`, [SK]: COUNTER_SORT_KEY };
}

/** The record was not in a state that allows this change (another worker or poller got there first). */
export class StateConflictError extends Error {
  constructor(
    readonly key: OrderKey,
    readonly expected: readonly ReceiptState[],
  ) {
    super(`receipt of order ${key.storeId}/${key.orderId} is not in state ${expected.join(" or ")}`);
    this.name = "StateConflictError";
  }
}

export interface ReserveInput {
  key: OrderKey;
  documentTypeCode: string;
  series: string;
  currencyCode: string;
  grossTotal: string;
  /** Renders the exact request body for the allocated correlative. */
  requestBodyFor: (correlative: number) => string;
  now: Date;
  /** When the order event reached the queue; kept from the first reservation on (default: `now`). */
  eventAt?: Date;
  /**
   * The order's NEEDS_ATTENTION record as last read, when it has one. Without it the order must have no
   * record at all; otherwise nothing is written and the existing record comes back (`reserved: false`).
   */
  previous?: ReceiptRecord;
}

function reservedRecord(
  input: ReserveInput,
  correlative: number,
  documentNumber: string,
  reserved: StateTransition,
): ReceiptRecord {
  return {
    storeId: input.key.storeId,
    orderId: input.key.orderId,
    state: "RESERVED",
    documentTypeCode: input.documentTypeCode,
    series: input.series,
    correlative,
    documentNumber,
    currencyCode: input.currencyCode,
    grossTotal: input.grossTotal,
    requestBody: input.requestBodyFor(correlative),
    createdAt: input.now.toISOString(),
    updatedAt: input.now.toISOString(),
    eventAt: (input.eventAt ?? input.now).toISOString(),
    history: [reserved],
  };
}

export type ReserveResult =
  | { reserved: true; record: ReceiptRecord }
  /** The order already has a record in a state that does not take a new number; nothing was written. */
  | { reserved: false; record: ReceiptRecord };

export interface SunatAnswer {
  accepted: boolean;
  sunatCode: string | null;
  sunatMessage: string | null;
  cdrUrl: string | null;
  xmlUrl: string | null;
  pdfUrl: string | null;
}

export interface SubmittedReceipt {
  receiptId: number;
  /** When SUNAT answered within the POST itself, the receipt goes straight to its final state. */
  sunatAnswer: SunatAnswer | null;
  /** When the poller should first ask for the CDR (epoch ms). */
  nextPollAt: number;
}

function transition(from: ReceiptState | null, to: ReceiptState, why: string, now: Date): StateTransition {
  return { at: now.toISOString(), from, to, why };
}

function stateCondition(expected: readonly ReceiptState[], values: Record<string, unknown>): string {
  const names = expected.map((state, i) => {
    values[`:expected${i}`] = state;
    return `:expected${i}`;
  });
  return `#state IN (${names.join(", ")})`;
}

function isConditionalFailure(error: unknown): boolean {
  return error instanceof Error && error.name === "ConditionalCheckFailedException";
}

export class ReceiptStore {
  /** Last correlative this process wrote per store and series: saves the counter read on the happy path. */
  private readonly lastCorrelatives = new Map<string, number>();
  /** The reservation in progress per store and series; the next one waits for it. */
  private readonly seriesTurns = new Map<string, Promise<void>>();

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(key: OrderKey): Promise<ReceiptRecord | undefined> {
    const result = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: receiptKey(key), ConsistentRead: true }),
    );
    return result.Item as ReceiptRecord | undefined;
  }

  /**
   * Allocates the next correlative of `series` to this order in ONE transaction: the per-series counter
   * moves from n to n+1 only if it still is n (optimistic lock), and the order's record takes the number
   * only if it has none yet (new, or NEEDS_ATTENTION without a number). Either both happen or neither.
   */
  reserve(input: ReserveInput): Promise<ReserveResult> {
    // Orders of one series wait for each other inside this process: racing our own counter would only turn
    // into conditional-check failures and retries. Other processes still race, and the condition decides.
    const cacheKey = `${input.key.storeId}#${input.series}`;
    const turn = (this.seriesTurns.get(cacheKey) ?? Promise.resolve()).then(() =>
      this.reserveNow(input, cacheKey),
    );
    const settled = turn.then(
      () => undefined,
      () => undefined,
    );
    this.seriesTurns.set(cacheKey, settled);
    void settled.then(() => {
      if (this.seriesTurns.get(cacheKey) === settled) this.seriesTurns.delete(cacheKey);
    });
    return turn;
  }

  private async reserveNow(input: ReserveInput, cacheKey: string): Promise<ReserveResult> {
    const { key, series, now } = input;
    for (let attempt = 0; attempt < MAX_RESERVE_ATTEMPTS; attempt++) {
      if (attempt > 0) await jitter(attempt);
      // The last value this process wrote is usually still current (one worker environment handles a run of
      // orders); when another environment moved the counter, the condition fails and we read it instead.
      let last = this.lastCorrelatives.get(cacheKey);
      if (last === undefined) {
        const counter = await this.db.send(
          new GetCommand({
            TableName: this.tableName,
            Key: counterKey(key.storeId, series),
            ConsistentRead: true,
          }),
        );
        last = typeof counter.Item?.last === "number" ? counter.Item.last : 0;
      }
      const correlative = last + 1;
      const documentNumber = `${series}-${correlative}`;
      const transitionOut = transition(
        input.previous?.state ?? null,
        "RESERVED",
        `number ${documentNumber} reserved`,
        now,
      );
      try {
        await this.db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: this.tableName,
                  Key: counterKey(key.storeId, series),
                  UpdateExpression: "SET #last = :next, updatedAt = :now",
                  ConditionExpression: last > 0 ? "#last = :last" : `attribute_not_exists(${PK})`,
                  ExpressionAttributeNames: { "#last": "last" },
                  ExpressionAttributeValues: {
                    ":next": correlative,
                    ":now": now.toISOString(),
                    ...(last > 0 ? { ":last": last } : {}),
                  },
                },
              },
              {
                Update: {
                  TableName: this.tableName,
                  Key: receiptKey(key),
                  UpdateExpression:
                    "SET storeId = :storeId, orderId = :orderId, #state = :reserved, documentTypeCode = :type, " +
                    "series = :series, correlative = :correlative, documentNumber = :number, " +
                    "currencyCode = :currency, grossTotal = :gross, requestBody = :body, " +
                    "createdAt = if_not_exists(createdAt, :now), updatedAt = :now, " +
                    "eventAt = if_not_exists(eventAt, :eventAt), " +
                    "history = list_append(if_not_exists(history, :empty), :transition) " +
                    "REMOVE problems, lastError",
                  // A new order: no record yet. A NEEDS_ATTENTION record (passed as `previous`) keeps a number the
                  // API refused; it takes a new one only when the fixed order needs another series (e.g. the
                  // customer now wants a Factura instead of a Boleta).
                  ConditionExpression: input.previous
                    ? "#state = :needsAttention AND (attribute_not_exists(series) OR series <> :series)"
                    : `attribute_not_exists(${PK})`,
                  ExpressionAttributeNames: { "#state": "state" },
                  ExpressionAttributeValues: {
                    ":storeId": key.storeId,
                    ":orderId": key.orderId,
                    ":reserved": "RESERVED",
                    ...(input.previous ? { ":needsAttention": "NEEDS_ATTENTION" } : {}),
                    ":type": input.documentTypeCode,
                    ":series": series,
                    ":correlative": correlative,
                    ":number": documentNumber,
                    ":currency": input.currencyCode,
                    ":gross": input.grossTotal,
                    ":body": input.requestBodyFor(correlative),
                    ":now": now.toISOString(),
                    ":eventAt": (input.eventAt ?? now).toISOString(),
                    ":empty": [],
                    ":transition": [transitionOut],
                  },
                },
              },
            ],
          }),
        );
        this.lastCorrelatives.set(cacheKey, correlative);
        // A new record is exactly what we wrote; one that existed (NEEDS_ATTENTION) has history to read back.
        const record = input.previous
          ? await this.get(key)
          : reservedRecord(input, correlative, documentNumber, transitionOut);
        if (!record) throw new Error(`reserved record of order ${key.storeId}/${key.orderId} vanished`);
        return { reserved: true, record };
      } catch (error) {
        this.lastCorrelatives.delete(cacheKey);
        if (!(error instanceof TransactionCanceledException)) throw error;
        const [counterReason, recordReason] = error.CancellationReasons ?? [];
        if (recordReason?.Code === "ConditionalCheckFailed") {
          const existing = await this.get(key);
          if (existing) return { reserved: false, record: existing };
          continue; // the record was deleted in between: try again
        }
        if (
          counterReason?.Code === "ConditionalCheckFailed" ||
          counterReason?.Code === "TransactionConflict"
        ) {
          continue; // another order took this correlative first: read the counter again
        }
        if (recordReason?.Code === "TransactionConflict") continue;
        throw error;
      }
    }
    throw new Error(`could not reserve a number in series ${series} after ${MAX_RESERVE_ATTEMPTS} attempts`);
  }

  /**
   * A NEEDS_ATTENTION record whose number the API refused, now fixed: back to RESERVED with the new request
   * body under the SAME number (the API never registered it, so it is not burnt).
   */
  async reuseReservedNumber(
    key: OrderKey,
    input: { series: string; grossTotal: string; currencyCode: string; requestBody: string },
    now: Date,
  ): Promise<ReceiptRecord> {
    const values: Record<string, unknown> = {
      ":state": "RESERVED",
      ":series": input.series,
      ":gross": input.grossTotal,
      ":currency": input.currencyCode,
      ":body": input.requestBody,
      ":now": now.toISOString(),
      ":transition": [transition("NEEDS_ATTENTION", "RESERVED", "order fixed; same number resubmitted", now)],
    };
    return this.update(
      key,
      "SET #state = :state, grossTotal = :gross, currencyCode = :currency, requestBody = :body, updatedAt = :now, " +
        "history = list_append(history, :transition) REMOVE problems",
      values,
      ["NEEDS_ATTENTION"],
      "series = :series",
    );
  }

  /**
   * The order breaks a rule or the API refused the data. Allowed from nothing, RESERVED or NEEDS_ATTENTION:
   * a reserved number the API never accepted stays on the record so a later resend reuses it.
   */
  async markNeedsAttention(
    key: OrderKey,
    problems: ReceiptProblemRecord[],
    why: string,
    now: Date,
  ): Promise<void> {
    const previous = await this.get(key);
    const values: Record<string, unknown> = {
      ":storeId": key.storeId,
      ":orderId": key.orderId,
      ":state": "NEEDS_ATTENTION",
      ":problems": problems,
      ":now": now.toISOString(),
      ":empty": [],
      ":transition": [transition(previous?.state ?? null, "NEEDS_ATTENTION", why, now)],
    };
    const allowed: ReceiptState[] = ["RESERVED", "NEEDS_ATTENTION"];
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: receiptKey(key),
          UpdateExpression:
            "SET storeId = :storeId, orderId = :orderId, #state = :state, problems = :problems, " +
            "createdAt = if_not_exists(createdAt, :now), updatedAt = :now, " +
            "history = list_append(if_not_exists(history, :empty), :transition)",
          ConditionExpression: `attribute_not_exists(${PK}) OR ${stateCondition(allowed, values)}`,
          ExpressionAttributeNames: { "#state": "state" },
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (isConditionalFailure(error)) throw new StateConflictError(key, allowed);
      throw error;
    }
  }

  /** The API confirmed the receipt. Goes to SUBMITTED (into the pending-CDR index) or straight to final. */
  async markSubmitted(
    key: OrderKey,
    from: ReceiptState,
    submitted: SubmittedReceipt,
    now: Date,
  ): Promise<ReceiptRecord> {
    const answer = submitted.sunatAnswer;
    const to: ReceiptState = answer ? (answer.accepted ? "ACCEPTED" : "REJECTED") : "SUBMITTED";
    const values: Record<string, unknown> = {
      ":state": to,
      ":receiptId": submitted.receiptId,
      ":now": now.toISOString(),
      ":transition": [transition(from, to, `API confirmed receipt ${submitted.receiptId}`, now)],
    };
    let update =
      "SET #state = :state, receiptId = :receiptId, submittedAt = :now, updatedAt = :now, " +
      "history = list_append(history, :transition)";
    if (answer) {
      update += `, finalizedAt = :now, ${sunatAssignments(answer, values)}`;
    } else {
      update += ", pendingCdr = :pending, nextPollAt = :nextPollAt, pollCount = :zero";
      values[":pending"] = PENDING_CDR_PARTITION;
      values[":nextPollAt"] = submitted.nextPollAt;
      values[":zero"] = 0;
    }
    update += " REMOVE problems, lastError";
    return this.update(key, update, values, ["RESERVED", "NEEDS_ATTENTION"]);
  }

  /** SUNAT answered (poller): final state, out of the pending-CDR index. Only from SUBMITTED. */
  async recordSunatAnswer(key: OrderKey, answer: SunatAnswer, now: Date): Promise<ReceiptRecord> {
    const to: ReceiptState = answer.accepted ? "ACCEPTED" : "REJECTED";
    const values: Record<string, unknown> = {
      ":state": to,
      ":now": now.toISOString(),
      ":transition": [transition("SUBMITTED", to, `SUNAT code ${answer.sunatCode ?? "none"}`, now)],
    };
    const update =
      "SET #state = :state, updatedAt = :now, finalizedAt = :now, history = list_append(history, :transition), " +
      `${sunatAssignments(answer, values)} REMOVE pendingCdr, nextPollAt`;
    return this.update(key, update, values, ["SUBMITTED"]);
  }

  /** No answer yet: ask again at `nextPollAt`. Only from SUBMITTED, so a late run cannot revive a final receipt. */
  async reschedulePoll(key: OrderKey, nextPollAt: number, now: Date): Promise<void> {
    await this.update(
      key,
      "SET nextPollAt = :nextPollAt, updatedAt = :now, pollCount = if_not_exists(pollCount, :zero) + :one",
      { ":nextPollAt": nextPollAt, ":now": now.toISOString(), ":zero": 0, ":one": 1 },
      ["SUBMITTED"],
    );
  }

  async markStale(key: OrderKey, why: string, now: Date): Promise<void> {
    await this.update(
      key,
      "SET #state = :state, updatedAt = :now, history = list_append(history, :transition) REMOVE pendingCdr, nextPollAt",
      {
        ":state": "STALE",
        ":now": now.toISOString(),
        ":transition": [transition("SUBMITTED", "STALE", why, now)],
      },
      ["SUBMITTED"],
    );
  }

  /**
   * `cpe resend` of a REJECTED receipt: SUNAT burnt its number, so the order must be issued again under a NEW
   * one. The burnt number (with its receipt id and SUNAT code) moves to `burntNumbers`, every number- and
   * SUNAT-related attribute is removed, and the record becomes NEEDS_ATTENTION without a number; the worker then
   * reserves the next correlative for it (`reserve({ previous })`). Conditional on the record still being
   * REJECTED under the number read here, so two concurrent resends burn it once and the loser gets a
   * StateConflictError.
   */
  async markForReissue(key: OrderKey, why: string, now: Date): Promise<ReceiptRecord> {
    const current = await this.get(key);
    if (current?.state !== "REJECTED" || !current.documentNumber)
      throw new StateConflictError(key, ["REJECTED"]);
    const burnt: BurntNumber = { documentNumber: current.documentNumber, at: now.toISOString() };
    if (current.receiptId !== undefined) burnt.receiptId = current.receiptId;
    if (current.sunatCode !== undefined) burnt.sunatCode = current.sunatCode;
    const code = current.sunatCode ? ` (SUNAT ${current.sunatCode})` : "";
    const values: Record<string, unknown> = {
      ":state": "NEEDS_ATTENTION",
      ":number": current.documentNumber,
      ":burnt": [burnt],
      ":empty": [],
      ":now": now.toISOString(),
      ":transition": [
        transition(
          "REJECTED",
          "NEEDS_ATTENTION",
          `${why}; ${current.documentNumber} stays burnt${code}`,
          now,
        ),
      ],
    };
    return this.update(
      key,
      "SET #state = :state, updatedAt = :now, history = list_append(history, :transition), " +
        "burntNumbers = list_append(if_not_exists(burntNumbers, :empty), :burnt) " +
        "REMOVE series, correlative, documentNumber, requestBody, receiptId, submittedAt, sunatCode, " +
        "sunatMessage, cdrUrl, xmlUrl, pdfUrl, finalizedAt",
      values,
      ["REJECTED"],
      "documentNumber = :number",
    );
  }

  /** Keeps the last transient error on the record for operators (`cpe status`); changes no state. */
  async recordError(key: OrderKey, message: string, now: Date): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: receiptKey(key),
          UpdateExpression: "SET lastError = :message, updatedAt = :now",
          ConditionExpression: `attribute_exists(${PK})`,
          ExpressionAttributeValues: { ":message": message.slice(0, 500), ":now": now.toISOString() },
        }),
      );
    } catch (error) {
      if (!isConditionalFailure(error)) throw error;
    }
  }

  /** Receipts whose next poll is due, oldest due first, one page at a time. */
  async queryDue(
    now: Date,
    limit: number,
    startKey?: Record<string, unknown>,
  ): Promise<{ records: PendingReceipt[]; nextKey: Record<string, unknown> | undefined }> {
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: INDEX.indexName,
        KeyConditionExpression: "#partition = :pending AND #due <= :now",
        ExpressionAttributeNames: { "#partition": INDEX.partitionKey.name, "#due": INDEX.sortKey.name },
        ExpressionAttributeValues: { ":pending": PENDING_CDR_PARTITION, ":now": now.getTime() },
        Limit: limit,
        ExclusiveStartKey: startKey,
      }),
    );
    return { records: (result.Items ?? []) as PendingReceipt[], nextKey: result.LastEvaluatedKey };
  }

  /**
   * Every receipt record, optionally filtered by state and creation time. A Scan: meant for operators'
   * listings (`cpe receipts`), not for hot paths.
   */
  async *scan(filter: { state?: ReceiptState; since?: Date } = {}): AsyncGenerator<ReceiptRecord> {
    const conditions = ["#sk = :receipt"];
    const names: Record<string, string> = { "#sk": SK };
    const values: Record<string, unknown> = { ":receipt": RECEIPT_SORT_KEY };
    if (filter.state) {
      conditions.push("#state = :state");
      names["#state"] = "state";
      values[":state"] = filter.state;
    }
    if (filter.since) {
      conditions.push("createdAt >= :since");
      values[":since"] = filter.since.toISOString();
    }
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: conditions.join(" AND "),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) yield item as ReceiptRecord;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  private async update(
    key: OrderKey,
    updateExpression: string,
    values: Record<string, unknown>,
    expected: readonly ReceiptState[],
    extraCondition?: string,
  ): Promise<ReceiptRecord> {
    const condition = stateCondition(expected, values);
    try {
      const result = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: receiptKey(key),
          UpdateExpression: updateExpression,
          ConditionExpression: extraCondition ? `${condition} AND ${extraCondition}` : condition,
          ExpressionAttributeNames: { "#state": "state" },
          ExpressionAttributeValues: values,
          ReturnValues: "ALL_NEW",
        }),
      );
      return result.Attributes as ReceiptRecord;
    } catch (error) {
      if (isConditionalFailure(error)) throw new StateConflictError(key, expected);
      throw error;
    }
  }
}

function sunatAssignments(answer: SunatAnswer, values: Record<string, unknown>): string {
  values[":sunatCode"] = answer.sunatCode;
  values[":sunatMessage"] = answer.sunatMessage;
  values[":cdrUrl"] = answer.cdrUrl;
  values[":xmlUrl"] = answer.xmlUrl;
  values[":pdfUrl"] = answer.pdfUrl;
  return "sunatCode = :sunatCode, sunatMessage = :sunatMessage, cdrUrl = :cdrUrl, xmlUrl = :xmlUrl, pdfUrl = :pdfUrl";
}
