import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import type { ReceiptState } from "./lifecycle";
import type { OrderKey } from "./receipt-record";
import { keyOfItem } from "./receipt-store";
import { PENDING_CDR_PARTITION, RECEIPTS_TABLE } from "./table-definition";

/**
 * Counts the records that have sat too long in a state, for the overdue gauges (lib/ops/overdue-records.ts).
 * Queries only, never a Scan: the sparse open-records index (partition `openState`, sort `openSince`: only records
 * in NEEDS_ATTENTION, and RESERVED records an attempt left unresolved, carry them) gives the records of one open state that entered it before a time,
 * oldest first; the pending-CDR index (every SUBMITTED record, with
 * `submittedAt` projected) gives those submitted before a time. Each count stops at `cap`: a gauge only has to
 * say "there are some", and the cost of a run must not grow with a backlog.
 */

export interface OverdueCount {
  /** How many records are overdue, up to the cap. */
  count: number;
  /** True when there may be more than `count`. */
  capped: boolean;
  /** A few of them (the oldest, from the state index), to name in a log line. */
  sample: OrderKey[];
}

const SAMPLE_SIZE = 10;
const STATE_INDEX = RECEIPTS_TABLE.stateIndex;
const PENDING_INDEX = RECEIPTS_TABLE.pendingCdrIndex;

type Item = { storeId: number; orderId: number; sk?: string };

export class OverdueQueries {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Records in the open `state` that entered it before `before`. */
  inStateSince(state: ReceiptState, before: Date, cap: number): Promise<OverdueCount> {
    return this.count(
      {
        TableName: this.tableName,
        IndexName: STATE_INDEX.indexName,
        KeyConditionExpression: "#state = :state AND #updated < :before",
        ExpressionAttributeNames: {
          "#state": STATE_INDEX.partitionKey.name,
          "#updated": STATE_INDEX.sortKey.name,
        },
        ExpressionAttributeValues: { ":state": state, ":before": before.toISOString() },
        ScanIndexForward: true,
      },
      cap,
    );
  }

  /** SUBMITTED records submitted before `before` (created, for records written before `submittedAt` existed). */
  submittedBefore(before: Date, cap: number): Promise<OverdueCount> {
    return this.count(
      {
        TableName: this.tableName,
        IndexName: PENDING_INDEX.indexName,
        KeyConditionExpression: "#partition = :pending",
        FilterExpression: "#submitted < :before OR (attribute_not_exists(#submitted) AND #created < :before)",
        ExpressionAttributeNames: {
          "#partition": PENDING_INDEX.partitionKey.name,
          "#submitted": "submittedAt",
          "#created": "createdAt",
        },
        ExpressionAttributeValues: { ":pending": PENDING_CDR_PARTITION, ":before": before.toISOString() },
      },
      cap,
      true,
    );
  }

  /**
   * Reads pages until `cap` records matched. Without a filter every record read matches, so a page asks for just
   * what is missing; with one (`filtered`), pages are DynamoDB's own (1 MB), as the filter drops most of them.
   */
  private async count(input: QueryCommandInput, cap: number, filtered = false): Promise<OverdueCount> {
    const found: Item[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          ...input,
          ...(filtered ? {} : { Limit: cap - found.length }),
          ExclusiveStartKey: startKey,
        }),
      );
      found.push(...((page.Items ?? []) as Item[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey && found.length < cap);
    return {
      count: Math.min(found.length, cap),
      capped: found.length > cap || startKey !== undefined,
      sample: found.slice(0, SAMPLE_SIZE).map(keyOfItem),
    };
  }
}
