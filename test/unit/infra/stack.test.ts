import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { App, type CfnElement, Duration, Stack, aws_sqs as sqs, Validations } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import type { IConstruct } from "constructs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POLLER_METRICS } from "../../../functions/cdr-poller/index";
import { WORKER_METRICS } from "../../../functions/receipt-worker/index";
import { LOOKBACK_HOURS, RECONCILER_METRICS } from "../../../functions/reconciler/index";
import { RECEIVER_METRICS } from "../../../functions/webhook-receiver/index";
import { addAceleralaSunat } from "../../../infra/aws/build";
import {
  assertVisibilityCoversWorker,
  FUNCTION_SERVICE_NAMES,
  VISIBILITY_TO_TIMEOUT_RATIO,
} from "../../../infra/aws/definitions";
import type { AceleralaSunatStack } from "../../../infra/aws/stack";
import { ORDER_EVENTS_QUEUE } from "../../../lib/queue/queue-definition";
import { RECEIPTS_TABLE } from "../../../lib/store/table-definition";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const SECONDS_PER_DAY = 86_400;

type Json = Record<string, unknown>;
type Statement = { Action: string | string[]; Effect: string; Resource: unknown };

let outdir: string;
let app: App;
let stack: AceleralaSunatStack;
let template: Template;
let templateJson: { Resources: Record<string, { Type: string; Properties: Json } & Json> } & Json;
let assemblyDirectory: string;

/** The logical id CloudFormation sees for a construct (its default child for L2s). */
function logicalId(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return stack.getLogicalId(element);
}
const ref = (construct: IConstruct) => ({ Ref: logicalId(construct) });
const arnOf = (construct: IConstruct) => ({ "Fn::GetAtt": [logicalId(construct), "Arn"] });

beforeAll(() => {
  // The same context the CLI uses (feature flags, telemetry off), so the test sees the deployed template.
  const cdkJson = JSON.parse(readFileSync(path.join(ROOT, "cdk.json"), "utf8")) as { context: Json };
  outdir = mkdtempSync(path.join(tmpdir(), "acelerala-cdk-"));
  app = new App({ outdir, context: cdkJson.context, builtinCloudFormationValidation: false });
  stack = addAceleralaSunat(app);
  // One synthesis per file (with the real esbuild bundling): every test reads this assembly.
  const assembly = app.synth();
  assemblyDirectory = assembly.directory;
  const artifact = assembly.getStackByName(stack.stackName);
  templateJson = JSON.parse(readFileSync(artifact.templateFullPath, "utf8"));
  template = Template.fromJSON(templateJson);
}, 180_000);

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

function resourcesOfType(type: string): Array<[string, Json]> {
  return Object.entries(templateJson.Resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([id, resource]) => [id, resource.Properties]);
}

function property(id: string): Json {
  const resource = templateJson.Resources[id];
  if (!resource) throw new Error(`no resource ${id} in the template`);
  return resource.Properties;
}

describe("worker event source", () => {
  it("reads the FIFO queue in batches of the definition's size, with partial batch responses", () => {
    template.resourceCountIs("AWS::Lambda::EventSourceMapping", 1);
    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      EventSourceArn: arnOf(stack.queue),
      FunctionName: ref(stack.worker),
      BatchSize: ORDER_EVENTS_QUEUE.batchSize,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      ScalingConfig: { MaximumConcurrency: { Ref: "WorkerMaximumConcurrency" } },
    });
  });

  it("caps concurrency with a parameter whose default is the definition's maximumConcurrency", () => {
    template.hasParameter("WorkerMaximumConcurrency", {
      Type: "Number",
      Default: ORDER_EVENTS_QUEUE.maximumConcurrency,
      MinValue: 2,
    });
  });
});

describe("queues", () => {
  it("redrives to the FIFO DLQ after maxReceiveCount receives", () => {
    const queue = property(logicalId(stack.queue));
    expect(queue).toMatchObject({
      QueueName: ORDER_EVENTS_QUEUE.name,
      FifoQueue: true,
      ContentBasedDeduplication: false,
      RedrivePolicy: { deadLetterTargetArn: arnOf(stack.deadLetterQueue), maxReceiveCount: 5 },
      MessageRetentionPeriod: ORDER_EVENTS_QUEUE.retentionPeriodDays * SECONDS_PER_DAY,
    });
    expect((queue.RedrivePolicy as Json).maxReceiveCount).toBe(ORDER_EVENTS_QUEUE.maxReceiveCount);
  });

  it("keeps a visibility timeout of at least 6 × the worker's timeout, both from the definition", () => {
    const visibility = property(logicalId(stack.queue)).VisibilityTimeout as number;
    const workerTimeout = property(logicalId(stack.worker)).Timeout as number;
    expect(visibility).toBe(ORDER_EVENTS_QUEUE.visibilityTimeoutSeconds);
    expect(workerTimeout).toBe(ORDER_EVENTS_QUEUE.workerTimeoutSeconds);
    expect(visibility).toBeGreaterThanOrEqual(VISIBILITY_TO_TIMEOUT_RATIO * workerTimeout);
  });

  it("refuses a definition whose visibility is shorter than 6 × the worker's timeout", () => {
    expect(() => assertVisibilityCoversWorker(Duration.seconds(179), Duration.seconds(30))).toThrow(
      /at least 6 × workerTimeoutSeconds \(30\)/,
    );
    expect(() => assertVisibilityCoversWorker(Duration.seconds(180), Duration.seconds(30))).not.toThrow();
  });

  it("keeps dead letters 14 days", () => {
    expect(property(logicalId(stack.deadLetterQueue))).toMatchObject({
      QueueName: ORDER_EVENTS_QUEUE.deadLetterName,
      FifoQueue: true,
      MessageRetentionPeriod: 14 * SECONDS_PER_DAY,
    });
    expect(ORDER_EVENTS_QUEUE.deadLetterRetentionPeriodDays).toBe(14);
  });

  it("encrypts both queues at rest and refuses plain HTTP", () => {
    for (const queue of [stack.queue, stack.deadLetterQueue]) {
      expect(property(logicalId(queue)).SqsManagedSseEnabled).toBe(true);
    }
    template.resourcePropertiesCountIs(
      "AWS::SQS::QueuePolicy",
      {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: "Deny",
              Condition: { Bool: { "aws:SecureTransport": "false" } },
            }),
          ]),
        },
      },
      2,
    );
  });
});

describe("CDR poller schedule", () => {
  it("runs the poller every minute, without retries that would overlap the next run", () => {
    template.hasResourceProperties("AWS::Events::Rule", {
      ScheduleExpression: "rate(1 minute)",
      Targets: [Match.objectLike({ Arn: arnOf(stack.poller), RetryPolicy: { MaximumRetryAttempts: 0 } })],
    });
    template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", {
      FunctionName: ref(stack.poller),
      MaximumRetryAttempts: 0,
    });
    expect(property(logicalId(stack.poller)).Timeout as number).toBeLessThan(60);
  });
});

describe("reconciler schedule", () => {
  it("runs the reconciler every hour, without retries, well within the hour", () => {
    template.hasResourceProperties("AWS::Events::Rule", {
      ScheduleExpression: "rate(1 hour)",
      Targets: [Match.objectLike({ Arn: arnOf(stack.reconciler), RetryPolicy: { MaximumRetryAttempts: 0 } })],
    });
    template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", {
      FunctionName: ref(stack.reconciler),
      MaximumRetryAttempts: 0,
    });
    template.resourceCountIs("AWS::Events::Rule", 2);
    expect(property(logicalId(stack.reconciler)).Timeout as number).toBeLessThanOrEqual(15 * 60);
    // Each run looks back further than the interval, so one failed run loses nothing.
    expect(LOOKBACK_HOURS).toBeGreaterThan(1);
  });
});

describe("receipts table", () => {
  it("is on demand, with point-in-time recovery, encrypted, and retained when the stack is deleted", () => {
    const id = logicalId(stack.table);
    const resource = templateJson.Resources[id];
    expect(resource?.DeletionPolicy).toBe("Retain");
    expect(resource?.UpdateReplacePolicy).toBe("Retain");
    expect(property(id)).toMatchObject({
      TableName: RECEIPTS_TABLE.defaultName,
      BillingMode: "PAY_PER_REQUEST",
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      DeletionProtectionEnabled: true,
    });
  });

  it("has the keys, the pending-CDR index and the TTL attribute of RECEIPTS_TABLE", () => {
    const table = property(logicalId(stack.table));
    const index = RECEIPTS_TABLE.pendingCdrIndex;
    expect(table.KeySchema).toEqual([
      { AttributeName: RECEIPTS_TABLE.partitionKey.name, KeyType: "HASH" },
      { AttributeName: RECEIPTS_TABLE.sortKey.name, KeyType: "RANGE" },
    ]);
    expect(table.AttributeDefinitions).toEqual(
      expect.arrayContaining(
        [RECEIPTS_TABLE.partitionKey, RECEIPTS_TABLE.sortKey, index.partitionKey, index.sortKey].map(
          (key) => ({
            AttributeName: key.name,
            AttributeType: key.type,
          }),
        ),
      ),
    );
    expect(table.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: index.indexName,
        KeySchema: [
          { AttributeName: index.partitionKey.name, KeyType: "HASH" },
          { AttributeName: index.sortKey.name, KeyType: "RANGE" },
        ],
        Projection: {
          ProjectionType: "INCLUDE",
          NonKeyAttributes: [...index.projectedAttributes],
        },
      },
    ]);
    expect(table.TimeToLiveSpecification).toEqual({
      AttributeName: RECEIPTS_TABLE.timeToLiveAttribute,
      Enabled: true,
    });
  });
});

describe("functions", () => {
  const functions = () => ({
    receiver: stack.receiver,
    worker: stack.worker,
    poller: stack.poller,
    reconciler: stack.reconciler,
    console: stack.console,
  });

  it("run Node.js 22 on arm64 with source maps, each with its own log group with a retention", () => {
    expect(resourcesOfType("AWS::Lambda::Function")).toHaveLength(5);
    for (const fn of Object.values(functions())) {
      const props = property(logicalId(fn));
      expect(props).toMatchObject({
        Runtime: "nodejs22.x",
        Architectures: ["arm64"],
        Handler: "index.handler",
        Environment: { Variables: { NODE_OPTIONS: "--enable-source-maps" } },
      });
      const logGroupId = (props.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      expect(templateJson.Resources[logGroupId]?.Type).toBe("AWS::Logs::LogGroup");
      expect(property(logGroupId).RetentionInDays).toBeGreaterThan(0);
    }
  });

  it("are bundled by esbuild as minified ESM with the createRequire banner and a source map", () => {
    const assets = readdirSync(assemblyDirectory).filter((name) => name.startsWith("asset."));
    expect(assets).toHaveLength(5);
    for (const asset of assets) {
      const bundle = readFileSync(path.join(assemblyDirectory, asset, "index.mjs"), "utf8");
      expect(bundle.startsWith("import { createRequire as __acelerala_createRequire }")).toBe(true);
      // Minified: a few very long lines, no indentation. Only template literals keep their line breaks and
      // indentation (zod's generated code, SDK messages): in a small bundle they can be half of the lines, so
      // count the indentation itself: under 1 % of the text minified (the reconciler's: 0.08 %), ~14 % not.
      const lines = bundle.split("\n");
      expect(bundle.length / lines.length).toBeGreaterThan(2_000);
      const indentation = lines.reduce((sum, line) => sum + (/^\s*/.exec(line)?.[0].length ?? 0), 0);
      expect(indentation / bundle.length).toBeLessThan(0.01);
      expect(existsSync(path.join(assemblyDirectory, asset, "index.mjs.map"))).toBe(true);
      // The SDK's full credential chain is replaced by the environment-only provider (infra/aws/bundling.ts).
      expect(bundle).not.toContain("sso_start_url");
      expect(bundle).toContain("AWS_SESSION_TOKEN");
    }
  });

  it("ship config/stores.json in the worker's, the reconciler's and the console's bundles, where STORES_CONFIG_PATH's default finds it", () => {
    for (const fn of [stack.worker, stack.reconciler, stack.console]) {
      const code = property(logicalId(fn)).Code as { S3Key: string };
      const assetDir = path.join(assemblyDirectory, `asset.${code.S3Key.replace(/\.zip$/, "")}`);
      expect(readFileSync(path.join(assetDir, "config", "stores.json"), "utf8")).toBe(
        readFileSync(path.join(ROOT, "config", "stores.json"), "utf8"),
      );
      const env = (property(logicalId(fn)).Environment as { Variables: Json }).Variables;
      expect(env).not.toHaveProperty("STORES_CONFIG_PATH");
    }
  });

  it("get the environment lib/config/env.ts reads, with secrets passed only by ARN", () => {
    const env = (fn: IConstruct) =>
      (property(logicalId(fn)).Environment as { Variables: Json }).Variables as Json;
    expect(env(stack.receiver)).toEqual({
      NODE_OPTIONS: "--enable-source-maps",
      ORDER_EVENTS_QUEUE_URL: ref(stack.queue),
      WEBHOOK_SECRETS_ARN: { Ref: expect.stringMatching(/^WebhookSecrets/) },
    });
    expect(env(stack.worker)).toEqual({
      NODE_OPTIONS: "--enable-source-maps",
      TABLE_NAME: ref(stack.table),
      ORDER_EVENTS_QUEUE_URL: ref(stack.queue),
      ACELERALA_API_URL: { Ref: "AceleralaApiUrl" },
      ACELERALA_CREDENTIALS_ARN: { Ref: expect.stringMatching(/^AceleralaCredentials/) },
    });
    expect(env(stack.poller)).toEqual({
      NODE_OPTIONS: "--enable-source-maps",
      TABLE_NAME: ref(stack.table),
      ACELERALA_API_URL: { Ref: "AceleralaApiUrl" },
      ACELERALA_CREDENTIALS_ARN: { Ref: expect.stringMatching(/^AceleralaCredentials/) },
    });
    expect(env(stack.reconciler)).toEqual({
      NODE_OPTIONS: "--enable-source-maps",
      TABLE_NAME: ref(stack.table),
      ORDER_EVENTS_QUEUE_URL: ref(stack.queue),
      ACELERALA_API_URL: { Ref: "AceleralaApiUrl" },
      ACELERALA_CREDENTIALS_ARN: { Ref: expect.stringMatching(/^AceleralaCredentials/) },
    });
    expect(env(stack.console)).toEqual({
      NODE_OPTIONS: "--enable-source-maps",
      TABLE_NAME: ref(stack.table),
      ORDER_EVENTS_QUEUE_URL: ref(stack.queue),
      ORDER_EVENTS_DLQ_URL: ref(stack.deadLetterQueue),
      ACELERALA_API_URL: { Ref: "AceleralaApiUrl" },
      ACELERALA_CREDENTIALS_ARN: { Ref: expect.stringMatching(/^AceleralaCredentials/) },
      CONSOLE_TRUST_PROXY_ORIGIN: "true",
    });
    template.hasParameter("AceleralaApiUrl", { Default: "https://api.acelerala.com" });
  });

  it("expose the receiver through a Function URL with no IAM auth (the signature authenticates), the console only with AWS_IAM", () => {
    template.resourceCountIs("AWS::Lambda::Url", 2);
    template.hasResourceProperties("AWS::Lambda::Url", {
      AuthType: "NONE",
      TargetFunctionArn: arnOf(stack.receiver),
    });
    template.hasResourceProperties("AWS::Lambda::Url", {
      AuthType: "AWS_IAM",
      TargetFunctionArn: arnOf(stack.console),
    });
    // No resource policy opens the console to anyone (callers need an identity policy of their own), and the
    // only permission for any principal ("*") is the receiver URL's.
    const permissions = resourcesOfType("AWS::Lambda::Permission");
    const onConsole = permissions.filter(
      ([, props]) => JSON.stringify(props.FunctionName) === JSON.stringify(arnOf(stack.console)),
    );
    expect(onConsole).toEqual([]);
    const open = permissions.filter(([, props]) => props.Principal === "*");
    expect(open.length).toBeGreaterThan(0);
    for (const [, props] of open) expect(props.FunctionName).toEqual(arnOf(stack.receiver));
  });

  it("ship htmx in the console's bundle, where the bundled console serves it from (no CDN)", async () => {
    const code = property(logicalId(stack.console)).Code as { S3Key: string };
    const assetDir = path.join(assemblyDirectory, `asset.${code.S3Key.replace(/\.zip$/, "")}`);
    const htmx = readFileSync(path.join(ROOT, "node_modules", "htmx.org", "dist", "htmx.min.js"), "utf8");
    expect(readFileSync(path.join(assetDir, "static", "htmx.min.js"), "utf8")).toBe(htmx);
    // The bundle itself (JSX compiled, Hono's Lambda adapter) answers a Function URL request for it.
    const bundle = await import(pathToFileURL(path.join(assetDir, "index.mjs")).href);
    const result = await bundle.handler({
      version: "2.0",
      routeKey: "$default",
      rawPath: "/static/htmx.min.js",
      rawQueryString: "",
      headers: { host: "console.lambda-url.us-east-1.on.aws" },
      requestContext: {
        domainName: "console.lambda-url.us-east-1.on.aws",
        http: {
          method: "GET",
          path: "/static/htmx.min.js",
          protocol: "HTTP/1.1",
          sourceIp: "127.0.0.1",
          userAgent: "test",
        },
      },
      isBase64Encoded: false,
    });
    expect(result.statusCode).toBe(200);
    expect(result.headers["content-type"]).toMatch(/^text\/javascript/);
    expect(result.body).toBe(htmx);
  });
});

describe("secrets", () => {
  it("never appear in the template: no whsec_ value, no demo credentials, only generated placeholders", () => {
    const text = JSON.stringify(templateJson);
    for (const forbidden of ["whsec_", "demo-secret", "demo-client"]) {
      // The secrets' descriptions show the shape as `whsec_...`; no real value follows the prefix.
      expect(text.match(new RegExp(`${forbidden}(?!\\.\\.\\.)`, "g")) ?? []).toEqual([]);
    }
    const secrets = resourcesOfType("AWS::SecretsManager::Secret");
    expect(secrets).toHaveLength(2);
    for (const [, props] of secrets) {
      expect(props).not.toHaveProperty("SecretString");
      expect(props).toHaveProperty("GenerateSecretString.GenerateStringKey");
    }
    for (const [, props] of resourcesOfType("AWS::Lambda::Function")) {
      const names = Object.keys((props.Environment as { Variables: Json }).Variables);
      expect(names).not.toContain("WEBHOOK_SECRETS");
      expect(names).not.toContain("ACELERALA_CREDENTIALS");
    }
  });
});

describe("least privilege", () => {
  /** Every statement of every inline policy attached to the function's role. */
  function statementsOf(fn: IConstruct & { role?: IConstruct }): Statement[] {
    if (!fn.role) throw new Error("function without a role");
    const roleId = logicalId(fn.role);
    expect(property(roleId)).not.toHaveProperty("ManagedPolicyArns");
    expect(property(roleId)).not.toHaveProperty("Policies");
    return resourcesOfType("AWS::IAM::Policy")
      .filter(([, props]) =>
        (props.Roles as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId })),
      )
      .flatMap(([, props]) => (props.PolicyDocument as { Statement: Statement[] }).Statement);
  }
  const normalise = (statements: Statement[]) =>
    statements
      .map((s) => ({
        effect: s.Effect,
        actions: [s.Action].flat().sort(),
        resource: JSON.stringify(s.Resource),
      }))
      .sort((a, b) => (a.resource + a.actions).localeCompare(b.resource + b.actions));
  const grant = (actions: string[], resource: unknown) => ({
    Effect: "Allow",
    Action: actions,
    Resource: resource,
  });
  const logsOf = (fn: IConstruct) => {
    const logGroupId = (property(logicalId(fn)).LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
    return grant(["logs:CreateLogStream", "logs:PutLogEvents"], { "Fn::GetAtt": [logGroupId, "Arn"] });
  };
  const secretRef = (prefix: string) => {
    const id = Object.keys(templateJson.Resources).find(
      (key) => key.startsWith(prefix) && templateJson.Resources[key]?.Type === "AWS::SecretsManager::Secret",
    );
    return { Ref: id };
  };

  it("the receiver can only send to the queue and read the webhook secret", () => {
    expect(normalise(statementsOf(stack.receiver))).toEqual(
      normalise([
        logsOf(stack.receiver),
        grant(["sqs:SendMessage"], arnOf(stack.queue)),
        grant(["secretsmanager:GetSecretValue"], secretRef("WebhookSecrets")),
      ]),
    );
  });

  it("the worker can only consume its queue, get/update receipts and read the credentials", () => {
    expect(normalise(statementsOf(stack.worker))).toEqual(
      normalise([
        logsOf(stack.worker),
        grant(
          [
            "sqs:ReceiveMessage",
            "sqs:ChangeMessageVisibility",
            "sqs:GetQueueUrl",
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
          ],
          arnOf(stack.queue),
        ),
        grant(["dynamodb:GetItem", "dynamodb:UpdateItem"], arnOf(stack.table)),
        grant(["secretsmanager:GetSecretValue"], secretRef("AceleralaCredentials")),
      ]),
    );
  });

  it("the poller can only query the pending-CDR index, update receipts and read the credentials", () => {
    expect(normalise(statementsOf(stack.poller))).toEqual(
      normalise([
        logsOf(stack.poller),
        grant(["dynamodb:Query"], {
          "Fn::Join": ["", [arnOf(stack.table), `/index/${RECEIPTS_TABLE.pendingCdrIndex.indexName}`]],
        }),
        grant(["dynamodb:UpdateItem"], arnOf(stack.table)),
        grant(["secretsmanager:GetSecretValue"], secretRef("AceleralaCredentials")),
      ]),
    );
  });

  it("the reconciler can only read receipts, send to the queue and read the credentials", () => {
    expect(normalise(statementsOf(stack.reconciler))).toEqual(
      normalise([
        logsOf(stack.reconciler),
        grant(["dynamodb:GetItem"], arnOf(stack.table)),
        grant(["sqs:SendMessage"], arnOf(stack.queue)),
        grant(["secretsmanager:GetSecretValue"], secretRef("AceleralaCredentials")),
      ]),
    );
  });

  it("the console can only read and reissue receipts, send to the queue, look at and replay the DLQ and read the credentials", () => {
    expect(normalise(statementsOf(stack.console))).toEqual(
      normalise([
        logsOf(stack.console),
        grant(["dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem"], arnOf(stack.table)),
        grant(["sqs:SendMessage"], arnOf(stack.queue)),
        grant(
          [
            "sqs:ReceiveMessage",
            "sqs:ChangeMessageVisibility",
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
          ],
          arnOf(stack.deadLetterQueue),
        ),
        grant(["secretsmanager:GetSecretValue"], secretRef("AceleralaCredentials")),
      ]),
    );
  });

  it("no identity policy in the stack grants a wildcard action or a * resource", () => {
    const policies = resourcesOfType("AWS::IAM::Policy");
    expect(policies.length).toBe(5);
    for (const [, props] of policies) {
      for (const statement of (props.PolicyDocument as { Statement: Statement[] }).Statement) {
        for (const action of [statement.Action].flat()) expect(action).not.toContain("*");
        expect(JSON.stringify(statement.Resource)).not.toMatch(/"\*"|\/\*"/);
      }
    }
    for (const [, props] of resourcesOfType("AWS::IAM::Role")) {
      expect(props).not.toHaveProperty("ManagedPolicyArns");
    }
  });
});

describe("alarms", () => {
  const alarm = (id: string) => property(logicalId(stack.alarms[id] as IConstruct));
  const appMetric = (service: string, metricName: string) => ({
    Namespace: "AceleralaSunat",
    MetricName: metricName,
    Dimensions: [{ Name: "service", Value: service }],
  });

  it("has one alarm per watched condition, each notifying the SNS topic", () => {
    expect(Object.keys(stack.alarms).sort()).toEqual(
      [
        "CdrStale",
        "ConsoleErrors",
        "ConsoleThrottles",
        "DlqHasMessages",
        "MissedOrdersEnqueued",
        "PollerErrors",
        "PollerThrottles",
        "ReceiptsDoNotMatchOrders",
        "ReceiptsRejected",
        "ReceiverErrors",
        "ReceiverThrottles",
        "ReceiverUrl5xx",
        "ReconcilerErrors",
        "ReconcilerThrottles",
        "WebhookEnqueueFailed",
        "WebhookSecretsInvalid",
        "WorkerErrors",
        "WorkerThrottles",
      ].sort(),
    );
    expect(resourcesOfType("AWS::CloudWatch::Alarm")).toHaveLength(18);
    for (const [, props] of resourcesOfType("AWS::CloudWatch::Alarm")) {
      expect(props).toMatchObject({
        AlarmActions: [ref(stack.alarmTopic)],
        Threshold: 0,
        ComparisonOperator: "GreaterThanThreshold",
      });
    }
  });

  it("fires when the DLQ holds any message", () => {
    expect(alarm("DlqHasMessages")).toMatchObject({
      Namespace: "AWS/SQS",
      MetricName: "ApproximateNumberOfMessagesVisible",
      Dimensions: [
        { Name: "QueueName", Value: { "Fn::GetAtt": [logicalId(stack.deadLetterQueue), "QueueName"] } },
      ],
      Statistic: "Maximum",
    });
  });

  it("fires on any STALE receipt and on enqueue failures, by the metric names the handlers emit", () => {
    expect(alarm("CdrStale")).toMatchObject({
      ...appMetric(FUNCTION_SERVICE_NAMES.poller, POLLER_METRICS.stale),
      Statistic: "Sum",
    });
    expect(POLLER_METRICS.stale).toBe("CdrStale");
    expect(alarm("WebhookEnqueueFailed")).toMatchObject(
      appMetric(FUNCTION_SERVICE_NAMES.receiver, RECEIVER_METRICS.enqueueFailed),
    );
  });

  it("fires when the receiver has no usable signing secret (a weak one included)", () => {
    expect(alarm("WebhookSecretsInvalid")).toMatchObject({
      ...appMetric(FUNCTION_SERVICE_NAMES.receiver, RECEIVER_METRICS.secretsInvalid),
      Statistic: "Sum",
    });
    expect(RECEIVER_METRICS.secretsInvalid).toBe("WebhookSecretsInvalid");
  });

  it("fires when SUNAT rejects a receipt, whether the worker or the poller learns it", () => {
    const metrics = alarm("ReceiptsRejected").Metrics as Array<Json>;
    const stats = metrics.filter((m) => m.MetricStat).map((m) => (m.MetricStat as Json).Metric);
    expect(stats).toEqual(
      expect.arrayContaining([
        appMetric(FUNCTION_SERVICE_NAMES.worker, WORKER_METRICS.rejected),
        appMetric(FUNCTION_SERVICE_NAMES.poller, POLLER_METRICS.rejected),
      ]),
    );
  });

  it("fires when the reconciler enqueued missed orders or found receipts that do not match, by its metric names", () => {
    expect(alarm("MissedOrdersEnqueued")).toMatchObject({
      ...appMetric(FUNCTION_SERVICE_NAMES.reconciler, RECONCILER_METRICS.missedEnqueued),
      Statistic: "Sum",
    });
    const metrics = alarm("ReceiptsDoNotMatchOrders").Metrics as Array<Json>;
    const stats = metrics.filter((m) => m.MetricStat).map((m) => (m.MetricStat as Json).Metric);
    expect(stats).toEqual(
      expect.arrayContaining([
        appMetric(FUNCTION_SERVICE_NAMES.reconciler, RECONCILER_METRICS.receiptsWithoutOrder),
        appMetric(FUNCTION_SERVICE_NAMES.reconciler, RECONCILER_METRICS.amountMismatches),
        appMetric(FUNCTION_SERVICE_NAMES.reconciler, RECONCILER_METRICS.issuedOutside),
      ]),
    );
  });

  it("fires on receiver 5xx answers and on each function's errors and throttles", () => {
    expect(alarm("ReceiverUrl5xx")).toMatchObject({
      Namespace: "AWS/Lambda",
      MetricName: "Url5xxCount",
      Dimensions: [{ Name: "FunctionName", Value: ref(stack.receiver) }],
    });
    for (const [name, fn] of Object.entries({
      Receiver: stack.receiver,
      Worker: stack.worker,
      Poller: stack.poller,
      Reconciler: stack.reconciler,
      Console: stack.console,
    })) {
      for (const metricName of ["Errors", "Throttles"]) {
        expect(alarm(`${name}${metricName}`)).toMatchObject({
          Namespace: "AWS/Lambda",
          MetricName: metricName,
          Dimensions: [{ Name: "FunctionName", Value: ref(fn) }],
        });
      }
    }
  });

  it("subscribes the alarm e-mail only when one is given", () => {
    template.hasResource("AWS::SNS::Subscription", {
      Condition: "HasAlarmEmail",
      Properties: { Protocol: "email", Endpoint: { Ref: "AlarmEmail" }, TopicArn: ref(stack.alarmTopic) },
    });
    template.hasParameter("AlarmEmail", { Default: "" });
  });

  it("uses the service names the handlers give Powertools Metrics", () => {
    for (const [directory, service] of [
      ["webhook-receiver", FUNCTION_SERVICE_NAMES.receiver],
      ["receipt-worker", FUNCTION_SERVICE_NAMES.worker],
      ["cdr-poller", FUNCTION_SERVICE_NAMES.poller],
      ["reconciler", FUNCTION_SERVICE_NAMES.reconciler],
    ] as const) {
      const source = readFileSync(path.join(ROOT, "functions", directory, "index.ts"), "utf8");
      expect(source).toContain(`const SERVICE_NAME = "${service}";`);
    }
  });
});

describe("outputs", () => {
  it("give an operator and the CLI every name and ARN they need", () => {
    const outputs = Object.keys(template.findOutputs("*")).sort();
    expect(outputs).toEqual(
      [
        "AceleralaCredentialsArn",
        "AlarmTopicArn",
        "ConsoleFunctionArn",
        "ConsoleUrl",
        "OrderEventsDlqArn",
        "OrderEventsDlqUrl",
        "OrderEventsQueueArn",
        "OrderEventsQueueUrl",
        "ReceiverUrl",
        "TableName",
        "WebhookSecretsArn",
      ].sort(),
    );
    template.hasOutput("ReceiverUrl", {
      Value: { "Fn::GetAtt": [Match.stringLikeRegexp("FunctionUrl"), "FunctionUrl"] },
    });
    template.hasOutput("OrderEventsDlqArn", { Value: arnOf(stack.deadLetterQueue) });
    template.hasOutput("ConsoleUrl", {
      Value: { "Fn::GetAtt": [Match.stringLikeRegexp("^ConsoleFunctionUrl"), "FunctionUrl"] },
    });
    template.hasOutput("ConsoleFunctionArn", { Value: arnOf(stack.console) });
  });
});

describe("cdk-nag (AWS Solutions)", () => {
  /** Every acknowledgement recorded in the tree: rule id → reason, with where it was made. */
  function acknowledgements(): Array<{ path: string; id: string; reason: string }> {
    return stack.node.findAll().flatMap((construct) =>
      construct.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) =>
          Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
            path: construct.node.path,
            id: id.replace(/^annotation::/i, ""),
            reason,
          })),
        ),
    );
  }

  it("reports no unacknowledged error or warning", () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(
      report.violations.map((v) => `${v.ruleName} ${v.severity} ${v.violatingResources[0]?.constructPath}`),
    ).toEqual([]);
    expect(report.success).toBe(true);
    // The synth's own validation report (the plugin registered by addAceleralaSunat) is empty too.
    const synthReport = JSON.parse(
      readFileSync(path.join(assemblyDirectory, "validation-report.json"), "utf8"),
    );
    expect(synthReport.pluginReports.flatMap((r: { violations?: unknown[] }) => r.violations ?? [])).toEqual(
      [],
    );
  });

  it("acknowledges only these findings, each with a specific reason", () => {
    const acks = acknowledgements();
    expect(acks.map((a) => `${a.path} ${a.id}`).sort()).toEqual(
      [
        "AceleralaSunat/AceleralaCredentials AwsSolutions-SMG4",
        "AceleralaSunat/AlarmTopic AwsSolutions-SNS2",
        "AceleralaSunat/CdrPoller AwsSolutions-L1",
        "AceleralaSunat/Console AwsSolutions-L1",
        "AceleralaSunat/OrderEventsDlq AwsSolutions-SQS3",
        "AceleralaSunat/ReceiptWorker AwsSolutions-L1",
        "AceleralaSunat/Reconciler AwsSolutions-L1",
        "AceleralaSunat/WebhookReceiver AwsSolutions-L1",
        "AceleralaSunat/WebhookSecrets AwsSolutions-SMG4",
      ].sort(),
    );
    for (const ack of acks) expect(ack.reason.length).toBeGreaterThan(80);
  });

  it("does report a finding that nobody acknowledged (the check can fail)", () => {
    const probe = new App({ outdir: mkdtempSync(path.join(outdir, "probe-")) });
    new sqs.Queue(new Stack(probe, "Probe"), "QueueWithoutDlq");
    const report = new AwsSolutionsChecks().validateScope(probe);
    expect(report.success).toBe(false);
    expect(report.violations.map((v) => v.ruleName)).toEqual(
      expect.arrayContaining(["AwsSolutions-SQS3", "AwsSolutions-SQS4"]),
    );
  });
});
