import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { RECEIPTS_TABLE } from "../../lib/store/table-definition";
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION, type LocalLog } from "./aws-local-constants";
import { type DynamoDbLocal, startDynamoDbLocal } from "./dynamodb-local";
import { ensureReceiptsTable } from "./receipts-table";
import { createOrderEventsQueues, type LocalSqs, startLocalSqs } from "./sqs-local";

export interface LocalAwsOptions {
  /** Keep DynamoDB data in this folder between runs (`npm start --persist`); in memory otherwise. SQS is always in memory. */
  persistDir?: string;
  /** Receives progress lines; nothing is printed by default. */
  log?: LocalLog;
}

/** The variables the handlers and the CLI read, the same names as on AWS. */
export interface LocalAwsEnv extends Record<string, string> {
  AWS_REGION: string;
  AWS_ACCESS_KEY_ID: string;
  AWS_SECRET_ACCESS_KEY: string;
  AWS_ENDPOINT_URL_DYNAMODB: string;
  AWS_ENDPOINT_URL_SQS: string;
  TABLE_NAME: string;
  ORDER_EVENTS_QUEUE_URL: string;
  ORDER_EVENTS_DLQ_URL: string;
}

export interface LocalAws {
  env: LocalAwsEnv;
  /** Stops both emulators; safe to call twice. */
  stop(): Promise<void>;
}

/** DynamoDB Local and fauxqs, started in parallel, with the receipts table and the order-events queues created. */
export async function startLocalAws(options: LocalAwsOptions = {}): Promise<LocalAws> {
  const { log } = options;
  const started = await Promise.allSettled([
    startDynamoDbLocal({ persistDir: options.persistDir, log }),
    startLocalSqs({ log }),
  ]);
  const [dynamoResult, sqsResult] = started;
  const dynamo: DynamoDbLocal | undefined =
    dynamoResult.status === "fulfilled" ? dynamoResult.value : undefined;
  const sqs: LocalSqs | undefined = sqsResult.status === "fulfilled" ? sqsResult.value : undefined;
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await Promise.all([dynamo?.stop(), sqs?.stop()]);
  };
  if (!dynamo || !sqs) {
    await stop();
    const failure = [dynamoResult, sqsResult].find((result) => result.status === "rejected");
    throw failure?.reason;
  }
  const clientConfig = { region: LOCAL_AWS_REGION, credentials: LOCAL_AWS_CREDENTIALS };
  const dynamoClient = new DynamoDBClient({ ...clientConfig, endpoint: dynamo.endpoint });
  const sqsClient = new SQSClient({ ...clientConfig, endpoint: sqs.endpoint });
  try {
    const tableName = RECEIPTS_TABLE.defaultName;
    const [queues] = await Promise.all([
      createOrderEventsQueues(sqsClient),
      ensureReceiptsTable(dynamoClient, tableName),
    ]);
    log?.(`Table ${tableName} and queues ready`);
    return {
      env: {
        AWS_REGION: LOCAL_AWS_REGION,
        AWS_ACCESS_KEY_ID: LOCAL_AWS_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_AWS_CREDENTIALS.secretAccessKey,
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
        AWS_ENDPOINT_URL_SQS: sqs.endpoint,
        TABLE_NAME: tableName,
        ORDER_EVENTS_QUEUE_URL: queues.queueUrl,
        ORDER_EVENTS_DLQ_URL: queues.deadLetterQueueUrl,
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  } finally {
    dynamoClient.destroy();
    sqsClient.destroy();
  }
}
