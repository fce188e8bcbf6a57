import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import { RECEIPTS_TABLE } from "../../lib/store/table-definition";

/**
 * CreateTable input for the receipts table, built only from THE definition (lib/store/table-definition.ts):
 * on-demand billing, the sparse pending-CDR index projecting everything. TTL is not part of CreateTable;
 * `ensureReceiptsTable` enables it afterwards.
 */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const { partitionKey, sortKey, pendingCdrIndex } = RECEIPTS_TABLE;
  const attributes = [partitionKey, sortKey, pendingCdrIndex.partitionKey, pendingCdrIndex.sortKey];
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: attributes.map(({ name, type }) => ({ AttributeName: name, AttributeType: type })),
    KeySchema: [
      { AttributeName: partitionKey.name, KeyType: "HASH" },
      { AttributeName: sortKey.name, KeyType: "RANGE" },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: pendingCdrIndex.indexName,
        KeySchema: [
          { AttributeName: pendingCdrIndex.partitionKey.name, KeyType: "HASH" },
          { AttributeName: pendingCdrIndex.sortKey.name, KeyType: "RANGE" },
        ],
        Projection: {
          ProjectionType: "INCLUDE",
          NonKeyAttributes: [...pendingCdrIndex.projectedAttributes],
        },
      },
    ],
  };
}

/**
 * Creates the table with TTL enabled, or leaves an existing one (a persisted local database) as it is,
 * enabling TTL only if it is not enabled yet (UpdateTimeToLive refuses to enable it twice).
 */
export async function ensureReceiptsTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName)));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1 }, { TableName: tableName });
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
