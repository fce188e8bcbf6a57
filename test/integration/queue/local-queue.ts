import { ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION } from "../../../infra/local/aws-local-constants";
import { createOrderEventsQueues, startLocalSqs } from "../../../infra/local/sqs-local";

/**
 * fauxqs in this process (loopback, free port) with the order-events queues of lib/queue/queue-definition.ts,
 * for the queue and webhook-receiver integration tests. `stop()` closes the client and the server.
 */
export async function startOrderEventsQueue() {
  const server = await startLocalSqs();
  const sqs = new SQSClient({
    endpoint: server.endpoint,
    region: LOCAL_AWS_REGION,
    credentials: LOCAL_AWS_CREDENTIALS,
  });
  const { queueUrl } = await createOrderEventsQueues(sqs);
  return {
    endpoint: server.endpoint,
    sqs,
    queueUrl,
    /** Everything visible in `url` right now (up to 10), with system and message attributes. */
    async receive(url: string = queueUrl) {
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          MessageSystemAttributeNames: ["All"],
          MessageAttributeNames: ["All"],
          WaitTimeSeconds: 0,
        }),
      );
      return Messages ?? [];
    },
    async stop() {
      sqs.destroy();
      await server.stop();
    },
  };
}

export type OrderEventsQueueFixture = Awaited<ReturnType<typeof startOrderEventsQueue>>;
