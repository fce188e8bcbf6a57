/**
 * The one definition of the DynamoDB table. The CDK stack (infra/aws) and the local stack
 * (infra/local) both build the table from this object, so keys, indexes and TTL never drift apart.
 *
 * Single-table layout (items are described where they are written, in lib/store):
 * - receipt of an order:   pk = ORDER#<storeId>#<orderId>      sk = RECEIPT#<documentTypeCode>
 * - per-series counter:    pk = COUNTER#<storeId>#<series>     sk = COUNTER
 * The pending-CDR index is sparse: only receipts in state SUBMITTED carry `pendingCdr` and `nextPollAt`,
 * so the poller reads exactly the receipts that are due, ordered by when they are due.
 * The open-records index is sparse too: only records in NEEDS_ATTENTION, and RESERVED records an attempt left
 * unresolved, carry its keys (their state and when they entered it), so the overdue gauges count the records stuck
 * there without a Scan.
 */
export const RECEIPTS_TABLE = {
  /** Logical name; the deployed or local table name comes from the TABLE_NAME environment variable. */
  defaultName: "acelerala-sunat-receipts",
  partitionKey: { name: "pk", type: "S" },
  sortKey: { name: "sk", type: "S" },
  timeToLiveAttribute: "expiresAt",
  pendingCdrIndex: {
    indexName: "pending-cdr",
    /** Constant value written on SUBMITTED receipts; removed on any final state. */
    partitionKey: { name: "pendingCdr", type: "S" },
    /** Epoch milliseconds of the next poll, so `nextPollAt <= now` selects what is due. */
    sortKey: { name: "nextPollAt", type: "N" },
    /**
     * Only what the poller reads (lib/poller/poll-cdrs.ts): the index copy of each pending receipt stays small,
     * so every write of a SUBMITTED receipt costs fewer index write units than projecting ALL attributes.
     */
    projectedAttributes: [
      "storeId",
      "orderId",
      "receiptId",
      "documentNumber",
      "submittedAt",
      "createdAt",
      "eventAt",
      "pollCount",
    ],
  },
  stateIndex: {
    indexName: "open-records",
    /**
     * Sparse, like the pending-CDR index: only records a person or the worker still has to finish carry
     * `openState` and `openSince` (when they entered that state): NEEDS_ATTENTION from the move into it, RESERVED
     * from the first later attempt that finds the number unresolved (`markUnresolved`: on the happy path a
     * reservation lands within a second and never touches the index). Every other move removes them
     * (lib/store/receipt-store.ts). The index costs a write when a record enters or leaves it, none while it sits
     * in ACCEPTED, and its partitions never hold the table's whole history. Queries read the records of one open
     * state that entered it before a time.
     */
    partitionKey: { name: "openState", type: "S" },
    sortKey: { name: "openSince", type: "S" },
    /** Enough to name the order (and, with the sort key `sk`, which of its documents) in a log line. */
    projectedAttributes: ["storeId", "orderId"],
  },
} as const;

/** The value every pending receipt carries in the index's partition key. */
export const PENDING_CDR_PARTITION = "PENDING";
