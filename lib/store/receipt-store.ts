import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import type { SunatAnswer } from "../acelerala/sunat-answer";
import { phase } from "../observability/phases";
import { checkMove, type MoveName, NO_RECORD, type ReceiptState, type StateOrNone } from "./lifecycle";
import type {
  BurntNumber,
  OrderKey,
  ReceiptProblemRecord,
  ReceiptRecord,
  ReissueRequest,
  ReleasedNumber,
  ReplacedNumber,
  StateTransition,
  TakenNumber,
} from "./receipt-record";
import { PENDING_CDR_PARTITION, RECEIPTS_TABLE } from "./table-definition";

/**
 * The DynamoDB side of exactly-once. Every write is a move of the lifecycle table (lifecycle.ts) and is
 * conditional on the state AND the number the writer read (`Expect`), so duplicate webhooks, Lambda retries,
 * DLQ replays and overlapping poller runs can never move a receipt backwards, act on a number the record no
 * longer holds, or give one number to two orders.
 */

const PK = RECEIPTS_TABLE.partitionKey.name;
const SK = RECEIPTS_TABLE.sortKey.name;
const INDEX = RECEIPTS_TABLE.pendingCdrIndex;

/** The sale receipt of an order. Credit notes will get their own sort key. */
const RECEIPT_SORT_KEY = "RECEIPT";
const COUNTER_SORT_KEY = "COUNTER";
const ERROR_SORT_KEY = "LAST_ERROR";
const NOTE_PREFIX = "NOTE#";
const COUNTER_PREFIX = "COUNTER#";

/** Optimistic counter updates retried this many times before giving up (the message is then retried). */
const MAX_RESERVE_ATTEMPTS = 50;
/** Reservations written in one transaction at most (with the counter: 25 items, within every DynamoDB's limit). */
const MAX_RESERVATIONS_PER_TRANSACTION = 24;

/** Random back-off between counter races, so racing workers spread out instead of colliding again. */
function jitter(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(5 * (attempt + 1), 100);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** What the pending-CDR index holds of a receipt: its keys and the projected attributes, nothing more. */
export type PendingReceipt = Pick<ReceiptRecord, (typeof INDEX.projectedAttributes)[number]> & {
  sk?: string;
};

export function receiptKey(key: OrderKey): Record<string, string> {
  return { [PK]: `ORDER#${key.storeId}#${key.orderId}`, [SK]: key.document ?? RECEIPT_SORT_KEY };
}

/** The key of a record read from the table or the pending-CDR index (which carries the table's keys). */
export function keyOfItem(item: { storeId: number; orderId: number; sk?: string }): OrderKey {
  const key: OrderKey = { storeId: item.storeId, orderId: item.orderId };
  if (item.sk && item.sk !== RECEIPT_SORT_KEY) key.document = item.sk;
  return key;
}

/** The record key of one of an order's credit notes. */
export function noteKey(order: OrderKey, note: string): OrderKey {
  return { storeId: order.storeId, orderId: order.orderId, document: `${NOTE_PREFIX}${note}` };
}

/** The last error of an order that has no receipt record (yet). */
function errorKey(key: OrderKey): Record<string, string> {
  return {
    [PK]: `ORDER#${key.storeId}#${key.orderId}`,
    [SK]: key.document ? `${ERROR_SORT_KEY}#${key.document}` : ERROR_SORT_KEY,
  };
}

function counterKey(storeId: number, series: string): Record<string, string> {
  return { [PK]: `${COUNTER_PREFIX}${storeId}#${series}`, [SK]: COUNTER_SORT_KEY };
}

/** What a writer read and acts on: the record's state and the number it held (null: none, or no record). */
export interface Expect {
  state: StateOrNone;
  documentNumber: string | null;
}

export function expectOf(record: ReceiptRecord | undefined): Expect {
  return record
    ? { state: record.state, documentNumber: record.documentNumber ?? null }
    : { state: NO_RECORD, documentNumber: null };
}

/** The record was not as the writer read it (another worker, poller or operator got there first). */
export class StateConflictError extends Error {
  constructor(
    readonly key: OrderKey,
    readonly expected: Expect,
  ) {
    const number = expected.documentNumber ? ` holding ${expected.documentNumber}` : "";
    super(`receipt of order ${key.storeId}/${key.orderId} is no longer ${expected.state}${number}`);
    this.name = "StateConflictError";
  }
}

/** What the last body built from the order says (kept for operators and for comparing with what lands). */
export interface DocumentFacts {
  documentTypeCode: string;
  currencyCode: string;
  grossTotal: string;
  issueDate?: string;
  customerDocument?: string;
  /** Credit notes only. */
  noteMotive?: string;
  affectedDocumentNumber?: string;
  allocation?: unknown;
  noteReason?: string;
}

/** A receipt of this order that the API holds. */
export interface LandedReceipt extends DocumentFacts {
  receiptId: number;
  series: string;
  correlative: number;
  /** SUNAT's answer when it has one (an exception keeps the receipt SUBMITTED). */
  sunatAnswer: SunatAnswer | null;
  /** Links the API gives before SUNAT answers. */
  xmlUrl: string | null;
  pdfUrl: string | null;
}

export interface ReserveInput {
  key: OrderKey;
  /** The record as read: no record, or one holding no number (reserve), or holding one to give up (renumber). */
  expect: Expect;
  series: string;
  facts: DocumentFacts;
  now: Date;
  /** When the order event reached the queue; kept from the first reservation on (default: `now`). */
  eventAt?: Date;
  /** Why the held number is given up (renumber only). */
  releaseWhy?: string;
  /** Another receipt turned out to hold the held number (renumber only). */
  taken?: TakenNumber;
  /** The held number is a landed receipt a credit note undid (`cpe reissue`): it is replaced, not released. */
  replaced?: ReplacedNumber;
  /**
   * The highest correlative the API already holds in the series, asked only when the series has no counter
   * yet: a store that issued F001-66 before this system must not start at F001-1.
   */
  seedCounter?: () => Promise<number>;
  /**
   * The record as the writer read it (null: it read none), when it has it: the reserved record is then computed
   * from it and what the transaction wrote (movedRecord) instead of read back, which saves a read per order.
   */
  read?: ReceiptRecord | null;
}

/** Changes a move makes besides the state, `updatedAt` and the history. */
interface Changes {
  set?: Record<string, unknown>;
  remove?: readonly string[];
  /** Items appended to list attributes (created when absent). */
  append?: Record<string, readonly unknown[]>;
  /** Attributes written only when the record has none yet. */
  setIfMissing?: Record<string, unknown>;
}

interface UpdateParts {
  Key: Record<string, string>;
  UpdateExpression: string;
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
}

function transition(from: StateOrNone, to: ReceiptState, why: string, now: Date): StateTransition {
  return { at: now.toISOString(), from, to, why };
}

const OPEN_INDEX = RECEIPTS_TABLE.stateIndex;

/**
 * A move's changes plus the open-records index keys (lib/store/table-definition.ts). NEEDS_ATTENTION: set when the
 * record enters it (with the time it entered), kept while it moves within it. RESERVED: never set by a move (see
 * `markUnresolved`), kept while the record moves within it. Any other move removes them. Applied to the update
 * and to the record a move is computed to leave, alike.
 */
function withOpenState(changes: Changes, expect: Expect, to: ReceiptState, now: Date): Changes {
  const state = OPEN_INDEX.partitionKey.name;
  const since = OPEN_INDEX.sortKey.name;
  if (to === "RESERVED" && expect.state === "RESERVED") return changes;
  if (to !== "NEEDS_ATTENTION") return { ...changes, remove: [...(changes.remove ?? []), state, since] };
  if (expect.state === to) {
    // Still in the same open state: when it entered stays (records from before the index get it now).
    return { ...changes, setIfMissing: { ...changes.setIfMissing, [state]: to, [since]: now.toISOString() } };
  }
  return { ...changes, set: { ...changes.set, [state]: to, [since]: now.toISOString() } };
}

function moveUpdate(
  key: OrderKey,
  name: MoveName,
  expect: Expect,
  to: ReceiptState,
  changes: Changes,
  why: string,
  now: Date,
): UpdateParts {
  checkMove(name, expect.state, to);
  const all = withOpenState(changes, expect, to, now);
  const names: Record<string, string> = { "#state": "state", "#history": "history" };
  const values: Record<string, unknown> = {
    ":to": to,
    ":now": now.toISOString(),
    ":empty": [],
    ":transition": [transition(expect.state, to, why, now)],
  };
  const sets = [
    "#state = :to",
    "updatedAt = :now",
    "#history = list_append(if_not_exists(#history, :empty), :transition)",
  ];
  let index = 0;
  const attribute = (attributeName: string) => {
    const placeholder = `#a${index++}`;
    names[placeholder] = attributeName;
    return placeholder;
  };
  const set = { ...all.set };
  if (expect.state === NO_RECORD) {
    set.storeId = key.storeId;
    set.orderId = key.orderId;
    if (key.document) set.document = key.document;
  }
  for (const [attributeName, value] of Object.entries(set)) {
    if (value === undefined) continue;
    const placeholder = attribute(attributeName);
    values[`:v${placeholder.slice(2)}`] = value;
    sets.push(`${placeholder} = :v${placeholder.slice(2)}`);
  }
  for (const [attributeName, items] of Object.entries(all.append ?? {})) {
    if (items.length === 0) continue;
    const placeholder = attribute(attributeName);
    values[`:v${placeholder.slice(2)}`] = items;
    sets.push(
      `${placeholder} = list_append(if_not_exists(${placeholder}, :empty), :v${placeholder.slice(2)})`,
    );
  }
  for (const [attributeName, value] of Object.entries(all.setIfMissing ?? {})) {
    const placeholder = attribute(attributeName);
    values[`:v${placeholder.slice(2)}`] = value;
    sets.push(`${placeholder} = if_not_exists(${placeholder}, :v${placeholder.slice(2)})`);
  }
  sets.push("createdAt = if_not_exists(createdAt, :now)");
  const removes = (all.remove ?? []).filter((attributeName) => !(attributeName in set)).map(attribute);

  let condition: string;
  if (expect.state === NO_RECORD) {
    condition = `attribute_not_exists(${PK})`;
  } else {
    values[":from"] = expect.state;
    names["#number"] = "documentNumber";
    if (expect.documentNumber === null) {
      condition = "#state = :from AND attribute_not_exists(#number)";
    } else {
      values[":held"] = expect.documentNumber;
      condition = "#state = :from AND #number = :held";
    }
  }
  return {
    Key: receiptKey(key),
    UpdateExpression: `SET ${sets.join(", ")}${removes.length > 0 ? ` REMOVE ${removes.join(", ")}` : ""}`,
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/**
 * The record a move leaves, computed from the record it moved (as its writer read it) the way DynamoDB applies
 * moveUpdate's expression: what is set (undefined values are not), removed (unless set), appended, set if
 * missing, the state, `updatedAt`, the history line, `createdAt` on a new record. The move's condition proved the
 * state and number were as read; an attribute another writer changed meanwhile without a move (`lastError`) may
 * differ from the table, never the state, the number or `postedAt`.
 */
function movedRecord(
  before: ReceiptRecord | undefined,
  key: OrderKey,
  expect: Expect,
  to: ReceiptState,
  changes: Changes,
  why: string,
  now: Date,
): ReceiptRecord {
  const all = withOpenState(changes, expect, to, now);
  const record: Record<string, unknown> = { ...before, ...receiptKey(key) };
  const set: Record<string, unknown> = { ...all.set };
  if (expect.state === NO_RECORD) {
    set.storeId = key.storeId;
    set.orderId = key.orderId;
    if (key.document) set.document = key.document;
  }
  for (const name of all.remove ?? []) if (!(name in set)) delete record[name];
  for (const [name, value] of Object.entries(set)) if (value !== undefined) record[name] = value;
  for (const [name, items] of Object.entries(all.append ?? {})) {
    if (items.length > 0) record[name] = [...((record[name] as unknown[] | undefined) ?? []), ...items];
  }
  for (const [name, value] of Object.entries(all.setIfMissing ?? {})) record[name] ??= value;
  record.state = to;
  record.updatedAt = now.toISOString();
  record.history = [...(before?.history ?? []), transition(expect.state, to, why, now)];
  record.createdAt ??= now.toISOString();
  return record as unknown as ReceiptRecord;
}

function factsSet(facts: Partial<DocumentFacts>): Record<string, unknown> {
  return {
    documentTypeCode: facts.documentTypeCode,
    currencyCode: facts.currencyCode,
    grossTotal: facts.grossTotal,
    issueDate: facts.issueDate,
    customerDocument: facts.customerDocument,
    noteMotive: facts.noteMotive,
    affectedDocumentNumber: facts.affectedDocumentNumber,
    allocation: facts.allocation,
    noteReason: facts.noteReason,
  };
}

const SUNAT_ATTRIBUTES = ["sunatCode", "sunatMessage", "cdrUrl", "xmlUrl", "pdfUrl"] as const;
const PENDING_ATTRIBUTES = ["pendingCdr", "nextPollAt"] as const;

/** The state a landed receipt takes from SUNAT's answer (an exception or no answer yet: SUBMITTED). */
export function stateForAnswer(answer: SunatAnswer | null): ReceiptState {
  if (answer?.outcome === "accepted") return "ACCEPTED";
  if (answer?.outcome === "rejected") return "REJECTED";
  return "SUBMITTED";
}

function sunatSet(answer: SunatAnswer): Record<string, unknown> {
  return {
    sunatCode: answer.sunatCode,
    sunatMessage: answer.sunatMessage,
    cdrUrl: answer.cdrUrl,
    xmlUrl: answer.xmlUrl,
    pdfUrl: answer.pdfUrl,
  };
}

function isConditionalFailure(error: unknown): boolean {
  return error instanceof Error && error.name === "ConditionalCheckFailedException";
}

/** The reservation move of one record under `correlative`, conditional on what its writer read. */
function reservationMove(
  input: ReserveInput,
  correlative: number,
): { update: UpdateParts; written: (before: ReceiptRecord | undefined) => ReceiptRecord } {
  const { key, series, now, expect } = input;
  const moveName: MoveName = input.replaced
    ? "replace"
    : expect.documentNumber === null
      ? "reserve"
      : "renumber";
  const documentNumber = `${series}-${correlative}`;
  // A number another receipt holds goes to takenNumbers, one a credit note undid to replacedNumbers: only a
  // number proven never landed is "released".
  const released: ReleasedNumber[] =
    expect.documentNumber && !input.taken && !input.replaced
      ? [
          {
            documentNumber: expect.documentNumber,
            at: now.toISOString(),
            why: input.releaseWhy ?? "released",
          },
        ]
      : [];
  const why =
    moveName === "reserve"
      ? `number ${documentNumber} reserved`
      : moveName === "replace"
        ? `${expect.documentNumber} undone by credit note ${input.replaced?.creditNote}; ${documentNumber} reserved`
        : `${expect.documentNumber} ${input.taken ? "is held by another receipt" : "released"}; ${documentNumber} reserved`;
  const changes: Changes = {
    set: { ...factsSet(input.facts), series, correlative, documentNumber, postedAt: now.toISOString() },
    remove: [
      "problems",
      "lastError",
      "receiptId",
      "skipReason",
      "reissue",
      ...SUNAT_ATTRIBUTES,
      "submittedAt",
    ],
    append: {
      releasedNumbers: released,
      takenNumbers: input.taken ? [input.taken] : [],
      replacedNumbers: input.replaced ? [input.replaced] : [],
    },
    // The first order event's time stays (for the webhook-to-accepted latency).
    setIfMissing: { eventAt: (input.eventAt ?? now).toISOString() },
  };
  return {
    update: moveUpdate(key, moveName, expect, "RESERVED", changes, why, now),
    written: (before) => movedRecord(before, key, expect, "RESERVED", changes, why, now),
  };
}

/** The counter's value in a cancellation's ALL_OLD item (marshalled: the document client leaves errors alone). */
function counterValue(item: Record<string, unknown> | undefined): number | undefined {
  const last = item?.last as { N?: string } | number | undefined;
  const value = typeof last === "number" ? last : Number(last?.N);
  return Number.isFinite(value) ? value : undefined;
}

/** A reservation waiting for its series' turn: `started` when its group's write begins, `written` once it committed. */
class PendingReservation {
  readonly started: Promise<void>;
  readonly written: Promise<void>;
  /** The record as written, when it could be computed (the writer gave the record it read). */
  record: ReceiptRecord | undefined;
  private markStarted!: () => void;
  private settleWritten!: (error?: unknown) => void;

  constructor(readonly input: ReserveInput) {
    const { read, expect } = input;
    if (read !== undefined) {
      const readExpect = expectOf(read ?? undefined);
      if (readExpect.state !== expect.state || readExpect.documentNumber !== expect.documentNumber)
        throw new Error("reserve: `read` is not the record `expect` was taken from");
    }
    this.started = new Promise((resolve) => {
      this.markStarted = resolve;
    });
    this.written = new Promise((resolve, reject) => {
      this.settleWritten = (error) => (error === undefined ? resolve() : reject(error));
    });
  }

  start(): void {
    this.markStarted();
  }

  succeed(record: ReceiptRecord | undefined): void {
    this.record = record;
    this.settleWritten();
  }

  fail(error: unknown): void {
    this.markStarted();
    this.settleWritten(error ?? new Error("reservation failed"));
  }
}

interface SeriesQueue {
  waiting: PendingReservation[];
  /** The last turn taken; the next reservation's turn follows it. */
  tail: Promise<void>;
}

export interface SeriesCounter {
  storeId: number;
  series: string;
  last: number;
  updatedAt?: string;
}

export class ReceiptStore {
  /** Last correlative this process wrote per store and series: saves the counter read on the happy path. */
  private readonly lastCorrelatives = new Map<string, number>();
  /** Per store and series: the reservations waiting for a turn, and the last turn taken. */
  private readonly seriesQueues = new Map<string, SeriesQueue>();

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

  /** The credit-note records of an order (sale receipt excluded), oldest key first. */
  async notesOf(order: OrderKey): Promise<ReceiptRecord[]> {
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: "#pk = :pk AND begins_with(#sk, :note)",
        ExpressionAttributeNames: { "#pk": PK, "#sk": SK },
        ExpressionAttributeValues: { ":pk": `ORDER#${order.storeId}#${order.orderId}`, ":note": NOTE_PREFIX },
        ConsistentRead: true,
      }),
    );
    return (result.Items ?? []) as ReceiptRecord[];
  }

  // ---- numbers ------------------------------------------------------------------------------------------

  /**
   * Gives the order the next correlative of `series` in ONE transaction: the series counter moves from n to
   * n+1 only if it still is n (optimistic lock), and the record takes the number only if it is still as the
   * writer read it. A record that held a number gives it up in the same write (`renumber`: the number goes to
   * `releasedNumbers`, or to `takenNumbers` when another receipt holds it), so it is never POSTed again.
   * The record comes back as written, with `postedAt` set: the caller POSTs right away.
   *
   * Orders of one series wait for each other inside this process (racing our own counter would only turn into
   * conditional-check failures and retries; other processes still race, and the conditions decide), and those
   * that waited together are written together: one transaction moves the counter from n to n+k and gives the k
   * records n+1 … n+k, each still conditional on what its writer read (group commit). The counter's write is
   * paid once for the k orders, and a batch's reservations take one round trip instead of k in a row.
   */
  async reserve(input: ReserveInput): Promise<ReceiptRecord> {
    const cacheKey = `${input.key.storeId}#${input.series}`;
    const reservation = new PendingReservation(input);
    let queue = this.seriesQueues.get(cacheKey);
    if (!queue) {
      queue = { waiting: [], tail: Promise.resolve() };
      this.seriesQueues.set(cacheKey, queue);
    }
    const seriesQueue = queue;
    seriesQueue.waiting.push(reservation);
    // Each reservation takes a turn; a turn writes every reservation waiting then (this one may have been written
    // by an earlier turn already, which then had nothing left to do).
    const turn = seriesQueue.tail.then(() => this.writeWaiting(seriesQueue, cacheKey)).catch(() => undefined);
    seriesQueue.tail = turn;
    void turn.then(() => {
      if (this.seriesQueues.get(cacheKey) === seriesQueue && seriesQueue.tail === turn)
        this.seriesQueues.delete(cacheKey);
    });
    const { key } = input;
    await phase("reservation_wait", key, () => reservation.started);
    await phase("reservation_write", key, () => reservation.written);
    if (reservation.record) return reservation.record;
    return phase("reservation_read", key, async () => {
      const record = await this.get(key);
      if (!record) throw new Error(`reserved record of order ${key.storeId}/${key.orderId} vanished`);
      return record;
    });
  }

  /** One turn of a series: the reservations waiting now, written in one transaction (never failing the turn). */
  private async writeWaiting(queue: SeriesQueue, cacheKey: string): Promise<void> {
    const group: PendingReservation[] = [];
    const keys = new Set<string>();
    const later: PendingReservation[] = [];
    for (const reservation of queue.waiting.splice(0)) {
      const recordKey = JSON.stringify(receiptKey(reservation.input.key));
      // One transaction may not write an item twice: a second reservation of the same record waits a turn.
      if (group.length >= MAX_RESERVATIONS_PER_TRANSACTION || keys.has(recordKey)) later.push(reservation);
      else {
        keys.add(recordKey);
        group.push(reservation);
      }
    }
    // Each of these has a turn of its own still to come.
    queue.waiting.unshift(...later);
    if (group.length === 0) return;
    for (const reservation of group) reservation.start();
    try {
      await this.writeGroup(group, cacheKey);
    } catch (error) {
      for (const reservation of group) reservation.fail(error);
    }
  }

  /**
   * Writes a group of reservations of one series: the counter n → n+k and each record its number, all or none.
   * A record that is no longer as its writer read it leaves the group with a StateConflictError; a counter another
   * process moved is read from the cancellation (ReturnValuesOnConditionCheckFailure) and the rest try again.
   */
  private async writeGroup(group: PendingReservation[], cacheKey: string): Promise<void> {
    const first = group[0];
    if (!first) return;
    const { storeId } = first.input.key;
    const { series } = first.input;
    let members = group;
    // What the counter is known to hold: this process's last write, or what a cancellation reported.
    let known: { last: number; exists: boolean } | undefined;
    const cached = this.lastCorrelatives.get(cacheKey);
    if (cached !== undefined) known = { last: cached, exists: true };
    // Only writers that collided mid-flight back off: a cancellation that names the counter's value (another
    // process committed first) or failed only some records is tried again at once, since someone made progress.
    let backOff = false;
    for (let attempt = 0; attempt < MAX_RESERVE_ATTEMPTS && members.length > 0; attempt++) {
      if (backOff) await jitter(attempt);
      backOff = false;
      if (!known) {
        const counter = await this.readCounter(storeId, series);
        known = counter
          ? { last: counter.last, exists: true }
          : { last: first.input.seedCounter ? await first.input.seedCounter() : 0, exists: false };
      }
      const { last, exists } = known;
      const now = new Date(Math.max(...members.map((member) => member.input.now.getTime())));
      const next = last + members.length;
      const moves = members.map((member, index) => reservationMove(member.input, last + index + 1));
      try {
        await this.db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: this.tableName,
                  Key: counterKey(storeId, series),
                  UpdateExpression: "SET #last = :next, updatedAt = :now",
                  ConditionExpression: exists ? "#last = :last" : `attribute_not_exists(${PK})`,
                  ExpressionAttributeNames: { "#last": "last" },
                  ExpressionAttributeValues: {
                    ":next": next,
                    ":now": now.toISOString(),
                    ...(exists ? { ":last": last } : {}),
                  },
                  ReturnValuesOnConditionCheckFailure: "ALL_OLD",
                },
              },
              ...moves.map(({ update }) => ({ Update: { TableName: this.tableName, ...update } })),
            ],
          }),
        );
        this.lastCorrelatives.set(cacheKey, next);
        members.forEach((member, index) => {
          const { read } = member.input;
          member.succeed(read === undefined ? undefined : moves[index]?.written(read ?? undefined));
        });
        return;
      } catch (error) {
        this.lastCorrelatives.delete(cacheKey);
        if (!(error instanceof TransactionCanceledException)) throw error;
        const [counterReason, ...recordReasons] = error.CancellationReasons ?? [];
        const stillWaiting: PendingReservation[] = [];
        members.forEach((member, index) => {
          if (recordReasons[index]?.Code === "ConditionalCheckFailed")
            member.fail(new StateConflictError(member.input.key, member.input.expect));
          else stillWaiting.push(member);
        });
        const conflict = [counterReason, ...recordReasons].some(
          (reason) => reason?.Code === "TransactionConflict",
        );
        const counterMoved = counterReason?.Code === "ConditionalCheckFailed";
        if (stillWaiting.length === members.length && !counterMoved && !conflict) throw error;
        members = stillWaiting;
        if (counterMoved) {
          // Another process took numbers first: the cancellation carries the counter's value (no read needed).
          const value = counterValue(counterReason.Item);
          known = value === undefined ? undefined : { last: value, exists: true };
          backOff = value === undefined;
        } else if (conflict) {
          known = undefined; // another write was under way: read the counter again, after a random pause
          backOff = true;
        }
        // Otherwise only records failed: the counter still holds `last`, and the others try again at once.
      }
    }
    if (members.length > 0)
      throw new Error(
        `could not reserve a number in series ${series} after ${MAX_RESERVE_ATTEMPTS} attempts`,
      );
  }

  async readCounter(storeId: number, series: string): Promise<SeriesCounter | undefined> {
    const result = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: counterKey(storeId, series), ConsistentRead: true }),
    );
    const item = result.Item;
    if (!item || typeof item.last !== "number") return undefined;
    return { storeId, series, last: item.last, updatedAt: item.updatedAt };
  }

  /**
   * Moves a series counter up to `atLeast` (never down): past a number another receipt holds, or to the API's
   * highest (`cpe series seed|set`). Returns the counter's value afterwards.
   */
  async raiseCounter(storeId: number, series: string, atLeast: number, now: Date): Promise<number> {
    this.lastCorrelatives.delete(`${storeId}#${series}`);
    try {
      const result = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: counterKey(storeId, series),
          UpdateExpression: "SET #last = :value, updatedAt = :now",
          ConditionExpression: `attribute_not_exists(${PK}) OR #last < :value`,
          ExpressionAttributeNames: { "#last": "last" },
          ExpressionAttributeValues: { ":value": atLeast, ":now": now.toISOString() },
          ReturnValues: "ALL_NEW",
        }),
      );
      return Number(result.Attributes?.last);
    } catch (error) {
      if (!isConditionalFailure(error)) throw error;
      return (await this.readCounter(storeId, series))?.last ?? atLeast;
    }
  }

  /** Every series counter (of one store, or all), for `cpe series list`. A Scan: operators only. */
  async listCounters(storeId?: number): Promise<SeriesCounter[]> {
    const counters: SeriesCounter[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: "begins_with(#pk, :prefix) AND #sk = :counter",
          ExpressionAttributeNames: { "#pk": PK, "#sk": SK },
          ExpressionAttributeValues: {
            ":prefix": storeId === undefined ? COUNTER_PREFIX : `${COUNTER_PREFIX}${storeId}#`,
            ":counter": COUNTER_SORT_KEY,
          },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const [, store, series] = String(item[PK]).split("#");
        counters.push({
          storeId: Number(store),
          series: series ?? "",
          last: Number(item.last),
          updatedAt: item.updatedAt,
        });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return counters.sort((a, b) => a.storeId - b.storeId || a.series.localeCompare(b.series));
  }

  // ---- moves of the worker ------------------------------------------------------------------------------

  /**
   * The held number was resolved as never landed and the order (still, or again) gets a receipt in its series:
   * the same number is POSTed again, with a body built from the order as it is now. Sets `postedAt` first, so
   * a crash between this write and the POST still leaves "a POST may have been made" on the record.
   */
  repost(
    key: OrderKey,
    expect: Expect,
    facts: DocumentFacts,
    why: string,
    now: Date,
  ): Promise<ReceiptRecord> {
    return this.move(
      key,
      "repost",
      expect,
      "RESERVED",
      { set: { ...factsSet(facts), postedAt: now.toISOString() }, remove: ["problems"] },
      why,
      now,
    );
  }

  /**
   * A receipt of this order landed and matches the order: it IS the order's receipt. The record takes its
   * number (the API may have numbered it itself) and its SUNAT answer; a different held number is released.
   */
  land(
    key: OrderKey,
    expect: Expect,
    landed: LandedReceipt,
    nextPollAt: number,
    why: string,
    now: Date,
  ): Promise<ReceiptRecord> {
    const to = stateForAnswer(landed.sunatAnswer);
    const documentNumber = `${landed.series}-${landed.correlative}`;
    const set: Record<string, unknown> = {
      ...factsSet(landed),
      receiptId: landed.receiptId,
      series: landed.series,
      correlative: landed.correlative,
      documentNumber,
      submittedAt: now.toISOString(),
      xmlUrl: landed.xmlUrl,
      pdfUrl: landed.pdfUrl,
    };
    const remove: string[] = ["problems", "lastError", "postedAt"];
    if (to === "SUBMITTED") {
      Object.assign(set, { pendingCdr: PENDING_CDR_PARTITION, nextPollAt, pollCount: 0 });
      if (landed.sunatAnswer) Object.assign(set, sunatSet(landed.sunatAnswer)); // an exception, kept for operators
    } else if (landed.sunatAnswer) {
      Object.assign(set, sunatSet(landed.sunatAnswer), { finalizedAt: now.toISOString() });
      remove.push(...PENDING_ATTRIBUTES);
    }
    const released = releasedIfRenumbered(expect, documentNumber, now);
    return this.move(
      key,
      "land",
      expect,
      to,
      { set, remove, append: { releasedNumbers: released } },
      why,
      now,
    );
  }

  /**
   * A receipt of this order landed but differs from the order now (or the order is broken now): the record
   * holds the landed receipt in NEEDS_ATTENTION; nothing more is ever POSTed for the order until a person
   * acts (a credit note and a new receipt), or the order changes back to match it.
   */
  holdLanded(
    key: OrderKey,
    expect: Expect,
    landed: LandedReceipt,
    problems: ReceiptProblemRecord[],
    now: Date,
  ): Promise<ReceiptRecord> {
    const documentNumber = `${landed.series}-${landed.correlative}`;
    const set: Record<string, unknown> = {
      ...factsSet(landed),
      receiptId: landed.receiptId,
      series: landed.series,
      correlative: landed.correlative,
      documentNumber,
      problems,
      xmlUrl: landed.xmlUrl,
      pdfUrl: landed.pdfUrl,
      ...(landed.sunatAnswer ? sunatSet(landed.sunatAnswer) : {}),
    };
    const why = `${documentNumber} landed for this order: ${problems[0]?.rule ?? "needs attention"}`;
    return this.move(
      key,
      "hold_landed",
      expect,
      "NEEDS_ATTENTION",
      {
        set,
        remove: ["postedAt", "lastError"],
        append: { releasedNumbers: releasedIfRenumbered(expect, documentNumber, now) },
      },
      why,
      now,
    );
  }

  /**
   * The order breaks a rule, or the API refused the data. A held number is kept only when it is known never
   * to have landed (the caller resolved it, or the API refused it): a later fix reuses it.
   */
  flag(
    key: OrderKey,
    expect: Expect,
    problems: ReceiptProblemRecord[],
    why: string,
    now: Date,
    /** The held number turned out to be another receipt's: it is dropped, not kept for the fix. */
    taken?: TakenNumber,
  ): Promise<ReceiptRecord> {
    return this.move(
      key,
      "flag",
      expect,
      "NEEDS_ATTENTION",
      {
        set: { problems },
        remove: taken ? ["postedAt", "series", "correlative", "documentNumber"] : ["postedAt"],
        append: { takenNumbers: taken ? [taken] : [] },
      },
      why,
      now,
    );
  }

  /** The held number never landed and the order is not to be issued now: the number is given up. */
  release(
    key: OrderKey,
    expect: Expect,
    to: "SKIPPED" | "CANCELED",
    why: string,
    now: Date,
  ): Promise<ReceiptRecord> {
    const released: ReleasedNumber[] = expect.documentNumber
      ? [{ documentNumber: expect.documentNumber, at: now.toISOString(), why }]
      : [];
    return this.move(
      key,
      "release",
      expect,
      to,
      {
        set: { skipReason: why },
        remove: ["series", "correlative", "documentNumber", "postedAt", "problems"],
        append: { releasedNumbers: released },
      },
      why,
      now,
    );
  }

  /** `cpe reissue`: the landed receipt the record holds is to be undone by a credit note, then issued anew. */
  requestReissue(key: OrderKey, expect: Expect, reissue: ReissueRequest, now: Date): Promise<ReceiptRecord> {
    return this.move(
      key,
      "request_reissue",
      expect,
      "NEEDS_ATTENTION",
      { set: { reissue } },
      `reissue requested: ${reissue.documentNumber} to be undone by a credit note (motive ${reissue.motive})`,
      now,
    );
  }

  /** A cancelled order whose receipt SUNAT rejected: nothing to credit; the burnt number stays on the record. */
  close(key: OrderKey, documentNumber: string, why: string, now: Date): Promise<ReceiptRecord> {
    return this.move(
      key,
      "close",
      { state: "REJECTED", documentNumber },
      "CANCELED",
      { set: { skipReason: why } },
      why,
      now,
    );
  }

  /** A cancelled order with no receipt: recorded, so operators see why it has none. */
  cancel(key: OrderKey, expect: Expect, why: string, now: Date): Promise<ReceiptRecord> {
    return this.move(key, "cancel", expect, "CANCELED", { set: { skipReason: why } }, why, now);
  }

  // ---- moves of the poller and of receipt events -------------------------------------------------------

  /** SUNAT answered for the number the record holds: final state, out of the pending-CDR index. */
  async recordSunatAnswer(
    key: OrderKey,
    documentNumber: string,
    from: "SUBMITTED" | "STALE",
    answer: SunatAnswer,
    now: Date,
  ): Promise<ReceiptRecord> {
    const to = stateForAnswer(answer);
    if (to === "SUBMITTED")
      throw new Error("a SUNAT exception is not an answer: reschedule the poll instead");
    return this.move(
      key,
      "sunat_answer",
      { state: from, documentNumber },
      to,
      { set: { ...sunatSet(answer), finalizedAt: now.toISOString() }, remove: [...PENDING_ATTRIBUTES] },
      `SUNAT code ${answer.sunatCode ?? "none"}`,
      now,
    );
  }

  /**
   * No answer yet, or a SUNAT exception (kept on the record for operators): ask again at `nextPollAt`.
   * Only while SUBMITTED with that number, so a late run cannot revive a final receipt.
   */
  async reschedulePoll(
    key: OrderKey,
    documentNumber: string,
    nextPollAt: number,
    now: Date,
    exception?: SunatAnswer,
  ): Promise<void> {
    const why = exception ? `SUNAT exception ${exception.sunatCode ?? ""}: asked again later` : "";
    if (exception) {
      await this.move(
        key,
        "poll_again",
        { state: "SUBMITTED", documentNumber },
        "SUBMITTED",
        { set: { ...sunatSet(exception), nextPollAt } },
        why,
        now,
      );
    }
    // A plain reschedule leaves no history line: it happens up to once a minute for days.
    await this.conditionalUpdate(
      key,
      { state: "SUBMITTED", documentNumber },
      "SET nextPollAt = :nextPollAt, updatedAt = :now, pollCount = if_not_exists(pollCount, :zero) + :one",
      { ":nextPollAt": nextPollAt, ":now": now.toISOString(), ":zero": 0, ":one": 1 },
    );
  }

  async markStale(key: OrderKey, documentNumber: string, why: string, now: Date): Promise<void> {
    await this.move(
      key,
      "stale",
      { state: "SUBMITTED", documentNumber },
      "STALE",
      { remove: [...PENDING_ATTRIBUTES] },
      why,
      now,
    );
  }

  // ---- operators ----------------------------------------------------------------------------------------

  /**
   * `cpe resend` of a REJECTED receipt: SUNAT burnt its number (2000–3999), so the order must be issued again
   * under a NEW one. The burnt number (with its receipt id and SUNAT code) moves to `burntNumbers`, every
   * number- and SUNAT-related attribute is removed, and the record becomes NEEDS_ATTENTION without a number;
   * the worker then reserves the next correlative for it. Conditional on the record still being REJECTED under
   * the number read here, so two concurrent resends burn it once and the loser gets a StateConflictError.
   */
  async markForReissue(key: OrderKey, why: string, now: Date): Promise<ReceiptRecord> {
    const current = await this.get(key);
    if (current?.state !== "REJECTED" || !current.documentNumber)
      throw new StateConflictError(key, {
        state: "REJECTED",
        documentNumber: current?.documentNumber ?? null,
      });
    const burnt: BurntNumber = { documentNumber: current.documentNumber, at: now.toISOString() };
    if (current.receiptId !== undefined) burnt.receiptId = current.receiptId;
    if (current.sunatCode !== undefined) burnt.sunatCode = current.sunatCode;
    const code = current.sunatCode ? ` (SUNAT ${current.sunatCode})` : "";
    return this.move(
      key,
      "reissue",
      { state: "REJECTED", documentNumber: current.documentNumber },
      "NEEDS_ATTENTION",
      {
        set: {
          problems: [
            {
              field: "documentNumber",
              rule: "reissue_requested",
              message: `${current.documentNumber} fue rechazado por SUNAT${code}; se emitirá con un número nuevo.`,
            },
          ],
        },
        remove: [
          "series",
          "correlative",
          "documentNumber",
          "receiptId",
          "submittedAt",
          ...SUNAT_ATTRIBUTES,
          "finalizedAt",
        ],
        append: { burntNumbers: [burnt] },
      },
      `${why}; ${current.documentNumber} stays burnt${code}`,
      now,
    );
  }

  /**
   * Keeps the last transient error for operators (`cpe status`, `cpe dlq peek`); changes no state. On the
   * record when the order has one; otherwise in an item of its own, so an event that fails before any record
   * exists (a store without credentials, an API outage on the first read) still says why it is in the DLQ.
   */
  async recordError(key: OrderKey, message: string, now: Date): Promise<void> {
    const text = message.slice(0, 500);
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: receiptKey(key),
          UpdateExpression: "SET lastError = :message, updatedAt = :now",
          ConditionExpression: `attribute_exists(${PK})`,
          ExpressionAttributeValues: { ":message": text, ":now": now.toISOString() },
        }),
      );
    } catch (error) {
      if (!isConditionalFailure(error)) throw error;
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: errorKey(key),
          UpdateExpression: "SET lastError = :message, updatedAt = :now",
          ExpressionAttributeValues: { ":message": text, ":now": now.toISOString() },
        }),
      );
    }
  }

  /**
   * Puts a RESERVED record that an attempt left unresolved into the open-records index, so the overdue gauge sees
   * it. A reservation does not index itself: on the happy path the record leaves RESERVED a few hundred ms later,
   * and two index writes per order (in and out, the first one doubled by the transaction) would be 3 of the
   * pipeline's 7 write units. Every record an attempt leaves RESERVED comes back to the worker (its message is
   * retried; from the DLQ by replay; the reconciler enqueues RESERVED records it meets), and the attempt that
   * finds it calls this first: the gauge counts from when the record entered RESERVED, as before. Conditional on
   * state and number, so it never lands on a record that moved on.
   */
  async markUnresolved(key: OrderKey, record: ReceiptRecord): Promise<void> {
    if (record.state !== "RESERVED" || record.openState !== undefined) return;
    const { partitionKey, sortKey } = OPEN_INDEX;
    await this.conditionalUpdate(
      key,
      expectOf(record),
      `SET ${partitionKey.name} = :from, ${sortKey.name} = :since`,
      {
        ":since": reservedSince(record),
      },
    ).catch((error: unknown) => {
      // It moved on (landed, flagged): nothing is left to do here.
      if (!(error instanceof StateConflictError)) throw error;
    });
  }

  /** What operators see of an order: its record's state and last error, or the error of an order with none. */
  async summary(key: OrderKey): Promise<Pick<ReceiptRecord, "state" | "lastError"> | undefined> {
    const record = await this.get(key);
    if (record) return record;
    const result = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: errorKey(key), ConsistentRead: true }),
    );
    const lastError = result.Item?.lastError;
    return typeof lastError === "string"
      ? ({ lastError } as Pick<ReceiptRecord, "state" | "lastError">)
      : undefined;
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

  private async move(
    key: OrderKey,
    name: MoveName,
    expect: Expect,
    to: ReceiptState,
    changes: Changes,
    why: string,
    now: Date,
  ): Promise<ReceiptRecord> {
    const update = moveUpdate(key, name, expect, to, changes, why, now);
    try {
      const result = await this.db.send(
        new UpdateCommand({ TableName: this.tableName, ...update, ReturnValues: "ALL_NEW" }),
      );
      return result.Attributes as ReceiptRecord;
    } catch (error) {
      if (isConditionalFailure(error)) throw new StateConflictError(key, expect);
      throw error;
    }
  }

  /** An update that is not a move (no state change, no history), still conditional on state and number. */
  private async conditionalUpdate(
    key: OrderKey,
    expect: Expect,
    updateExpression: string,
    values: Record<string, unknown>,
  ): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: receiptKey(key),
          UpdateExpression: updateExpression,
          ConditionExpression: "#state = :from AND documentNumber = :held",
          ExpressionAttributeNames: { "#state": "state" },
          ExpressionAttributeValues: { ...values, ":from": expect.state, ":held": expect.documentNumber },
        }),
      );
    } catch (error) {
      if (isConditionalFailure(error)) throw new StateConflictError(key, expect);
      throw error;
    }
  }
}

/** When a RESERVED record entered RESERVED: the first of the moves at the end of its history that led there. */
function reservedSince(record: Pick<ReceiptRecord, "history" | "updatedAt">): string {
  let since: string | undefined;
  for (let index = record.history.length - 1; index >= 0; index--) {
    const move = record.history[index];
    if (move?.to !== "RESERVED") break;
    since = move.at;
    if (move.from !== "RESERVED") break;
  }
  return since ?? record.updatedAt;
}

/** The held number, released when what landed carries another (the API numbered the receipt itself). */
function releasedIfRenumbered(expect: Expect, landedNumber: string, now: Date): ReleasedNumber[] {
  if (!expect.documentNumber || expect.documentNumber === landedNumber) return [];
  return [
    {
      documentNumber: expect.documentNumber,
      at: now.toISOString(),
      why: `the API holds this order's receipt as ${landedNumber}`,
    },
  ];
}
