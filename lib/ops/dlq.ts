import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from "@aws-sdk/client-sqs";
import type { OrderKey, ReceiptRecord } from "../store/receipt-record";
import {
  buildMessageMoveTaskInput,
  buildReplaySendInput,
  type DlqEntry,
  describeDlqMessage,
} from "./dlq-message";
import { type Clock, createRateLimiter, systemClock } from "./rate-limiter";

/**
 * The SQS side of `cpe dlq peek` and `cpe dlq replay`.
 *
 * How we look without consuming: SQS has no "peek"; a message is only seen by receiving it. Receiving with
 * VisibilityTimeout 0 would leave each message visible at once, but then every ReceiveMessage returns the same
 * first messages again and we could never see past the first ten. So we receive with a short hold (the
 * message stays in the DLQ, only invisible), keep going until we have enough or the queue is empty, then set
 * the visibility of everything we hold back to 0, so it is visible again immediately. Nothing is deleted; if
 * the CLI dies in between, the hold simply expires. Two side effects, both harmless on a DLQ (it has no redrive
 * policy of its own): each look adds one to ApproximateReceiveCount, and a FIFO queue does not hand out the
 * next message of a group while an earlier one of the same group is held, so a second dead-lettered event of
 * the same order shows up only after the first is replayed.
 */

/** How long a peek keeps messages invisible at most (it releases them as soon as it is done). */
export const PEEK_HOLD_SECONDS = 30;
/** A replay holds skipped, failed and dry-run messages until it ends, then releases them at once. */
export const REPLAY_HOLD_SECONDS = 300;
/** Short polling may miss messages on AWS; a one-second long poll answers "empty" reliably. */
export const DEFAULT_WAIT_SECONDS = 1;

const RECEIVE_BATCH = 10;

interface ReceiveOptions {
  max: number;
  holdSeconds: number;
  waitSeconds: number;
}

async function receiveBatch(sqs: SQSClient, queueUrl: string, options: ReceiveOptions): Promise<Message[]> {
  const { Messages } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: Math.max(1, Math.min(RECEIVE_BATCH, options.max)),
      VisibilityTimeout: options.holdSeconds,
      WaitTimeSeconds: options.waitSeconds,
      MessageSystemAttributeNames: ["All"],
      MessageAttributeNames: ["All"],
    }),
  );
  return Messages ?? [];
}

/**
 * Makes held messages visible again at once. Returns how many could not be released (their hold then expires
 * by itself); never throws, because it runs in `finally` blocks after the real work.
 */
export async function releaseMessages(sqs: SQSClient, queueUrl: string, receiptHandles: readonly string[]) {
  let notReleased = 0;
  for (let start = 0; start < receiptHandles.length; start += RECEIVE_BATCH) {
    const chunk = receiptHandles.slice(start, start + RECEIVE_BATCH);
    try {
      const result = await sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: chunk.map((handle, index) => ({
            Id: String(index),
            ReceiptHandle: handle,
            VisibilityTimeout: 0,
          })),
        }),
      );
      notReleased += result.Failed?.length ?? 0;
    } catch {
      notReleased += chunk.length;
    }
  }
  return notReleased;
}

export interface QueueDepth {
  visible?: number;
  inFlight?: number;
}

export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<QueueDepth> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  const number = (value: string | undefined) => (value === undefined ? undefined : Number(value));
  return {
    visible: number(Attributes.ApproximateNumberOfMessages),
    inFlight: number(Attributes.ApproximateNumberOfMessagesNotVisible),
  };
}

export interface PeekOptions {
  max: number;
  waitSeconds?: number;
  holdSeconds?: number;
}

export interface PeekResult {
  entries: DlqEntry[];
  /** The DLQ's depth before we looked. */
  depth: QueueDepth;
  /** Messages whose visibility could not be reset (they reappear when the hold expires). */
  notReleased: number;
}

/** Up to `max` DLQ messages, described; none is consumed (see the comment at the top of this file). */
export async function peekDlq(sqs: SQSClient, dlqUrl: string, options: PeekOptions): Promise<PeekResult> {
  const depth = await queueDepth(sqs, dlqUrl);
  const held = new Map<string, string>(); // message id → latest receipt handle
  const entries: DlqEntry[] = [];
  const shown = new Set<string>();
  let notReleased = 0;
  try {
    while (entries.length < options.max) {
      const batch = await receiveBatch(sqs, dlqUrl, {
        max: options.max - entries.length,
        holdSeconds: options.holdSeconds ?? PEEK_HOLD_SECONDS,
        waitSeconds: options.waitSeconds ?? DEFAULT_WAIT_SECONDS,
      });
      let fresh = 0;
      for (const message of batch) {
        const id = message.MessageId ?? "";
        if (message.ReceiptHandle) held.set(id, message.ReceiptHandle);
        if (shown.has(id)) continue; // its hold expired and it came back
        shown.add(id);
        fresh++;
        if (entries.length < options.max) entries.push(describeDlqMessage(message));
      }
      if (fresh === 0) break;
    }
  } finally {
    notReleased = await releaseMessages(sqs, dlqUrl, [...held.values()]);
  }
  return { entries, depth, notReleased };
}

/** The order's receipt state (none: no record) and the worker's last error, with or without a record. */
type ReceiptSummary = Partial<Pick<ReceiptRecord, "state" | "lastError">>;

/**
 * What DynamoDB says about the order of each message: receipt state ("none" when the order has no record) and
 * the worker's last error. A failed lookup does not hide the DLQ: the state shows "?" and the first error is
 * returned for the caller to report.
 */
export async function joinReceiptRecords(
  entries: readonly DlqEntry[],
  lookup: (key: OrderKey) => Promise<ReceiptSummary | undefined>,
): Promise<{ entries: DlqEntry[]; lookupError?: string }> {
  const cache = new Map<string, Promise<ReceiptSummary | undefined>>();
  const joined: DlqEntry[] = [];
  let lookupError: string | undefined;
  for (const entry of entries) {
    const storeId = Number(entry.storeId);
    const orderId = Number(entry.orderId);
    if (!Number.isSafeInteger(storeId) || !Number.isSafeInteger(orderId) || storeId < 1 || orderId < 1) {
      joined.push(entry);
      continue;
    }
    const cacheKey = `${storeId}#${orderId}`;
    let pending = cache.get(cacheKey);
    if (!pending) {
      pending = lookup({ storeId, orderId });
      cache.set(cacheKey, pending);
    }
    const copy: DlqEntry = { ...entry };
    try {
      const found = await pending;
      copy.receiptState = found?.state ?? "none";
      if (found?.lastError !== undefined) copy.lastError = found.lastError;
    } catch (error) {
      copy.receiptState = "?";
      lookupError ??= errorText(error);
    }
    joined.push(copy);
  }
  return lookupError === undefined ? { entries: joined } : { entries: joined, lookupError };
}

export type ReplayOutcomeKind = "moved" | "would-move" | "skipped" | "failed";

export interface ReplayOutcome {
  kind: ReplayOutcomeKind;
  entry: DlqEntry;
  /** The id of the copy on the main queue, once sent. */
  newMessageId?: string;
  error?: string;
}

export interface ReplayCounts {
  moved: number;
  wouldMove: number;
  skipped: number;
  failed: number;
}

export interface ReplayOptions {
  dlqUrl: string;
  queueUrl: string;
  /** At most this many messages selected (moved, failed or listed by a dry run); default: all. */
  max?: number;
  /** Only this order's messages; the others are released untouched. */
  orderId?: string;
  dryRun?: boolean;
  /** At most this many sends per second. */
  ratePerSecond?: number;
  waitSeconds?: number;
  holdSeconds?: number;
  clock?: Clock;
  onProgress?: (counts: ReplayCounts, last: ReplayOutcome) => void;
}

export interface ReplayResult extends ReplayCounts {
  outcomes: ReplayOutcome[];
  notReleased: number;
}

function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * Moves DLQ messages back to the main queue, one at a time: send a copy (same body, attributes and group,
 * a deduplication id derived from the DLQ message id), and delete the DLQ message only once the send
 * succeeded. A crash between the two leaves the message in the DLQ; replaying it again within five minutes
 * is dropped by FIFO deduplication, later the worker's DynamoDB guard keeps it from making a second receipt.
 */
export async function replayDlq(sqs: SQSClient, options: ReplayOptions): Promise<ReplayResult> {
  const max = options.max ?? Number.POSITIVE_INFINITY;
  const limiter = createRateLimiter(options.ratePerSecond, options.clock ?? systemClock);
  const counts: ReplayCounts = { moved: 0, wouldMove: 0, skipped: 0, failed: 0 };
  const outcomes: ReplayOutcome[] = [];
  const held = new Map<string, string>(); // messages to make visible again at the end: id → receipt handle
  const seen = new Set<string>();
  // A FIFO receive can return several messages of one order group; once one fails, the later ones stay in the
  // DLQ too, so the order's events never reach the worker out of order.
  const failedGroups = new Set<string>();
  const selected = () => counts.moved + counts.wouldMove + counts.failed;
  const record = (outcome: ReplayOutcome) => {
    outcomes.push(outcome);
    if (outcome.kind === "moved") counts.moved++;
    else if (outcome.kind === "would-move") counts.wouldMove++;
    else if (outcome.kind === "skipped") counts.skipped++;
    else counts.failed++;
    options.onProgress?.({ ...counts }, outcome);
  };
  let notReleased = 0;
  try {
    while (selected() < max) {
      const batch = await receiveBatch(sqs, options.dlqUrl, {
        max: max - selected(),
        holdSeconds: options.holdSeconds ?? REPLAY_HOLD_SECONDS,
        waitSeconds: options.waitSeconds ?? DEFAULT_WAIT_SECONDS,
      });
      let fresh = 0;
      for (const message of batch) {
        const id = message.MessageId ?? "";
        const handle = message.ReceiptHandle ?? "";
        if (seen.has(id)) {
          // Its hold expired and it came back in this run: already counted; release it again at the end.
          held.set(id, handle);
          continue;
        }
        seen.add(id);
        fresh++;
        const entry = describeDlqMessage(message);
        if (options.orderId !== undefined && entry.orderId !== options.orderId) {
          held.set(id, handle);
          record({ kind: "skipped", entry });
          continue;
        }
        if (selected() >= max) {
          held.set(id, handle);
          continue;
        }
        if (entry.groupId !== undefined && failedGroups.has(entry.groupId)) {
          held.set(id, handle);
          record({ kind: "skipped", entry, error: "an earlier event of this order failed to move" });
          continue;
        }
        const fail = (error: string, newMessageId?: string) => {
          held.set(id, handle);
          if (entry.groupId !== undefined) failedGroups.add(entry.groupId);
          record({ kind: "failed", entry, error, ...(newMessageId ? { newMessageId } : {}) });
        };
        let input: ReturnType<typeof buildReplaySendInput>;
        try {
          input = buildReplaySendInput(message, options.queueUrl);
        } catch (error) {
          fail(errorText(error));
          continue;
        }
        if (options.dryRun) {
          held.set(id, handle);
          record({ kind: "would-move", entry });
          continue;
        }
        await limiter.acquire();
        let newMessageId: string | undefined;
        try {
          newMessageId = (await sqs.send(new SendMessageCommand(input))).MessageId;
        } catch (error) {
          fail(`send to the main queue failed: ${errorText(error)}`);
          continue;
        }
        try {
          await sqs.send(new DeleteMessageCommand({ QueueUrl: options.dlqUrl, ReceiptHandle: handle }));
        } catch (error) {
          fail(
            `sent to the main queue (as ${newMessageId ?? "?"}) but not deleted from the DLQ: ${errorText(error)}; ` +
              "a new replay within 5 minutes is dropped by deduplication",
            newMessageId,
          );
          continue;
        }
        record({ kind: "moved", entry, ...(newMessageId ? { newMessageId } : {}) });
      }
      if (fresh === 0) break;
    }
  } finally {
    notReleased = await releaseMessages(sqs, options.dlqUrl, [...held.values()]);
  }
  return { ...counts, outcomes, notReleased };
}

export interface NativeReplayStarted {
  taskHandle: string;
  sourceArn: string;
  destinationArn: string;
}

async function queueArnOf(sqs: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }),
  );
  const arn = Attributes?.QueueArn;
  if (!arn) throw new Error(`SQS gave no QueueArn for ${queueUrl}`);
  return arn;
}

/** `--native`: SQS's StartMessageMoveTask from the DLQ back to the main queue. Returns the task handle. */
export async function startNativeReplay(
  sqs: SQSClient,
  options: { dlqUrl: string; queueUrl: string; ratePerSecond?: number },
): Promise<NativeReplayStarted> {
  const [sourceArn, destinationArn] = await Promise.all([
    queueArnOf(sqs, options.dlqUrl),
    queueArnOf(sqs, options.queueUrl),
  ]);
  const input = buildMessageMoveTaskInput({ sourceArn, destinationArn, maxPerSecond: options.ratePerSecond });
  const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand(input));
  if (!TaskHandle) throw new Error("StartMessageMoveTask returned no TaskHandle");
  return { taskHandle: TaskHandle, sourceArn, destinationArn };
}
