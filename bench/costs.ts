/**
 * AWS cost per million orders from what the benchmark counted.
 *
 * List prices, us-east-1, on-demand, without free tiers, as published on the AWS pricing pages in 2025
 * (Lambda, SQS, DynamoDB on-demand after the November 2024 price cut, Secrets Manager). They were written down
 * from those pages, not fetched by this script: check them before quoting a figure. Update PRICES_AS_OF with them.
 */
export const PRICES_AS_OF = "2025 list prices, us-east-1";
export const PRICES = {
  /** Lambda on arm64 (the stack's architecture), per GB-second, first 7.5 billion GB-s a month. */
  lambdaArmPerGbSecond: 0.0000133334,
  /** Lambda, per request (invocation). */
  lambdaPerRequest: 0.2 / 1_000_000,
  /** SQS FIFO, per request; each 64 KB chunk of a payload is billed as one request. */
  sqsFifoPerRequest: 0.5 / 1_000_000,
  /** DynamoDB on-demand, per write request unit (1 KB; 2 units per KB in a transaction). */
  dynamoPerWriteUnit: 0.625 / 1_000_000,
  /** DynamoDB on-demand, per read request unit (4 KB strongly consistent; 2 units in a transaction). */
  dynamoPerReadUnit: 0.125 / 1_000_000,
  /** Secrets Manager, per API call. */
  secretsPerCall: 0.05 / 10_000,
  /** Secrets Manager, per secret per month (the stack keeps two: webhook secrets, Acelérala credentials). */
  secretsPerSecretMonth: 0.4,
  /** CloudWatch Logs, standard class, data ingested per GB (storage, $0.03 per GB-month, left out). */
  logsIngestionPerGb: 0.5,
} as const;

/** What CloudWatch Logs ingests besides a function's own lines (assumptions, stated in the output). */
export const LOG_ASSUMPTIONS = {
  /** Lambda's START, END and REPORT lines of one invocation, about. */
  platformBytesPerInvocation: 300,
  /** CloudWatch Logs counts 26 bytes of metadata per log event. */
  bytesPerEvent: 26,
} as const;

/** Memory sizes of infra/aws/stack.ts (MB). */
export const FUNCTION_MEMORY_MB = {
  "webhook-receiver": 256,
  "receipt-worker": 512,
  "cdr-poller": 256,
  reconciler: 512,
} as const;

/** Assumptions for the costs that do not scale with orders (stated in the output). */
export const FIXED_ASSUMPTIONS = {
  /** 1 million orders spread over a 30-day month. */
  ordersPerMonth: 1_000_000,
  minutesPerMonth: 30 * 24 * 60,
  /** Warm environments per function at that rate (about 0.4 orders/s): one each. */
  environmentsPerFunction: 1,
  /** Powertools caches a secret 5 minutes per environment: 12 reads an hour. */
  secretReadsPerEnvironmentHour: 12,
  /** Functions that read a secret: receiver (webhook secrets), worker and poller (credentials). */
  functionsReadingSecrets: 3,
  /** The SQS event source mapping keeps long-polling an idle queue: about 5 pollers × 3 ReceiveMessage a minute. */
  idleReceivesPerMinute: 15,
  secrets: 2,
} as const;

export interface PerOrderUsage {
  lambdaRequests: number;
  /** Σ over functions of duration (s) × memory (GB), per order. */
  lambdaGbSeconds: number;
  sqsBilledRequests: number;
  dynamoReadUnits: number;
  dynamoWriteUnits: number;
  /** Bytes CloudWatch Logs ingests per order (the functions' lines, Lambda's own, the per-event overhead). */
  logBytes: number;
}

export interface CostEstimate {
  perMillionOrders: {
    lambdaRequests: number;
    lambdaCompute: number;
    sqs: number;
    dynamoWrites: number;
    dynamoReads: number;
    logs: number;
    total: number;
  };
  /** Costs that do not depend on the number of orders, per month (see FIXED_ASSUMPTIONS). */
  fixedPerMonth: {
    pollerSchedule: number;
    idleQueuePolling: number;
    secretsManagerCalls: number;
    secretsStorage: number;
    total: number;
  };
  pricesAsOf: string;
}

function cents(value: number): number {
  return Math.round(value * 100) / 100;
}

export function estimateCost(usage: PerOrderUsage, pollerGbSecondsPerRun: number): CostEstimate {
  const million = 1_000_000;
  const lambdaRequests = usage.lambdaRequests * million * PRICES.lambdaPerRequest;
  const lambdaCompute = usage.lambdaGbSeconds * million * PRICES.lambdaArmPerGbSecond;
  const sqs = usage.sqsBilledRequests * million * PRICES.sqsFifoPerRequest;
  const dynamoWrites = usage.dynamoWriteUnits * million * PRICES.dynamoPerWriteUnit;
  const dynamoReads = usage.dynamoReadUnits * million * PRICES.dynamoPerReadUnit;
  const logs = ((usage.logBytes * million) / 1024 ** 3) * PRICES.logsIngestionPerGb;
  const a = FIXED_ASSUMPTIONS;
  const pollerRuns = a.minutesPerMonth;
  const pollerSchedule =
    pollerRuns * PRICES.lambdaPerRequest + pollerRuns * pollerGbSecondsPerRun * PRICES.lambdaArmPerGbSecond;
  const idleQueuePolling = a.idleReceivesPerMinute * a.minutesPerMonth * PRICES.sqsFifoPerRequest;
  const secretsManagerCalls =
    a.functionsReadingSecrets *
    a.environmentsPerFunction *
    a.secretReadsPerEnvironmentHour *
    (a.minutesPerMonth / 60) *
    PRICES.secretsPerCall;
  const secretsStorage = a.secrets * PRICES.secretsPerSecretMonth;
  return {
    perMillionOrders: {
      lambdaRequests: cents(lambdaRequests),
      lambdaCompute: cents(lambdaCompute),
      sqs: cents(sqs),
      dynamoWrites: cents(dynamoWrites),
      dynamoReads: cents(dynamoReads),
      logs: cents(logs),
      total: cents(lambdaRequests + lambdaCompute + sqs + dynamoWrites + dynamoReads + logs),
    },
    fixedPerMonth: {
      pollerSchedule: cents(pollerSchedule),
      idleQueuePolling: cents(idleQueuePolling),
      secretsManagerCalls: cents(secretsManagerCalls),
      secretsStorage: cents(secretsStorage),
      total: cents(pollerSchedule + idleQueuePolling + secretsManagerCalls + secretsStorage),
    },
    pricesAsOf: PRICES_AS_OF,
  };
}
