import type { SQSClient } from "@aws-sdk/client-sqs";
import type { AceleralaClient } from "../acelerala/client";
import { AceleralaError } from "../acelerala/errors";
import { type AppConfig, ConfigError, loadConfigFields } from "../config/env";
import { OptionError } from "../ops/args";
import type { Enqueue } from "../ops/backfill";
import { createSqsClient, enqueueOrderEvent } from "../queue/order-events";
import { aceleralaClients, createDocumentClient } from "../runtime";
import { ReceiptStore } from "../store/receipt-store";
import { type CommandText, commandError, usageError } from "./command";
import { type CliIo, InputFileError, readJsonFile } from "./io";

/**
 * Where an operator command (`cpe dlq`, `cpe status`, `cpe backfill`, …) acts: by default the LOCAL stack whose
 * environment `npm start` wrote to .cache/local-stack/env.json, with `--aws` the AWS account of the usual AWS
 * environment (AWS_REGION / AWS_PROFILE, the credential chain) and the stack's TABLE_NAME,
 * ORDER_EVENTS_QUEUE_URL, ORDER_EVENTS_DLQ_URL (and, for the commands that call Acelérala, ACELERALA_API_URL and
 * ACELERALA_CREDENTIALS_ARN).
 *
 * The SDK clients get region, endpoint and credentials explicitly from the chosen environment; process.env is
 * never modified. Locally that matters: only the file's values are used, so a real key or profile in the
 * operator's shell can never be sent to an emulator, and a file without emulator endpoints is refused
 * rather than silently pointed at AWS. The file is read once per command.
 */

export const LOCAL_STACK_ENV_PATH = ".cache/local-stack/env.json";

/** parseArgs options every operator command accepts. */
export const TARGET_OPTIONS = {
  aws: { type: "boolean" },
  "local-env": { type: "string" },
} as const;

export const TARGET_USAGE = `  --aws                actuar en AWS: región y credenciales del entorno AWS habitual (AWS_REGION,
                       AWS_PROFILE, …); TABLE_NAME / ORDER_EVENTS_QUEUE_URL / ORDER_EVENTS_DLQ_URL del entorno
                       (las salidas de la pila)
  --local-env FILE     el archivo de entorno de la pila local (por defecto ${LOCAL_STACK_ENV_PATH}, lo escribe
                       \`npm start\`)`;

export interface TargetFlags {
  aws?: boolean;
  "local-env"?: string;
}

/** What a command needs of its target besides the table. */
export interface TargetNeeds {
  /** The DLQ commands, backfill, resend and reconcile --fix need both queue URLs. */
  needsQueues: boolean;
  /** backfill, resend and reconcile call Acelérala: its API URL and credentials come with the target. */
  needsAcelerala?: boolean;
}

/** The Acelérala API as the environment names it: its URL, and inline credentials or a secret's ARN. */
export type AceleralaAccess = Pick<AppConfig, "aceleralaApiUrl" | "aceleralaCredentials">;

export interface Target {
  mode: "local" | "aws";
  /** For messages: "local stack (.cache/local-stack/env.json)" or "AWS". */
  description: string;
  tableName: string;
  /** Present when the command asked for the queues. */
  queueUrl?: string;
  dlqUrl?: string;
  /** Undefined on AWS when the region comes from the profile (the SDK resolves it). */
  region?: string;
  endpoints: { dynamodb?: string; sqs?: string };
  /** Explicit only locally; on AWS the SDK's default chain provides them. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Present when the command asked for Acelérala (needsAcelerala). */
  acelerala?: AceleralaAccess;
}

/** The target could not be chosen or its environment is incomplete; the message says what to do. */
export class TargetError extends Error {
  override name = "TargetError";
}

type Env = Readonly<Record<string, string | undefined>>;

/** The environment a target is read from: the local stack's file (read once), or with --aws the process's. */
type TargetEnvironment = { mode: "aws"; env: Env } | { mode: "local"; path: string; env: Env };

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

async function readLocalEnv(path: string, explicit: boolean, io: CliIo): Promise<Env> {
  let content: unknown;
  try {
    content = await readJsonFile(path, io);
  } catch (error) {
    if (error instanceof InputFileError && /no se puede leer el archivo \(ENOENT\)/.test(error.message)) {
      throw new TargetError(
        explicit
          ? `la pila local no está en marcha (${path} no existe): iníciela con \`npm start\`, o use --aws`
          : "la pila local no está en marcha: iníciela con `npm start`, o use --aws",
      );
    }
    throw error;
  }
  if (typeof content !== "object" || content === null || Array.isArray(content)) {
    throw new TargetError(`${path}: se esperaba un objeto JSON de variables de entorno`);
  }
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(content)) {
    if (typeof value === "string") env[name] = value;
    else if (typeof value === "number" || typeof value === "boolean") env[name] = String(value);
  }
  return env;
}

async function readTargetEnvironment(flags: TargetFlags, io: CliIo): Promise<TargetEnvironment> {
  if (flags.aws && flags["local-env"] !== undefined)
    throw new TargetError("--aws y --local-env se excluyen: elija AWS o una pila local");
  if (flags.aws) return { mode: "aws", env: io.env };
  const path = flags["local-env"] ?? LOCAL_STACK_ENV_PATH;
  return { mode: "local", path, env: await readLocalEnv(path, flags["local-env"] !== undefined, io) };
}

/** ACELERALA_API_URL and ACELERALA_CREDENTIALS (locally) or ACELERALA_CREDENTIALS_ARN (AWS), every problem named. */
function aceleralaAccess(source: TargetEnvironment): AceleralaAccess {
  try {
    return loadConfigFields(source.env, ["aceleralaApiUrl", "aceleralaCredentials"]);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const where = source.mode === "aws" ? "--aws necesita" : `${source.path}:`;
    throw new TargetError(`${where} ${error.problems.join("; ")}`);
  }
}

/**
 * Picks the target from the flags and checks its environment. `needsQueues`: the DLQ commands need both queue
 * URLs; status and receipts only the table. Every missing variable is named at once. With `needsAcelerala` the
 * API access is checked after the AWS side and comes as `target.acelerala`.
 */
export async function resolveTarget(flags: TargetFlags, io: CliIo, options: TargetNeeds): Promise<Target> {
  const source = await readTargetEnvironment(flags, io);
  const target = source.mode === "aws" ? awsTarget(source.env, options) : localTarget(source, options);
  if (options.needsAcelerala) target.acelerala = aceleralaAccess(source);
  return target;
}

function configFields(options: TargetNeeds) {
  return options.needsQueues
    ? (["tableName", "orderEventsQueueUrl", "orderEventsDlqUrl"] as const)
    : (["tableName"] as const);
}

function awsTarget(env: Env, options: TargetNeeds): Target {
  let config: { tableName: string; orderEventsQueueUrl?: string; orderEventsDlqUrl?: string };
  try {
    config = loadConfigFields(env, configFields(options));
  } catch (error) {
    if (error instanceof ConfigError)
      throw new TargetError(
        `--aws necesita las salidas de la pila en el entorno: ${error.problems.join("; ")}`,
      );
    throw error;
  }
  const target: Target = { mode: "aws", description: "AWS", tableName: config.tableName, endpoints: {} };
  const region = nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION);
  if (region) target.region = region;
  // Honour endpoint overrides the way the SDK does (e.g. a VPC endpoint), from the command's environment.
  const dynamodb = nonEmpty(env.AWS_ENDPOINT_URL_DYNAMODB) ?? nonEmpty(env.AWS_ENDPOINT_URL);
  const sqs = nonEmpty(env.AWS_ENDPOINT_URL_SQS) ?? nonEmpty(env.AWS_ENDPOINT_URL);
  if (dynamodb) target.endpoints.dynamodb = dynamodb;
  if (sqs) target.endpoints.sqs = sqs;
  if (config.orderEventsQueueUrl) target.queueUrl = config.orderEventsQueueUrl;
  if (config.orderEventsDlqUrl) target.dlqUrl = config.orderEventsDlqUrl;
  return target;
}

function localTarget({ path, env }: { path: string; env: Env }, options: TargetNeeds): Target {
  const problems: string[] = [];
  let config: {
    region: string;
    tableName: string;
    orderEventsQueueUrl?: string;
    orderEventsDlqUrl?: string;
  } = { region: "", tableName: "" };
  try {
    config = loadConfigFields(env, ["region", ...configFields(options)]);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  const dynamodb = nonEmpty(env.AWS_ENDPOINT_URL_DYNAMODB);
  const sqs = nonEmpty(env.AWS_ENDPOINT_URL_SQS);
  const accessKeyId = nonEmpty(env.AWS_ACCESS_KEY_ID);
  const secretAccessKey = nonEmpty(env.AWS_SECRET_ACCESS_KEY);
  if (!dynamodb) problems.push("falta AWS_ENDPOINT_URL_DYNAMODB");
  if (options.needsQueues && !sqs) problems.push("falta AWS_ENDPOINT_URL_SQS");
  if (!accessKeyId) problems.push("falta AWS_ACCESS_KEY_ID");
  if (!secretAccessKey) problems.push("falta AWS_SECRET_ACCESS_KEY");
  if (problems.length > 0 || !accessKeyId || !secretAccessKey) {
    throw new TargetError(`${path}: ${problems.join("; ")} (reinicie la pila local con \`npm start\`)`);
  }
  const target: Target = {
    mode: "local",
    description: `pila local (${path})`,
    tableName: config.tableName,
    region: config.region,
    endpoints: {},
    credentials: { accessKeyId, secretAccessKey },
  };
  if (dynamodb) target.endpoints.dynamodb = dynamodb;
  if (sqs) target.endpoints.sqs = sqs;
  if (config.orderEventsQueueUrl) target.queueUrl = config.orderEventsQueueUrl;
  if (config.orderEventsDlqUrl) target.dlqUrl = config.orderEventsDlqUrl;
  return target;
}

/**
 * The Acelérala API alone (`cpe webhooks`, which touches neither table nor queues): locally the simulator URL
 * and inline credentials of the local stack's env file; with --aws ACELERALA_API_URL and
 * ACELERALA_CREDENTIALS_ARN from the environment (the secret is read with the operator's AWS credentials).
 */
export async function resolveAceleralaAccess(
  flags: TargetFlags,
  io: CliIo,
): Promise<(storeId: number) => Promise<AceleralaClient>> {
  return aceleralaClients(aceleralaAccess(await readTargetEnvironment(flags, io)));
}

/** The Acelérala clients (one per store) of a target resolved with needsAcelerala. */
export function targetAcelerala(target: Target): (storeId: number) => Promise<AceleralaClient> {
  if (!target.acelerala) throw new Error("the target was resolved without needsAcelerala");
  return aceleralaClients(target.acelerala);
}

function clientSettings(target: Target, endpoint: string | undefined) {
  return {
    ...(endpoint ? { endpoint } : {}),
    ...(target.credentials ? { credentials: target.credentials } : {}),
  };
}

/** The SQS client for the target: the product's factory, with the target's endpoint and credentials. */
export function createTargetSqsClient(target: Target): SQSClient {
  return createSqsClient(target.region, clientSettings(target, target.endpoints.sqs));
}

/** The receipt store of the target, on the product's document client. */
export function createTargetReceiptStore(target: Target): { store: ReceiptStore; destroy(): void } {
  const documents = createDocumentClient(target.region, clientSettings(target, target.endpoints.dynamodb));
  return { store: new ReceiptStore(documents, target.tableName), destroy: () => documents.destroy() };
}

/** Enqueues on the target's order-events queue with the receiver's function: exactly a webhook's message. */
export function targetEnqueue(target: Target): { enqueue: Enqueue; destroy(): void } {
  const sqs = createTargetSqsClient(target);
  const queueUrl = target.queueUrl ?? "";
  return {
    enqueue: async (event) => {
      await enqueueOrderEvent(sqs, queueUrl, event);
    },
    destroy: () => sqs.destroy(),
  };
}

/** An AWS SDK service error (it carries $metadata) or a refused/unknown host: an environment problem, not a bug. */
function isServiceOrNetworkError(error: unknown): error is Error {
  if (!(error instanceof Error)) return false;
  if ("$metadata" in error) return true;
  const code = (error as NodeJS.ErrnoException).code;
  return code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "ECONNRESET" || code === "ETIMEDOUT";
}

/**
 * The operator commands' work and failure report. `work` resolves its target through the function it gets
 * (so a failure can say where it happened). The errors a person can act on become stderr and an exit code: what
 * `explain` (the command's own errors) makes a message of, a bad option or argument (with the usage), the
 * target, an input file, Acelérala's and AWS's answers, a refused connection. Anything else is a bug and is
 * rethrown, so main.ts reports it. A bad option is a usage error (EXIT_USAGE), the rest failures (EXIT_FAILURE).
 */
export async function operateOnTarget(
  command: CommandText,
  io: CliIo,
  work: (resolve: (flags: TargetFlags, needs: TargetNeeds) => Promise<Target>) => Promise<number>,
  explain: (error: unknown) => string | undefined = () => undefined,
): Promise<number> {
  let target: Target | undefined;
  try {
    return await work(async (flags, needs) => {
      target = await resolveTarget(flags, io, needs);
      return target;
    });
  } catch (error) {
    const message = explain(error);
    return message === undefined
      ? reportFailure(command, error, io, target)
      : commandError(command, io, message);
  }
}

function reportFailure(command: CommandText, error: unknown, io: CliIo, target: Target | undefined): number {
  if (error instanceof OptionError) return usageError(command, io, error.message);
  if (
    error instanceof TargetError ||
    error instanceof InputFileError ||
    error instanceof AceleralaError ||
    error instanceof ConfigError
  )
    return commandError(command, io, error.message);
  if (isServiceOrNetworkError(error)) {
    const where = target ? ` (${target.description})` : "";
    const hint =
      target?.mode === "local" && !("$metadata" in error)
        ? "; ¿sigue en marcha la pila local? (`npm start`)"
        : "";
    return commandError(command, io, `${error.name}: ${error.message}${where}${hint}`);
  }
  throw error;
}
