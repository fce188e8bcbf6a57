import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { App, type CfnElement, Duration, Stack, aws_sqs as sqs, Validations } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import type { IConstruct } from "constructs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addAceleralaSunat } from "../../../infra/aws/build";
import { assertVisibilityCoversWorker, VISIBILITY_TO_TIMEOUT_RATIO } from "../../../infra/aws/definitions";
import type { AceleralaSunatStack } from "../../../infra/aws/stack";
import {
  POLLER_METRICS,
  RECEIVER_METRICS,
  RECONCILER_METRICS,
  SERVICE_NAMES,
  WORKER_METRICS,
} from "../../../lib/observability/metric-names";
import { RECONCILE_LOOKBACK_HOURS } from "../../../lib/ops/reconcile-stores";
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

describe("concurrency", () => {
  const reservation = (fn: IConstruct) => property(logicalId(fn)).ReservedConcurrentExecutions;
  const zeroCondition = (parameter: string) =>
    (templateJson.Conditions as Record<string, Json>)[`${parameter}IsZero`];

  it.each([
    ["ReceiverMaximumConcurrency", 10, () => stack.receiver],
    ["WorkerReservedConcurrency", 2, () => stack.worker],
    ["PollerReservedConcurrency", 1, () => stack.poller],
  ] as const)(
    "%s (default %d) is the function's reserved concurrency, none when 0",
    (parameter, byDefault, fn) => {
      template.hasParameter(parameter, { Type: "Number", Default: byDefault, MinValue: 0, MaxValue: 1000 });
      expect(reservation(fn())).toEqual({
        "Fn::If": [`${parameter}IsZero`, { Ref: "AWS::NoValue" }, { Ref: parameter }],
      });
      expect(zeroCondition(parameter)).toEqual({ "Fn::Equals": [{ Ref: parameter }, "0"] });
    },
  );

  it("reserves 13 in all by default, so an account with the default quota keeps its 100 unreserved", () => {
    const parameters = templateJson.Parameters as Record<string, { Default: number }>;
    const reserved = [
      "ReceiverMaximumConcurrency",
      "WorkerReservedConcurrency",
      "PollerReservedConcurrency",
    ].map((name) => parameters[name]?.Default ?? Number.NaN);
    expect(reserved.reduce((a, b) => a + b, 0)).toBe(13);
    // The worker's floor covers its event source's maximum concurrency, so its batches are not throttled.
    expect(parameters.WorkerReservedConcurrency?.Default).toBeGreaterThanOrEqual(
      parameters.WorkerMaximumConcurrency?.Default ?? Number.POSITIVE_INFINITY,
    );
    expect(reservation(stack.reconciler)).toBeUndefined();
  });

  it("drops a poller run throttled by its reservation after a minute instead of queueing it for hours", () => {
    template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", {
      FunctionName: ref(stack.poller),
      MaximumEventAgeInSeconds: 60,
      MaximumRetryAttempts: 0,
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

  it("derives the worker's timeout from its worst case, and the visibility from the timeout", () => {
    // Four calls to Acelérala one after another (token, order, look-up, POST) at ACELERALA_TIMEOUT_SECONDS
    // (10 s, which the stack sets), 5 s of DynamoDB, and 5 s for the batch's end: 50 s; 6 × 50 = 300 s.
    const env = (property(logicalId(stack.worker)).Environment as { Variables: Json }).Variables;
    expect(env.ACELERALA_TIMEOUT_SECONDS).toBe("10");
    expect(property(logicalId(stack.worker)).Timeout).toBe(4 * 10 + 5 + 5);
    expect(property(logicalId(stack.queue)).VisibilityTimeout).toBe(6 * 50);
    // The poller stops taking receipts one call's timeout (and 5 s) before its own 50 s timeout.
    expect(property(logicalId(stack.poller)).Timeout).toBe(50);
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
    // Each run looks back further than the interval, so one failed run loses nothing; and over the DLQ's whole
    // retention, so an order whose event died there is enqueued again before the message expires.
    expect(RECONCILE_LOOKBACK_HOURS).toBeGreaterThan(1);
    const dlqRetentionHours =
      (property(logicalId(stack.deadLetterQueue)).MessageRetentionPeriod as number) / 3600;
    expect(RECONCILE_LOOKBACK_HOURS).toBeGreaterThan(dlqRetentionHours);
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

  it("has the keys, the pending-CDR and state indexes and the TTL attribute of RECEIPTS_TABLE", () => {
    const table = property(logicalId(stack.table));
    const { pendingCdrIndex, stateIndex } = RECEIPTS_TABLE;
    expect(table.KeySchema).toEqual([
      { AttributeName: RECEIPTS_TABLE.partitionKey.name, KeyType: "HASH" },
      { AttributeName: RECEIPTS_TABLE.sortKey.name, KeyType: "RANGE" },
    ]);
    const keys = [
      RECEIPTS_TABLE.partitionKey,
      RECEIPTS_TABLE.sortKey,
      pendingCdrIndex.partitionKey,
      pendingCdrIndex.sortKey,
      stateIndex.partitionKey,
      stateIndex.sortKey,
    ];
    expect(table.AttributeDefinitions).toEqual(
      expect.arrayContaining(keys.map((key) => ({ AttributeName: key.name, AttributeType: key.type }))),
    );
    expect(table.GlobalSecondaryIndexes).toEqual(
      [pendingCdrIndex, stateIndex].map((index) => ({
        IndexName: index.indexName,
        KeySchema: [
          { AttributeName: index.partitionKey.name, KeyType: "HASH" },
          { AttributeName: index.sortKey.name, KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "INCLUDE", NonKeyAttributes: [...index.projectedAttributes] },
      })),
    );
    // The open-records index is sparse: only RESERVED and NEEDS_ATTENTION records carry its keys.
    expect(stateIndex.partitionKey).toEqual({ name: "openState", type: "S" });
    expect(stateIndex.sortKey).toEqual({ name: "openSince", type: "S" });
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
      ACELERALA_TIMEOUT_SECONDS: "10",
    });
    expect(env(stack.poller)).toEqual({
      NODE_OPTIONS: "--enable-source-maps",
      TABLE_NAME: ref(stack.table),
      ACELERALA_API_URL: { Ref: "AceleralaApiUrl" },
      ACELERALA_CREDENTIALS_ARN: { Ref: expect.stringMatching(/^AceleralaCredentials/) },
      ACELERALA_TIMEOUT_SECONDS: "10",
    });
    expect(env(stack.reconciler)).toEqual({
      NODE_OPTIONS: "--enable-source-maps",
      TABLE_NAME: ref(stack.table),
      ORDER_EVENTS_QUEUE_URL: ref(stack.queue),
      ACELERALA_API_URL: { Ref: "AceleralaApiUrl" },
      ACELERALA_CREDENTIALS_ARN: { Ref: expect.stringMatching(/^AceleralaCredentials/) },
      ACELERALA_TIMEOUT_SECONDS: "10",
    });
    expect(env(stack.console)).toEqual({
      NODE_OPTIONS: "--enable-source-maps",
      TABLE_NAME: ref(stack.table),
      ORDER_EVENTS_QUEUE_URL: ref(stack.queue),
      ORDER_EVENTS_DLQ_URL: ref(stack.deadLetterQueue),
      ACELERALA_API_URL: { Ref: "AceleralaApiUrl" },
      ACELERALA_CREDENTIALS_ARN: { Ref: expect.stringMatching(/^AceleralaCredentials/) },
      ACELERALA_TIMEOUT_SECONDS: "10",
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

  it("the poller can only query its two indexes, update receipts and read the credentials", () => {
    const index = (name: string) => ({ "Fn::Join": ["", [arnOf(stack.table), `/index/${name}`]] });
    expect(normalise(statementsOf(stack.poller))).toEqual(
      normalise([
        logsOf(stack.poller),
        grant(
          ["dynamodb:Query"],
          // CDK orders the resources of a statement.
          [index(RECEIPTS_TABLE.stateIndex.indexName), index(RECEIPTS_TABLE.pendingCdrIndex.indexName)],
        ),
        grant(["dynamodb:UpdateItem"], arnOf(stack.table)),
        grant(["secretsmanager:GetSecretValue"], secretRef("AceleralaCredentials")),
      ]),
    );
  });

  it("the reconciler can only read receipts (and an order's notes), send to the queue and read the credentials", () => {
    expect(normalise(statementsOf(stack.reconciler))).toEqual(
      normalise([
        logsOf(stack.reconciler),
        grant(["dynamodb:GetItem", "dynamodb:Query"], arnOf(stack.table)),
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
  /** The metrics a math-expression alarm reads, by id. */
  const mathMetrics = (id: string) =>
    Object.fromEntries(
      (alarm(id).Metrics as Array<Json>)
        .filter((m) => m.MetricStat)
        .map((m) => [m.Id, (m.MetricStat as Json).Metric]),
    );
  const expression = (id: string) =>
    (alarm(id).Metrics as Array<Json>).find((m) => m.Expression)?.Expression as string;

  const ALARMS = [
    "CdrPollErrors",
    "CdrStale",
    "ConsoleErrors",
    "ConsoleThrottles",
    "DlqHasMessages",
    "DlqOldestMessage",
    "MissedOrdersEnqueued",
    "OverdueCreditNotes",
    "OverdueNeedsAttention",
    "OverdueReserved",
    "OverdueSubmitted",
    "PollerErrors",
    "PollerThrottles",
    "ReceiptsDoNotMatchOrders",
    "ReceiptsRejected",
    "ReceiverErrors",
    "ReceiverThrottles",
    "ReceiverUrl5xx",
    "ReconcileEnqueueFailures",
    "ReconcileStoreFailures",
    "ReconcilerErrors",
    "ReconcilerThrottles",
    "WebhookEnqueueFailed",
    "WebhookRefused",
    "WebhookSecretsInvalid",
    "WorkerErrors",
    "WorkerThrottles",
  ];

  it("has one alarm per watched condition, each notifying the SNS topic with a runbook in its description", () => {
    expect(Object.keys(stack.alarms).sort()).toEqual([...ALARMS].sort());
    expect(resourcesOfType("AWS::CloudWatch::Alarm")).toHaveLength(ALARMS.length);
    for (const [, props] of resourcesOfType("AWS::CloudWatch::Alarm")) {
      expect(props).toMatchObject({
        AlarmActions: [ref(stack.alarmTopic)],
        ComparisonOperator: "GreaterThanThreshold",
      });
      expect(String(props.AlarmDescription).length).toBeGreaterThan(40);
    }
  });

  it("fires for every state an order can get stuck in, from gauges whose absence is itself a breach", () => {
    for (const [id, metricName] of [
      ["OverdueReserved", "OverdueReserved"],
      ["OverdueNeedsAttention", "OverdueNeedsAttention"],
      ["OverdueSubmitted", "OverdueSubmitted"],
    ] as const) {
      expect(alarm(id)).toMatchObject({
        ...appMetric(SERVICE_NAMES.poller, metricName),
        Statistic: "Maximum",
        Period: 300,
        Threshold: 0,
        EvaluationPeriods: 1,
        TreatMissingData: "breaching",
      });
    }
    expect(POLLER_METRICS.overdueReserved).toBe("OverdueReserved");
    expect(POLLER_METRICS.overdueNeedsAttention).toBe("OverdueNeedsAttention");
    expect(POLLER_METRICS.overdueSubmitted).toBe("OverdueSubmitted");
    // The reconciler counts credit notes owed for over a day once an hour: two runs per period.
    expect(alarm("OverdueCreditNotes")).toMatchObject({
      ...appMetric(SERVICE_NAMES.reconciler, RECONCILER_METRICS.overdueCreditNotes),
      Statistic: "Maximum",
      Period: 7200,
      Threshold: 0,
      TreatMissingData: "breaching",
    });
    expect(RECONCILER_METRICS.overdueCreditNotes).toBe("OverdueCreditNotes");
  });

  it("fires when the DLQ holds any message, and when its oldest message is over a day old", () => {
    const dlq = [
      { Name: "QueueName", Value: { "Fn::GetAtt": [logicalId(stack.deadLetterQueue), "QueueName"] } },
    ];
    expect(alarm("DlqHasMessages")).toMatchObject({
      Namespace: "AWS/SQS",
      MetricName: "ApproximateNumberOfMessagesVisible",
      Dimensions: dlq,
      Statistic: "Maximum",
      Threshold: 0,
    });
    expect(alarm("DlqOldestMessage")).toMatchObject({
      Namespace: "AWS/SQS",
      MetricName: "ApproximateAgeOfOldestMessage",
      Dimensions: dlq,
      Statistic: "Maximum",
      Threshold: 86_400,
    });
  });

  it("fires when over 10 % of webhook deliveries in 15 minutes were refused, once at least 5 were", () => {
    expect(alarm("WebhookRefused")).toMatchObject({ Threshold: 10, EvaluationPeriods: 1 });
    expect(mathMetrics("WebhookRefused")).toEqual({
      refused: appMetric(SERVICE_NAMES.receiver, RECEIVER_METRICS.refused),
      accepted: appMetric(SERVICE_NAMES.receiver, RECEIVER_METRICS.accepted),
      ignored: appMetric(SERVICE_NAMES.receiver, RECEIVER_METRICS.ignored),
    });
    for (const m of alarm("WebhookRefused").Metrics as Array<Json>)
      if (m.MetricStat) expect(m.MetricStat).toMatchObject({ Period: 900, Stat: "Sum" });
    expect(expression("WebhookRefused")).toBe(
      "IF(FILL(refused, 0) >= 5, 100 * FILL(refused, 0) / (FILL(refused, 0) + FILL(accepted, 0) + FILL(ignored, 0)), 0)",
    );
    expect(RECEIVER_METRICS.refused).toBe("WebhookRefused");
  });

  it("fires when CDR polls keep failing for 15 minutes, not on one failed poll", () => {
    expect(alarm("CdrPollErrors")).toMatchObject({
      ...appMetric(SERVICE_NAMES.poller, POLLER_METRICS.errors),
      Statistic: "Sum",
      Period: 300,
      Threshold: 0,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
    });
    expect(POLLER_METRICS.errors).toBe("CdrPollErrors");
  });

  it("fires when the reconciler cannot enqueue, or cannot check a store", () => {
    expect(alarm("ReconcileEnqueueFailures")).toMatchObject({
      ...appMetric(SERVICE_NAMES.reconciler, RECONCILER_METRICS.enqueueFailures),
      Statistic: "Sum",
      Threshold: 0,
    });
    expect(alarm("ReconcileStoreFailures")).toMatchObject({
      ...appMetric(SERVICE_NAMES.reconciler, RECONCILER_METRICS.storeFailures),
      Statistic: "Sum",
      Threshold: 0,
    });
    expect(RECONCILER_METRICS.enqueueFailures).toBe("ReconcileEnqueueFailures");
  });

  it("fires on any STALE receipt and on enqueue failures, by the metric names the functions emit", () => {
    expect(alarm("CdrStale")).toMatchObject({
      ...appMetric(SERVICE_NAMES.poller, POLLER_METRICS.stale),
      Statistic: "Sum",
      Threshold: 0,
    });
    expect(POLLER_METRICS.stale).toBe("CdrStale");
    expect(alarm("WebhookEnqueueFailed")).toMatchObject(
      appMetric(SERVICE_NAMES.receiver, RECEIVER_METRICS.enqueueFailed),
    );
  });

  it("fires when the receiver has no usable signing secret (a weak one included)", () => {
    expect(alarm("WebhookSecretsInvalid")).toMatchObject({
      ...appMetric(SERVICE_NAMES.receiver, RECEIVER_METRICS.secretsInvalid),
      Statistic: "Sum",
    });
    expect(RECEIVER_METRICS.secretsInvalid).toBe("WebhookSecretsInvalid");
  });

  it("fires when SUNAT rejects a receipt, whether the worker or the poller learns it", () => {
    expect(Object.values(mathMetrics("ReceiptsRejected"))).toEqual(
      expect.arrayContaining([
        appMetric(SERVICE_NAMES.worker, WORKER_METRICS.rejected),
        appMetric(SERVICE_NAMES.poller, POLLER_METRICS.rejected),
      ]),
    );
  });

  it("fires when the reconciler enqueued missed orders or found receipts that do not match, by its metric names", () => {
    expect(alarm("MissedOrdersEnqueued")).toMatchObject({
      ...appMetric(SERVICE_NAMES.reconciler, RECONCILER_METRICS.missedEnqueued),
      Statistic: "Sum",
    });
    expect(Object.values(mathMetrics("ReceiptsDoNotMatchOrders"))).toEqual(
      expect.arrayContaining([
        appMetric(SERVICE_NAMES.reconciler, RECONCILER_METRICS.receiptsWithoutOrder),
        appMetric(SERVICE_NAMES.reconciler, RECONCILER_METRICS.amountMismatches),
        appMetric(SERVICE_NAMES.reconciler, RECONCILER_METRICS.issuedOutside),
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
          Threshold: 0,
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

  it("uses the service names the functions give Powertools Metrics", () => {
    for (const [directory, key] of [
      ["webhook-receiver", "receiver"],
      ["receipt-worker", "worker"],
      ["cdr-poller", "poller"],
      ["reconciler", "reconciler"],
    ] as const) {
      const source = readFileSync(path.join(ROOT, "functions", directory, "index.ts"), "utf8");
      expect(source).toContain(`createMetrics(SERVICE_NAMES.${key})`);
      expect(SERVICE_NAMES[key]).toBe(directory);
    }
  });

  it("lists every alarm in the README's alarm table, each with its metric, threshold and runbook", () => {
    const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
    const section = readme.slice(
      readme.indexOf("### Alarms"),
      readme.indexOf("### Replay the dead-letter queue"),
    );
    const rows = section.split("\n").filter((line) => line.startsWith("| `"));
    const named = rows.flatMap((row) => [...(row.split("|")[1] ?? "").matchAll(/`(\w+)`/g)].map((m) => m[1]));
    expect([...named].sort()).toEqual([...ALARMS].sort());
    for (const row of rows) expect(row.split("|").filter((cell) => cell.trim() !== "")).toHaveLength(4);
  });
});

describe("the stack's sources", () => {
  it("read metric names from lib/observability, never by importing a handler module", () => {
    for (const file of readdirSync(path.join(ROOT, "infra", "aws"))) {
      const source = readFileSync(path.join(ROOT, "infra", "aws", file), "utf8");
      expect(source).not.toMatch(/from "\.\.\/\.\.\/functions\//);
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
