import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import { RECEIPTS_TABLE } from "../../lib/store/table-definition";

/** The table's indexes, from THE definition: the sparse pending-CDR index and the state index. */
function globalSecondaryIndexes(): GlobalSecondaryIndex[] {
  return [RECEIPTS_TABLE.pendingCdrIndex, RECEIPTS_TABLE.stateIndex].map((index) => ({
    IndexName: index.indexName,
    KeySchema: [
      { AttributeName: index.partitionKey.name, KeyType: "HASH" },
      { AttributeName: index.sortKey.name, KeyType: "RANGE" },
    ],
    Projection: { ProjectionType: "INCLUDE", NonKeyAttributes: [...index.projectedAttributes] },
  }));
}

function attributeDefinitions() {
  const { partitionKey, sortKey, pendingCdrIndex, stateIndex } = RECEIPTS_TABLE;
  const keys = [
    partitionKey,
    sortKey,
    pendingCdrIndex.partitionKey,
    pendingCdrIndex.sortKey,
    stateIndex.partitionKey,
    stateIndex.sortKey,
  ];
  return keys.map(({ name, type }) => ({
    AttributeName: name,
    AttributeType: type,
  }));
}

/**
 * CreateTable input for the receipts table, built only from THE definition (lib/store/table-definition.ts):
 * on-demand billing, the sparse pending-CDR index and the state index, each projecting what its readers read.
 * TTL is not part of CreateTable; `ensureReceiptsTable` enables it afterwards.
 */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const { partitionKey, sortKey } = RECEIPTS_TABLE;
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: attributeDefinitions(),
    KeySchema: [
      { AttributeName: partitionKey.name, KeyType: "HASH" },
      { AttributeName: sortKey.name, KeyType: "RANGE" },
    ],
    GlobalSecondaryIndexes: globalSecondaryIndexes(),
  };
}

/**
 * Adds the indexes the definition has and an existing (persisted) table lacks, one at a time as DynamoDB asks.
 * DynamoDB Local backfills a new index in a background job, which may wait behind its other jobs (a TTL job per
 * table) for a long while: nothing waits for it here. Until it is ACTIVE, queries on it fail (the poller's
 * overdue gauges, for a persisted database the first minutes after an upgrade).
 */
async function addMissingIndexes(client: DynamoDBClient, tableName: string): Promise<void> {
  const described = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const present = new Set((described.Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  for (const index of globalSecondaryIndexes()) {
    if (present.has(index.IndexName)) continue;
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: attributeDefinitions(),
        GlobalSecondaryIndexUpdates: [{ Create: index }],
      }),
    );
  }
}

/**
 * Creates the table with TTL enabled, or brings an existing one (a persisted local database) up to the
 * definition: indexes added since it was created, TTL enabled if it is not yet (UpdateTimeToLive refuses to
 * enable it twice).
 */
export async function ensureReceiptsTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName)));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1 }, { TableName: tableName });
  await addMissingIndexes(client, tableName);
  const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  if (ttl.TimeToLiveDescription?.TimeToLiveStatus !== "ENABLED") {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: RECEIPTS_TABLE.timeToLiveAttribute, Enabled: true },
      }),
    );
  }
}
