/**
 * The parts of an SQS record the worker reads (a Lambda SQSRecord has them; lib/ knows no Lambda types).
 * `attributes` are SQS's system attributes, as the event source mapping delivers them (strings).
 */
export interface QueueRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: {
    ApproximateReceiveCount?: string;
    SentTimestamp?: string;
    MessageGroupId?: string;
  };
}

/** A partial batch response: the messages to return to the queue (ReportBatchItemFailures). */
export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/**
 * Processes an SQS FIFO batch with the ordering FIFO promises and no more: the messages of one group (one
 * order) one after the other, in batch order; different groups at the same time. After a failure the rest
 * of that group is reported failed without being tried, so a later event of an order never overtakes an
 * earlier one. Powertools' SqsFifoPartialProcessor keeps the same per-group rule but handles the whole
 * batch one record at a time, which made the worker's throughput the sum of its orders' latencies.
 */
export async function processFifoBatch<R extends QueueRecord>(
  records: readonly R[],
  handle: (record: R) => Promise<void>,
): Promise<BatchResponse> {
  const groups = new Map<string, R[]>();
  for (const record of records) {
    const group = record.attributes.MessageGroupId ?? record.messageId;
    const members = groups.get(group);
    if (members) members.push(record);
    else groups.set(group, [record]);
  }
  const batchItemFailures: BatchResponse["batchItemFailures"] = [];
  await Promise.all(
    [...groups.values()].map(async (members) => {
      let failed = false;
      for (const record of members) {
        if (!failed) {
          try {
            await handle(record);
            continue;
          } catch {
            failed = true; // the handler has logged and counted its own failure
          }
        }
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }),
  );
  return { batchItemFailures };
}
