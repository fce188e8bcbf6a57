import { existsSync, readdirSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
} from "@aws-sdk/client-dynamodb";
import { afterAll, describe, expect, it } from "vitest";
import {
  checkJava,
  ensureDynamoDbLocalJar,
  parseJavaMajorVersion,
  startDynamoDbLocal,
} from "../../../infra/local/dynamodb-local";
import { createTableInput } from "../../../infra/local/receipts-table";
import { PENDING_CDR_PARTITION, RECEIPTS_TABLE } from "../../../lib/store/table-definition";
import { localAwsEnv, localClientConfig } from "../../support/local-stack";

const dynamo = new DynamoDBClient(localClientConfig("dynamodb"));
afterAll(() => dynamo.destroy());

describe("the receipts table in DynamoDB Local", () => {
  it("has the key schema, the sparse GSI and the TTL of lib/store/table-definition.ts", async () => {
    const tableName = localAwsEnv().TABLE_NAME;
    expect(tableName).toBe(RECEIPTS_TABLE.defaultName);
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    expect(Table?.KeySchema).toEqual([
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ]);
    expect(Table?.BillingModeSummary?.BillingMode).toBe("PAY_PER_REQUEST");
    const index = Table?.GlobalSecondaryIndexes?.find((gsi) => gsi.IndexName === "pending-cdr");
    expect(index?.KeySchema).toEqual([
      { AttributeName: "pendingCdr", KeyType: "HASH" },
      { AttributeName: "nextPollAt", KeyType: "RANGE" },
    ]);
    expect(index?.Projection?.ProjectionType).toBe("INCLUDE");
    expect(index?.Projection?.NonKeyAttributes).toEqual([
      ...RECEIPTS_TABLE.pendingCdrIndex.projectedAttributes,
    ]);
    expect(Table?.AttributeDefinitions).toEqual(
      expect.arrayContaining([
        { AttributeName: "pendingCdr", AttributeType: "S" },
        { AttributeName: "nextPollAt", AttributeType: "N" },
      ]),
    );
    const { TimeToLiveDescription } = await dynamo.send(
      new DescribeTimeToLiveCommand({ TableName: tableName }),
    );
    expect(TimeToLiveDescription).toEqual({ TimeToLiveStatus: "ENABLED", AttributeName: "expiresAt" });
  });

  it("builds CreateTable input only from the definition", () => {
    const input = createTableInput("some-table");
    expect(input.TableName).toBe("some-table");
    expect(input.GlobalSecondaryIndexes?.[0]?.IndexName).toBe(RECEIPTS_TABLE.pendingCdrIndex.indexName);
    expect(input.AttributeDefinitions).toHaveLength(4);
  });

  it("keeps items without pendingCdr out of the pending-CDR index (sparse) and orders by nextPollAt", async () => {
    const tableName = localAwsEnv().TABLE_NAME;
    const run = `sparse-test-${Date.now()}`;
    const base = 4_000_000_000_000 + Math.floor(Math.random() * 1_000_000);
    const put = (sk: string, extra: Record<string, { S: string } | { N: string }>) =>
      dynamo.send(
        new PutItemCommand({ TableName: tableName, Item: { pk: { S: run }, sk: { S: sk }, ...extra } }),
      );
    await put("due-later", { pendingCdr: { S: PENDING_CDR_PARTITION }, nextPollAt: { N: String(base + 2) } });
    await put("due-first", { pendingCdr: { S: PENDING_CDR_PARTITION }, nextPollAt: { N: String(base + 1) } });
    await put("accepted", { nextPollAt: { N: String(base + 1) } }); // No pendingCdr: must not be indexed.
    const { Items } = await dynamo.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: "pending-cdr",
        KeyConditionExpression: "pendingCdr = :pending AND nextPollAt BETWEEN :from AND :to",
        FilterExpression: "pk = :run",
        ExpressionAttributeValues: {
          ":pending": { S: PENDING_CDR_PARTITION },
          ":from": { N: String(base) },
          ":to": { N: String(base + 10) },
          ":run": { S: run },
        },
      }),
    );
    expect(Items?.map((item) => item.sk?.S)).toEqual(["due-first", "due-later"]);
  });
});

describe("DynamoDB Local process management", () => {
  it("reads Java's major version from `java -version`", () => {
    expect(parseJavaMajorVersion('openjdk version "17.0.15" 2025-04-15')).toBe(17);
    expect(parseJavaMajorVersion('java version "1.8.0_392"')).toBe(8);
    expect(parseJavaMajorVersion('openjdk version "21" 2023-09-19')).toBe(21);
    expect(parseJavaMajorVersion("no version here")).toBeUndefined();
  });

  it("explains clearly when Java is missing", async () => {
    await expect(checkJava("/nonexistent/bin/java")).rejects.toThrow(/needs Java 17 or newer.*JAVA_HOME/s);
  });

  it("fails with the tail of DynamoDB Local's output when it cannot listen", async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", () => resolve()));
    const address = blocker.address();
    const port = typeof address === "object" && address ? address.port : 0;
    try {
      await expect(startDynamoDbLocal({ port, readyTimeoutMs: 30_000 })).rejects.toThrow(
        /could not listen on port \d+\. Its output:\n.*Address already in use/s,
      );
    } finally {
      blocker.close();
    }
  });

  it("replaces a half-unpacked cache, and two concurrent fetches end with one complete cache", async () => {
    const scratch = await mkdtemp(join(tmpdir(), "dynamodb-local-cache-"));
    const cacheDir = join(scratch, "2.9.30");
    try {
      // A jar without the completion marker: what an interrupted unpack leaves behind.
      await mkdir(cacheDir);
      await writeFile(join(cacheDir, "DynamoDBLocal.jar"), "truncated");
      const [first, second] = await Promise.all([
        ensureDynamoDbLocalJar(cacheDir),
        ensureDynamoDbLocalJar(cacheDir),
      ]);
      expect(first).toBe(cacheDir);
      expect(second).toBe(cacheDir);
      expect(existsSync(join(cacheDir, ".complete"))).toBe(true);
      expect(existsSync(join(cacheDir, "DynamoDBLocal_lib"))).toBe(true);
      // No temporary or set-aside folders are left behind.
      expect(readdirSync(scratch)).toEqual(["2.9.30"]);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }, 120_000);
});
