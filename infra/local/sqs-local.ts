import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { buildApp } from "fauxqs";
import { ORDER_EVENTS_QUEUE } from "../../lib/queue/queue-definition";
// fauxqs does not export its stores; they are needed to give queues loopback URLs (see startLocalSqs).
// fauxqs is pinned (1.9.2) in package.json, so these paths are stable.
import { S3Store } from "../../node_modules/fauxqs/dist/s3/s3Store.js";
import { SnsStore } from "../../node_modules/fauxqs/dist/sns/snsStore.js";
import { SqsStore } from "../../node_modules/fauxqs/dist/sqs/sqsStore.js";
import { LOCAL_AWS_REGION, LOOPBACK_HOST, type LocalLog } from "./aws-local-constants";

const SECONDS_PER_DAY = 86_400;

export interface LocalSqs {
  /** `http://127.0.0.1:<port>`; queue URLs are `<endpoint>/000000000000/<name>`. */
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * fauxqs in this process. `startFauxqs` always listens on 0.0.0.0, so this builds its app and listens on
 * loopback itself.
 * Queue URLs: by default fauxqs names queues `http://sqs.<region>.localhost:<port>/…`. The AWS SDK's SQS client
 * sends requests to the queue URL's host when it differs from the endpoint it resolved, and when the endpoint
 * comes from AWS_ENDPOINT_URL_SQS (as in the handlers), `sqs.us-east-1.localhost` does not resolve on Linux
 * without systemd-resolved: every call fails with ENOTFOUND. With the store's `host` emptied, fauxqs takes the
 * request's Host header instead, so queue URLs are `http://127.0.0.1:<port>/000000000000/<name>`, the endpoint.
 */
export async function startLocalSqs(options: { port?: number; log?: LocalLog } = {}): Promise<LocalSqs> {
  const sqsStore = new SqsStore();
  sqsStore.host = "";
  const app = buildApp({
    logger: false,
    defaultRegion: LOCAL_AWS_REGION,
    stores: { sqsStore, snsStore: new SnsStore(), s3Store: new S3Store() },
  });
  const address = await app.listen({ host: LOOPBACK_HOST, port: options.port ?? 0 });
  const port = Number(new URL(address).port);
  options.log?.(`fauxqs (SQS) listening on ${address}`);
  return {
    endpoint: `http://${LOOPBACK_HOST}:${port}`,
    port,
    // forceCloseConnections is on in fauxqs, so open long polls do not hold the close up.
    stop: () => app.close(),
  };
}

export interface QueuePair {
  queueUrl: string;
  queueArn: string;
  deadLetterQueueUrl: string;
  deadLetterQueueArn: string;
}

/** Defaults come from THE definition; tests override timings on their own queues, never the definition. */
export interface OrderEventsQueueOptions {
  name?: string;
  deadLetterName?: string;
  visibilityTimeoutSeconds?: number;
  maxReceiveCount?: number;
}

/**
 * Creates the FIFO queue and its FIFO dead-letter queue with the redrive, visibility and retention of
 * lib/queue/queue-definition.ts. Content-based deduplication is off: producers give a MessageDeduplicationId.
 */
export async function createOrderEventsQueues(
  client: SQSClient,
  options: OrderEventsQueueOptions = {},
): Promise<QueuePair> {
  const name = options.name ?? ORDER_EVENTS_QUEUE.name;
  const deadLetterName = options.deadLetterName ?? ORDER_EVENTS_QUEUE.deadLetterName;
  const fifo = { FifoQueue: "true", ContentBasedDeduplication: "false" };
  const deadLetterQueueUrl = await createQueue(client, deadLetterName, {
    ...fifo,
    MessageRetentionPeriod: String(ORDER_EVENTS_QUEUE.deadLetterRetentionPeriodDays * SECONDS_PER_DAY),
  });
  const deadLetterQueueArn = await queueArn(client, deadLetterQueueUrl);
  const queueUrl = await createQueue(client, name, {
    ...fifo,
    VisibilityTimeout: String(
      options.visibilityTimeoutSeconds ?? ORDER_EVENTS_QUEUE.visibilityTimeoutSeconds,
    ),
    MessageRetentionPeriod: String(ORDER_EVENTS_QUEUE.retentionPeriodDays * SECONDS_PER_DAY),
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: deadLetterQueueArn,
      maxReceiveCount: options.maxReceiveCount ?? ORDER_EVENTS_QUEUE.maxReceiveCount,
    }),
  });
  return { queueUrl, queueArn: await queueArn(client, queueUrl), deadLetterQueueUrl, deadLetterQueueArn };
}

async function createQueue(
  client: SQSClient,
  name: string,
  attributes: Record<string, string>,
): Promise<string> {
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!QueueUrl) throw new Error(`CreateQueue ${name} returned no QueueUrl`);
  return QueueUrl;
}

export async function queueArn(client: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }),
  );
  const arn = Attributes?.QueueArn;
  if (!arn) throw new Error(`GetQueueAttributes gave no QueueArn for ${queueUrl}`);
  return arn;
}
