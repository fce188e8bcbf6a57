import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  Aws,
  CfnCondition,
  CfnOutput,
  CfnParameter,
  type aws_cloudwatch as cloudwatch,
  Duration,
  aws_dynamodb as dynamodb,
  aws_events as events,
  aws_events_targets as eventsTargets,
  Fn,
  aws_iam as iam,
  aws_lambda as lambda,
  aws_lambda_event_sources as lambdaEventSources,
  aws_logs as logs,
  aws_lambda_nodejs as nodejs,
  RemovalPolicy,
  Stack,
  type StackProps,
  aws_secretsmanager as secretsmanager,
  aws_sns as sns,
  aws_sqs as sqs,
  Token,
  Validations,
} from "aws-cdk-lib";
import type { Construct } from "constructs";
import {
  DEFAULT_ACELERALA_TIMEOUT_SECONDS,
  POLLER_TIMEOUT_SECONDS,
  RECEIVER_TIMEOUT_SECONDS,
  RECONCILER_TIMEOUT_SECONDS,
} from "../../lib/time-budget";
import { createAlarms } from "./alarms";
import { BUNDLE_ALIASES, BUNDLE_MAIN_FIELDS, BUNDLE_TARGET, ESM_REQUIRE_BANNER } from "./bundling";
import { assertVisibilityCoversWorker, orderEventsQueueShape, receiptsTableShape } from "./definitions";

/** The repository root: entries, the lock file and config/stores.json are found from here. */
const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export const DEFAULT_ACELERALA_API_URL = "https://api.acelerala.com";

/** How long function logs are kept. Receipts themselves live in DynamoDB; logs are for debugging. */
const LOG_RETENTION = logs.RetentionDays.THREE_MONTHS;

/** Stop the poller before the next scheduled run starts, so two runs rarely overlap (overlaps are safe). */
const POLLER_TIMEOUT = Duration.seconds(POLLER_TIMEOUT_SECONDS);
const RECEIVER_TIMEOUT = Duration.seconds(RECEIVER_TIMEOUT_SECONDS);

/** The one-minute schedule of the CDR poller. */
export const CDR_POLL_SCHEDULE = events.Schedule.rate(Duration.minutes(1));

/** The hourly schedule of the reconciler (missed webhooks). */
export const RECONCILE_SCHEDULE = events.Schedule.rate(Duration.hours(1));
/** Fifteen days of orders per store, page by page: minutes at most, far below the next run. */
const RECONCILER_TIMEOUT = Duration.seconds(RECONCILER_TIMEOUT_SECONDS);

/**
 * Concurrency defaults for a small account (the default quota of 1,000, of which Lambda keeps 100 unreserved):
 * 13 reserved in all. 0 turns a reservation off (an account whose quota is under 113 cannot reserve at all).
 */
export const CONCURRENCY_DEFAULTS = {
  /** The receiver's cap: about 200 deliveries a second at ~50 ms each; a flood of them cannot take more. */
  receiverMaximum: 10,
  /** The worker's floor: its event source's maximum concurrency (WorkerMaximumConcurrency), always available. */
  workerReserved: 2,
  /** The poller's floor: its one run a minute always gets an environment (and never two at once). */
  pollerReserved: 1,
} as const;
/**
 * A page is a few reads; a bulk send of the page's orders (at most MAX_ORDERS_PER_SEND) is one API call and one
 * message each. A minute is plenty, and matches the local stack's console timeout.
 */
const CONSOLE_TIMEOUT = Duration.seconds(60);
/** htmx, served by the console itself (lib/console/assets.ts looks for it in `static/` beside the bundle). */
const HTMX_FILE = createRequire(import.meta.url).resolve("htmx.org/dist/htmx.min.js");

export class AceleralaSunatStack extends Stack {
  readonly table: dynamodb.Table;
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly receiver: nodejs.NodejsFunction;
  readonly worker: nodejs.NodejsFunction;
  readonly poller: nodejs.NodejsFunction;
  readonly reconciler: nodejs.NodejsFunction;
  readonly console: nodejs.NodejsFunction;
  readonly alarmTopic: sns.Topic;
  readonly alarms: Record<string, cloudwatch.Alarm>;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    assertVisibilityCoversWorker();

    // ---------------------------------------------------------------- parameters
    const apiUrl = new CfnParameter(this, "AceleralaApiUrl", {
      type: "String",
      default: DEFAULT_ACELERALA_API_URL,
      allowedPattern: "^https://[^\\s/]+(:[0-9]+)?(/[^\\s]*)?$",
      constraintDescription: "must be an https:// URL (the API's base; routes are /v1/...)",
      description: "Base URL of the Acelérala API.",
    });
    const maximumConcurrency = new CfnParameter(this, "WorkerMaximumConcurrency", {
      type: "Number",
      default: orderEventsQueueShape.defaultMaximumConcurrency,
      minValue: 2, // Lambda's floor for an SQS event source's maximum concurrency
      maxValue: 1000,
      description:
        "Most receipt-worker instances running at once (the SQS event source's maximum concurrency). " +
        "Keep it low enough that the worker stays under Acelérala's API rate limit.",
    });
    const receiverConcurrency = this.concurrencyParameter(
      "ReceiverMaximumConcurrency",
      CONCURRENCY_DEFAULTS.receiverMaximum,
      "Most webhook-receiver instances at once (its reserved concurrency, which caps it): a flood of requests " +
        "to the public URL cannot take the account's concurrency from the worker and the poller. 0: no cap.",
    );
    const workerReserved = this.concurrencyParameter(
      "WorkerReservedConcurrency",
      CONCURRENCY_DEFAULTS.workerReserved,
      "Concurrency reserved for the receipt worker (at least WorkerMaximumConcurrency, or its batches are " +
        "throttled). 0: none reserved.",
    );
    const pollerReserved = this.concurrencyParameter(
      "PollerReservedConcurrency",
      CONCURRENCY_DEFAULTS.pollerReserved,
      "Concurrency reserved for the CDR poller (1 is enough: it runs once a minute). 0: none reserved.",
    );
    const alarmEmail = new CfnParameter(this, "AlarmEmail", {
      type: "String",
      default: "",
      allowedPattern: "^$|^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$",
      constraintDescription: "must be an e-mail address or empty",
      description: "Optional: an e-mail address subscribed to the alarm topic (confirm the subscription).",
    });

    // ---------------------------------------------------------------- storage
    const tableShape = receiptsTableShape;
    this.table = new dynamodb.Table(this, "ReceiptsTable", {
      tableName: tableShape.tableName,
      partitionKey: tableShape.partitionKey,
      sortKey: tableShape.sortKey,
      timeToLiveAttribute: tableShape.timeToLiveAttribute,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      // Issued receipts are tax records: deleting the stack must never delete them.
      removalPolicy: RemovalPolicy.RETAIN,
      deletionProtection: true,
    });
    this.table.addGlobalSecondaryIndex(tableShape.pendingCdrIndex);
    this.table.addGlobalSecondaryIndex(tableShape.stateIndex);

    // ---------------------------------------------------------------- queues
    const queueShape = orderEventsQueueShape;
    this.deadLetterQueue = new sqs.Queue(this, "OrderEventsDlq", {
      queueName: queueShape.deadLetterQueueName,
      fifo: true,
      contentBasedDeduplication: false,
      retentionPeriod: queueShape.deadLetterRetentionPeriod,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.queue = new sqs.Queue(this, "OrderEventsQueue", {
      queueName: queueShape.queueName,
      fifo: true,
      // The receiver gives each message the webhook-id as its deduplication id.
      contentBasedDeduplication: false,
      visibilityTimeout: queueShape.visibilityTimeout,
      retentionPeriod: queueShape.retentionPeriod,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: queueShape.maxReceiveCount },
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: "AwsSolutions-SQS3",
      reason:
        "This queue IS the dead-letter queue of the order-events queue; a DLQ of the DLQ would only move " +
        "the messages an operator must look at further away. The DlqHasMessages alarm watches it.",
    });

    // ---------------------------------------------------------------- secrets (values filled by the operator)
    const webhookSecrets = this.placeholderSecret(
      "WebhookSecrets",
      'Standard Webhooks signing secrets of the Acelérala webhook: {"secrets": ["whsec_..."]} ' +
        "(two during a rotation).",
      "Webhook signing secrets are created by Acelérala when the webhook is registered and rotated by " +
        "adding the new whsec_ value next to the old one, then removing the old; no rotation Lambda can " +
        "obtain a new one. The procedure is in README.md, section Rotating secrets.",
    );
    const credentials = this.placeholderSecret(
      "AceleralaCredentials",
      'Acelérala API client credentials per store: {"<store_id>": {"client_id": "...", "client_secret": "..."}}.',
      "Acelérala issues the client credentials in its dashboard; there is no API a rotation Lambda could " +
        "call to rotate them. Operators replace the value when Acelérala re-issues them (README.md, section Rotating secrets).",
    );

    // ---------------------------------------------------------------- functions
    const commonEnvironment = {
      // Stack traces that point at the TypeScript sources (bundles ship their .map files).
      NODE_OPTIONS: "--enable-source-maps",
    };
    /** What the functions that call Acelérala and read receipts (worker, poller, reconciler) share. */
    const receiptsEnvironment = {
      ...commonEnvironment,
      TABLE_NAME: this.table.tableName,
      ACELERALA_API_URL: apiUrl.valueAsString,
      ACELERALA_CREDENTIALS_ARN: credentials.secretArn,
      // The value the worker's timeout and the queue's visibility timeout are derived from (lib/time-budget.ts).
      ACELERALA_TIMEOUT_SECONDS: String(DEFAULT_ACELERALA_TIMEOUT_SECONDS),
    };

    this.receiver = this.nodeFunction("WebhookReceiver", {
      entryName: "webhook-receiver",
      description: "Verifies Acelérala webhooks and enqueues order events (Function URL).",
      timeout: RECEIVER_TIMEOUT,
      memorySize: 256,
      environment: {
        ...commonEnvironment,
        ORDER_EVENTS_QUEUE_URL: this.queue.queueUrl,
        WEBHOOK_SECRETS_ARN: webhookSecrets.secretArn,
      },
    });
    this.reserveConcurrency(this.receiver, receiverConcurrency);
    this.queue.grant(this.receiver, "sqs:SendMessage");
    this.grantSecretValue(this.receiver, webhookSecrets);
    const receiverUrl = this.receiver.addFunctionUrl({
      // The Standard Webhooks signature (verified in the handler) is the authentication.
      authType: lambda.FunctionUrlAuthType.NONE,
      invokeMode: lambda.InvokeMode.BUFFERED,
    });

    this.worker = this.nodeFunction("ReceiptWorker", {
      entryName: "receipt-worker",
      description: "Issues the one SUNAT receipt of each paid order (SQS FIFO event source).",
      timeout: queueShape.workerTimeout,
      memorySize: 512,
      environment: { ...receiptsEnvironment, ORDER_EVENTS_QUEUE_URL: this.queue.queueUrl },
      // STORES_CONFIG_PATH keeps its default, config/stores.json relative to /var/task: ship the file there.
      copyStoresConfig: true,
    });
    this.worker.addEventSource(
      new lambdaEventSources.SqsEventSource(this.queue, {
        batchSize: queueShape.batchSize,
        reportBatchItemFailures: true,
        maxConcurrency: maximumConcurrency.valueAsNumber,
      }),
    );
    this.reserveConcurrency(this.worker, workerReserved);
    // The worker reads and updates single receipts (and counters, in a transaction); it never queries the index.
    this.worker.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ["dynamodb:GetItem", "dynamodb:UpdateItem"],
        resources: [this.table.tableArn],
      }),
    );
    this.grantSecretValue(this.worker, credentials);

    this.poller = this.nodeFunction("CdrPoller", {
      entryName: "cdr-poller",
      description: "Mirrors SUNAT's answers (CDR) of submitted receipts into DynamoDB, every minute.",
      timeout: POLLER_TIMEOUT,
      memorySize: 256,
      // The next run is a minute away; an automatic retry would only overlap with it, and a run throttled by
      // its reservation (an overlap) is dropped after a minute instead of waiting in the async queue for hours.
      retryAttempts: 0,
      maxEventAge: Duration.minutes(1),
      environment: receiptsEnvironment,
    });
    this.reserveConcurrency(this.poller, pollerReserved);
    // The pending-CDR index for the due receipts; both indexes for the overdue gauges (lib/ops/overdue-records.ts).
    this.poller.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ["dynamodb:Query"],
        resources: [tableShape.pendingCdrIndex, tableShape.stateIndex].map(
          (index) => `${this.table.tableArn}/index/${index.indexName}`,
        ),
      }),
    );
    this.poller.addToRolePolicy(
      new iam.PolicyStatement({ actions: ["dynamodb:UpdateItem"], resources: [this.table.tableArn] }),
    );
    this.grantSecretValue(this.poller, credentials);
    new events.Rule(this, "CdrPollSchedule", {
      description: "Runs the CDR poller every minute.",
      schedule: CDR_POLL_SCHEDULE,
      targets: [new eventsTargets.LambdaFunction(this.poller, { retryAttempts: 0 })],
    });

    this.reconciler = this.nodeFunction("Reconciler", {
      entryName: "reconciler",
      description:
        "Every hour: enqueues paid orders whose webhook was missed; counts receipts that do not match.",
      timeout: RECONCILER_TIMEOUT,
      memorySize: 512,
      // The next run is an hour away and covers the same two days: a retry would only repeat this one.
      retryAttempts: 0,
      environment: { ...receiptsEnvironment, ORDER_EVENTS_QUEUE_URL: this.queue.queueUrl },
      // It reconciles every store of config/stores.json.
      copyStoresConfig: true,
    });
    // It reads receipt records (and an order's credit notes: a Query on its key) and sends order events like the
    // receiver; it writes no record itself.
    this.reconciler.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ["dynamodb:GetItem", "dynamodb:Query"],
        resources: [this.table.tableArn],
      }),
    );
    this.queue.grant(this.reconciler, "sqs:SendMessage");
    this.grantSecretValue(this.reconciler, credentials);
    new events.Rule(this, "ReconcileSchedule", {
      description: "Runs the reconciler every hour.",
      schedule: RECONCILE_SCHEDULE,
      targets: [new eventsTargets.LambdaFunction(this.reconciler, { retryAttempts: 0 })],
    });

    this.console = this.nodeFunction("Console", {
      entryName: "console",
      description:
        "The merchant's web console (orders, receipts, bulk send, DLQ), behind a Function URL with AWS_IAM auth.",
      timeout: CONSOLE_TIMEOUT,
      memorySize: 512,
      environment: {
        ...receiptsEnvironment,
        ORDER_EVENTS_QUEUE_URL: this.queue.queueUrl,
        ORDER_EVENTS_DLQ_URL: this.deadLetterQueue.queueUrl,
        // Only signed requests reach it: the origin the signing proxy names is the operator's browser.
        CONSOLE_TRUST_PROXY_ORIGIN: "true",
      },
      copyStoresConfig: true,
      copyConsoleAssets: true,
    });
    // It reads receipts and their credit notes (a Query on the order's partition, never the index), moves a
    // rejected one to NEEDS_ATTENTION for a resend, sends order events as the receiver does, and looks at and
    // replays the DLQ (receive, release, delete after the copy was sent).
    this.console.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem"],
        resources: [this.table.tableArn],
      }),
    );
    this.queue.grant(this.console, "sqs:SendMessage");
    this.deadLetterQueue.grant(
      this.console,
      "sqs:ReceiveMessage",
      "sqs:ChangeMessageVisibility",
      "sqs:DeleteMessage",
      "sqs:GetQueueAttributes",
    );
    this.grantSecretValue(this.console, credentials);
    const consoleUrl = this.console.addFunctionUrl({
      // Never public: only requests signed with credentials allowed to invoke it (cpe console --aws).
      authType: lambda.FunctionUrlAuthType.AWS_IAM,
      invokeMode: lambda.InvokeMode.BUFFERED,
    });

    // ---------------------------------------------------------------- alarms
    this.alarmTopic = new sns.Topic(this, "AlarmTopic", {
      displayName: "acelerala-sunat alarms",
      enforceSSL: true,
    });
    Validations.of(this.alarmTopic).acknowledge({
      id: "AwsSolutions-SNS2",
      reason:
        "Alarm notifications carry only alarm names and metric values, no receipt or customer data. " +
        "CloudWatch alarms cannot publish to a topic encrypted with the AWS managed aws/sns key, and a " +
        "customer managed KMS key for this alone is not worth its cost.",
    });
    const hasAlarmEmail = new CfnCondition(this, "HasAlarmEmail", {
      expression: Fn.conditionNot(Fn.conditionEquals(alarmEmail.valueAsString, "")),
    });
    const subscription = new sns.CfnSubscription(this, "AlarmEmailSubscription", {
      topicArn: this.alarmTopic.topicArn,
      protocol: sns.SubscriptionProtocol.EMAIL,
      endpoint: alarmEmail.valueAsString,
    });
    subscription.cfnOptions.condition = hasAlarmEmail;
    this.alarms = createAlarms(this, {
      topic: this.alarmTopic,
      deadLetterQueue: this.deadLetterQueue,
      receiver: this.receiver,
      worker: this.worker,
      poller: this.poller,
      reconciler: this.reconciler,
      console: this.console,
    });

    // ---------------------------------------------------------------- outputs (what an operator and the CLI need)
    const output = (id: string, value: string, description: string) =>
      new CfnOutput(this, id, { value, description });
    output("TableName", this.table.tableName, "TABLE_NAME");
    output("OrderEventsQueueUrl", this.queue.queueUrl, "ORDER_EVENTS_QUEUE_URL");
    output("OrderEventsQueueArn", this.queue.queueArn, "ARN of the order-events queue");
    output("OrderEventsDlqUrl", this.deadLetterQueue.queueUrl, "ORDER_EVENTS_DLQ_URL");
    output("OrderEventsDlqArn", this.deadLetterQueue.queueArn, "DLQ ARN (StartMessageMoveTask source)");
    output("ReceiverUrl", receiverUrl.url, "Register this URL as the Acelérala webhook endpoint");
    output("WebhookSecretsArn", webhookSecrets.secretArn, 'WEBHOOK_SECRETS_ARN: {"secrets": ["whsec_..."]}');
    output(
      "AceleralaCredentialsArn",
      credentials.secretArn,
      "ACELERALA_CREDENTIALS_ARN (per-store credentials)",
    );
    output("AlarmTopicArn", this.alarmTopic.topicArn, "SNS topic the alarms notify");
    output(
      "ConsoleUrl",
      consoleUrl.url,
      "CONSOLE_URL of `cpe console --aws` (AWS_IAM: signed requests only)",
    );
    output(
      "ConsoleFunctionArn",
      this.console.functionArn,
      "Grant operators lambda:InvokeFunctionUrl and lambda:InvokeFunction on it",
    );
  }

  /** A concurrency setting: a whole number from 0 (none) to 1,000. */
  private concurrencyParameter(id: string, defaultValue: number, description: string): CfnParameter {
    return new CfnParameter(this, id, {
      type: "Number",
      default: defaultValue,
      minValue: 0,
      maxValue: 1000,
      description,
    });
  }

  /** The function's reserved concurrency from the parameter, or none when it is 0. */
  private reserveConcurrency(fn: lambda.Function, parameter: CfnParameter): void {
    const none = new CfnCondition(this, `${parameter.node.id}IsZero`, {
      expression: Fn.conditionEquals(parameter.valueAsString, "0"),
    });
    (fn.node.defaultChild as lambda.CfnFunction).reservedConcurrentExecutions = Token.asNumber(
      Fn.conditionIf(none.logicalId, Aws.NO_VALUE, parameter.valueAsNumber),
    );
  }

  /**
   * A secret whose value the operator fills after the deploy. CloudFormation generates a random placeholder,
   * so no value is ever in the template; the handlers refuse the placeholder (wrong shape) until it is filled.
   */
  private placeholderSecret(id: string, description: string, rotationReason: string): secretsmanager.Secret {
    const secret = new secretsmanager.Secret(this, id, {
      description,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ placeholder: "replace this whole value" }),
        generateStringKey: "random",
        excludePunctuation: true,
      },
    });
    Validations.of(secret).acknowledge({ id: "AwsSolutions-SMG4", reason: rotationReason });
    return secret;
  }

  /** Powertools Parameters calls only GetSecretValue. */
  private grantSecretValue(fn: lambda.IFunction, secret: secretsmanager.ISecret): void {
    fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ["secretsmanager:GetSecretValue"], resources: [secret.secretArn] }),
    );
  }

  /**
   * Node.js 22 on arm64, bundled here with the local esbuild (no Docker): minified ESM with source maps and
   * the AWS SDK bundled and tree-shaken (the pinned SDK version, not the runtime's). Each function gets its own
   * role and log group, so its permissions are exactly the grants made on it.
   */
  private nodeFunction(
    id: string,
    options: {
      entryName: string;
      description: string;
      timeout: Duration;
      memorySize: number;
      environment: Record<string, string>;
      retryAttempts?: number;
      maxEventAge?: Duration;
      copyStoresConfig?: boolean;
      copyConsoleAssets?: boolean;
    },
  ): nodejs.NodejsFunction {
    const logGroup = new logs.LogGroup(this, `${id}Logs`, {
      retention: LOG_RETENTION,
      // Logs are for debugging; the receipts are in the retained table.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
      description: `Execution role of the ${options.entryName} function`,
    });
    logGroup.grantWrite(role);
    const storesConfig = path.join(PROJECT_ROOT, "config", "stores.json");
    const fn = new nodejs.NodejsFunction(this, id, {
      entry: path.join(PROJECT_ROOT, "functions", options.entryName, "index.ts"),
      handler: "handler",
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, "package-lock.json"),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      description: options.description,
      timeout: options.timeout,
      memorySize: options.memorySize,
      environment: options.environment,
      role,
      logGroup,
      retryAttempts: options.retryAttempts,
      maxEventAge: options.maxEventAge,
      bundling: {
        forceDockerBundling: false,
        format: nodejs.OutputFormat.ESM,
        target: BUNDLE_TARGET,
        mainFields: BUNDLE_MAIN_FIELDS,
        banner: ESM_REQUIRE_BANNER,
        esbuildArgs: Object.fromEntries(
          Object.entries(BUNDLE_ALIASES).map(([module, replacement]) => [`--alias:${module}`, replacement]),
        ),
        minify: true,
        logLevel: nodejs.LogLevel.WARNING,
        sourceMap: true,
        sourcesContent: false,
        bundleAwsSDK: true,
        externalModules: [],
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_inputDir: string, outputDir: string): string[] => [
            ...(options.copyStoresConfig
              ? [`mkdir -p "${outputDir}/config"`, `cp "${storesConfig}" "${outputDir}/config/stores.json"`]
              : []),
            ...(options.copyConsoleAssets
              ? [`mkdir -p "${outputDir}/static"`, `cp "${HTMX_FILE}" "${outputDir}/static/htmx.min.js"`]
              : []),
          ],
        },
      },
    });
    Validations.of(fn).acknowledge({
      id: "AwsSolutions-L1",
      reason:
        "Pinned on purpose to Node.js 22 (nodejs22.x, supported by Lambda until 2027): the runtime the code, " +
        "its esbuild target and its tests are written for (docs/design.md). Moving to a newer runtime is a " +
        "deliberate change, tested first, not something a deploy should do implicitly.",
    });
    return fn;
  }
}
