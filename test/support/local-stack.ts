import { inject } from "vitest";
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION } from "../../infra/local/aws-local-constants";
import type { LocalAwsEnv } from "../../infra/local/local-aws";

// What test/integration/global-setup.ts hands to the integration tests through vitest's provide/inject.
declare module "vitest" {
  export interface ProvidedContext {
    localAwsEnv: LocalAwsEnv;
  }
}

/**
 * The local stack's environment (AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SQS, TABLE_NAME,
 * ORDER_EVENTS_QUEUE_URL, ORDER_EVENTS_DLQ_URL, fake credentials). The global setup also copies it into
 * process.env, so SDK clients built with `new DynamoDBClient({})` find the emulators.
 */
export function localAwsEnv(): LocalAwsEnv {
  const env = inject("localAwsEnv");
  if (!env)
    throw new Error("localAwsEnv was not provided: run this test in the integration project (global setup)");
  return env;
}

/** Client configuration for one of the emulators: `new SQSClient(localClientConfig("sqs"))`. */
export function localClientConfig(service: "dynamodb" | "sqs"): {
  endpoint: string;
  region: string;
  credentials: typeof LOCAL_AWS_CREDENTIALS;
} {
  const env = localAwsEnv();
  return {
    endpoint: service === "dynamodb" ? env.AWS_ENDPOINT_URL_DYNAMODB : env.AWS_ENDPOINT_URL_SQS,
    region: LOCAL_AWS_REGION,
    credentials: LOCAL_AWS_CREDENTIALS,
  };
}
