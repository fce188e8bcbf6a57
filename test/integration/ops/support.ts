import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DeleteMessageCommand,
  DeleteQueueCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { createOrderEventsQueues } from "../../../infra/local/sqs-local";
import type { CliIo } from "../../../lib/cli/io";
import { run } from "../../../lib/cli/main";
import { type EventReference, enqueueOrderEvent } from "../../../lib/queue/order-events";
import { localAwsEnv, localClientConfig } from "../../support/local-stack";

/**
 * For the operator-command tests: the emulators of test/integration/global-setup.ts, queues of the test's own
 * (never the shared ones), an env file like the one `npm start` writes, and `cpe` run in-process.
 */

const REPO_ROOT = new URL("../../../", import.meta.url).pathname;

export function createScratch() {
  const dir = mkdtempSync(join(tmpdir(), "cpe-ops-it-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes the local stack's environment, with overrides (e.g. this test's queues), to a file for --local-env. */
export function writeLocalEnv(dir: string, overrides: Record<string, string> = {}): string {
  const path = join(dir, `env-${randomUUID()}.json`);
  writeFileSync(path, JSON.stringify({ ...localAwsEnv(), ...overrides }));
  return path;
}

export async function cpe(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: {}, cwd: REPO_ROOT };
  const code = await run(argv, io);
  return { code, stdout: out.join(""), stderr: err.join("") };
}

export function testSqsClient(): SQSClient {
  return new SQSClient(localClientConfig("sqs"));
}

export interface TestQueues {
  queueUrl: string;
  dlqUrl: string;
  remove(): Promise<void>;
}

/** A FIFO queue and its DLQ with the definition's settings, under names of this test only. */
export async function createTestQueues(sqs: SQSClient): Promise<TestQueues> {
  const name = `cpe-ops-${randomUUID().slice(0, 8)}`;
  const queues = await createOrderEventsQueues(sqs, {
    name: `${name}.fifo`,
    deadLetterName: `${name}-dlq.fifo`,
  });
  return {
    queueUrl: queues.queueUrl,
    dlqUrl: queues.deadLetterQueueUrl,
    async remove() {
      await sqs.send(new DeleteQueueCommand({ QueueUrl: queues.queueUrl }));
      await sqs.send(new DeleteQueueCommand({ QueueUrl: queues.deadLetterQueueUrl }));
    },
  };
}

export function orderEvent(storeId: number, orderId: number, eventId: string): EventReference {
  return {
    type: "orders.updated.placed",
    storeId,
    orderId,
    webhookId: eventId,
    eventTime: "2026-11-21T10:00:00.000Z",
  };
}

/** Puts an event in `url` exactly the way the receiver enqueues it (group, deduplication id, attributes). */
export async function putEvent(
  sqs: SQSClient,
  url: string,
  storeId: number,
  orderId: number,
  eventId: string,
) {
  return enqueueOrderEvent(sqs, url, orderEvent(storeId, orderId, eventId));
}

/** Consumes (receives and deletes) every message of `url`, in FIFO order, with system and message attributes. */
export async function drain(sqs: SQSClient, url: string): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const batch = await receiveOnce(sqs, url, 30);
    if (batch.length === 0) return all;
    all.push(...batch);
    // Deleting releases the FIFO group, so the next message of the same order comes in the next receive.
    for (const message of batch)
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }));
  }
}

/** One receive of up to 10 messages, held invisible for `hold` seconds; deletes nothing. */
export async function receiveOnce(sqs: SQSClient, url: string, hold: number): Promise<Message[]> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: url,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: hold,
      WaitTimeSeconds: 0,
      MessageSystemAttributeNames: ["All"],
      MessageAttributeNames: ["All"],
    }),
  );
  return Messages;
}
