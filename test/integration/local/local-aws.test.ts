import { fork } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { DynamoDBClient, GetItemCommand, ListTablesCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { LOCAL_AWS_CREDENTIALS } from "../../../infra/local/aws-local-constants";
import { startLocalAws } from "../../../infra/local/local-aws";
import { localAwsEnv } from "../../support/local-stack";
import { isProcessAlive } from "./process-alive";

describe("startLocalAws", () => {
  it("hands its environment to the test workers through process.env as well as inject", async () => {
    const env = localAwsEnv();
    for (const name of [
      "AWS_REGION",
      "AWS_ENDPOINT_URL_DYNAMODB",
      "AWS_ENDPOINT_URL_SQS",
      "TABLE_NAME",
    ] as const) {
      expect(process.env[name]).toBe(env[name]);
    }
    expect(env.ORDER_EVENTS_QUEUE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/000000000000\/.+\.fifo$/);
    expect(env.ORDER_EVENTS_DLQ_URL).toMatch(/dlq\.fifo$/);
    // SDK clients with no explicit configuration find the emulators, as the adapters' and handlers' clients do.
    const client = new DynamoDBClient({});
    const sqs = new SQSClient({});
    try {
      const { TableNames } = await client.send(new ListTablesCommand({}));
      expect(TableNames).toContain(env.TABLE_NAME);
      // The SQS client sends to the queue URL's host when it differs from the endpoint: it must be loopback.
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: env.ORDER_EVENTS_QUEUE_URL,
          AttributeNames: ["FifoQueue"],
        }),
      );
      expect(Attributes?.FifoQueue).toBe("true");
    } finally {
      client.destroy();
      sqs.destroy();
    }
  });

  it("keeps DynamoDB data between runs with persistDir, and stops everything it started", async () => {
    const persistDir = await mkdtemp(join(tmpdir(), "local-aws-persist-"));
    try {
      const item = { pk: { S: "ORDER#511#1" }, sk: { S: "RECEIPT#01" }, state: { S: "SUBMITTED" } };
      const first = await startLocalAws({ persistDir });
      const firstClient = new DynamoDBClient({
        endpoint: first.env.AWS_ENDPOINT_URL_DYNAMODB,
        region: first.env.AWS_REGION,
        credentials: LOCAL_AWS_CREDENTIALS,
      });
      await firstClient.send(new PutItemCommand({ TableName: first.env.TABLE_NAME, Item: item }));
      firstClient.destroy();
      await first.stop();
      await expect(fetch(first.env.AWS_ENDPOINT_URL_DYNAMODB)).rejects.toThrow();
      await expect(fetch(first.env.AWS_ENDPOINT_URL_SQS)).rejects.toThrow();

      // The table exists already (with TTL on): starting again must reuse it, not fail.
      const second = await startLocalAws({ persistDir });
      const secondClient = new DynamoDBClient({
        endpoint: second.env.AWS_ENDPOINT_URL_DYNAMODB,
        region: second.env.AWS_REGION,
        credentials: LOCAL_AWS_CREDENTIALS,
      });
      try {
        const { Item } = await secondClient.send(
          new GetItemCommand({ TableName: second.env.TABLE_NAME, Key: { pk: item.pk, sk: item.sk } }),
        );
        expect(Item?.state?.S).toBe("SUBMITTED");
      } finally {
        secondClient.destroy();
        await second.stop();
      }
    } finally {
      await rm(persistDir, { recursive: true, force: true });
    }
  }, 60_000);

  it("does not leave DynamoDB Local running when its parent process is killed with SIGKILL", async () => {
    const parent = fork(join(import.meta.dirname, "fixtures", "start-dynamodb-and-wait.ts"), [], {
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "pipe", "inherit", "ipc"],
    });
    try {
      const firstLine = await new Promise<string>((resolve, reject) => {
        if (!parent.stdout) return reject(new Error("no stdout"));
        createInterface({ input: parent.stdout }).once("line", resolve);
        parent.once("exit", (code) => reject(new Error(`fixture exited early (${code})`)));
      });
      const { javaPid } = JSON.parse(firstLine) as { javaPid: number };
      expect(isProcessAlive(javaPid)).toBe(true);
      parent.kill("SIGKILL");
      await expect.poll(() => isProcessAlive(javaPid), { timeout: 10_000 }).toBe(false);
    } finally {
      parent.kill("SIGKILL");
    }
  }, 60_000);
});
