import { parseArgs } from "node:util";
import type { AceleralaClient } from "../../acelerala/client";
import { AceleralaError } from "../../acelerala/errors";
import { ConfigError, loadConfigFields } from "../../config/env";
import { OptionError, parseId } from "../../ops/args";
import { formatWebhookList, registerWebhook, WebhookUrlError } from "../../ops/webhooks";
import { aceleralaClients } from "../../runtime";
import { SUBSCRIBED_ORDER_EVENTS } from "../../webhook/envelope";
import { type CliCommand, EXIT_ERROR, EXIT_OK } from "../command";
import { type CliIo, readJsonFile } from "../io";
import { loadStoreConfigs } from "../store-file";
import {
  LOCAL_STACK_ENV_PATH,
  reportTargetFailure,
  TARGET_OPTIONS,
  TARGET_USAGE,
  type Target,
  TargetError,
  type TargetFlags,
} from "../target";

/**
 * The Acelérala API as seen from an operator command: locally the simulator URL and the inline credentials of
 * the local stack's env file; with --aws ACELERALA_API_URL and ACELERALA_CREDENTIALS_ARN from the environment
 * (the credentials are read from Secrets Manager with the operator's AWS credentials).
 *
 * (target.ts resolves the AWS side only; this reads the same file for the API side. If target.ts ever exposes
 * the environment it read, this should use it.)
 */
export async function resolveAceleralaAccess(
  flags: TargetFlags,
  io: CliIo,
): Promise<(storeId: number) => Promise<AceleralaClient>> {
  let env: Readonly<Record<string, string | undefined>>;
  let where: string;
  if (flags.aws) {
    env = io.env;
    where = "--aws needs";
  } else {
    const path = flags["local-env"] ?? LOCAL_STACK_ENV_PATH;
    const content = await readJsonFile(path, io);
    if (typeof content !== "object" || content === null || Array.isArray(content))
      throw new TargetError(`${path}: expected a JSON object of environment variables`);
    env = Object.fromEntries(
      Object.entries(content).map(([name, value]) => [
        name,
        typeof value === "string" ? value : String(value),
      ]),
    );
    where = `${path}:`;
  }
  try {
    return aceleralaClients(loadConfigFields(env, ["aceleralaApiUrl", "aceleralaCredentials"]));
  } catch (error) {
    if (error instanceof ConfigError) throw new TargetError(`${where} ${error.problems.join("; ")}`);
    throw error;
  }
}

/** `--store ID`, else the first store of the stores file (511 locally). */
export async function storeIdOption(value: string | undefined, io: CliIo): Promise<number> {
  if (value !== undefined) return parseId("--store", value);
  const [first] = await loadStoreConfigs(undefined, io);
  if (!first) throw new OptionError("the stores file holds no store: pass --store ID");
  return first.store_id;
}

const USAGE = `Usage: cpe webhooks register --url URL [--store ID] [--json] [--aws | --local-env FILE]
       cpe webhooks list [--store ID] [--json] [--aws | --local-env FILE]

register  subscribes URL (the receiver's Function URL, output ReceiverUrl of the stack) to
          ${SUBSCRIBED_ORDER_EVENTS.join(", ")} through POST /v1/webhooks. An active subscription
          of the same URL with those events is reported, not created again.
list      the store's webhook subscriptions, flagging the events the product needs and they lack.

  --url URL            https URL (http only for 127.0.0.1/localhost, the local stack)
  --store ID           the store whose API credentials are used; default: the first store of the stores file
  --json               machine-readable output
${TARGET_USAGE}
                       With --aws, ACELERALA_API_URL and ACELERALA_CREDENTIALS_ARN come from the environment.

Exit codes: 0 done; 1 usage error, API error or unreachable target.`;

const NAME = "cpe webhooks";

interface WebhooksValues {
  url?: string;
  store?: string;
  json?: boolean;
  aws?: boolean;
  "local-env"?: string;
  help?: boolean;
}

async function run(argv: string[], io: CliIo): Promise<number> {
  let parsed: { values: WebhooksValues; positionals: string[] };
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        url: { type: "string" },
        store: { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
        ...TARGET_OPTIONS,
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    io.stderr(`${NAME}: ${(error as Error).message}\n\n${USAGE}\n`);
    return EXIT_ERROR;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return EXIT_OK;
  }
  const [action, ...extra] = positionals;
  try {
    if (action !== "register" && action !== "list")
      throw new OptionError(
        action === undefined ? "say register or list" : `unknown action "${action}": say register or list`,
      );
    if (extra.length > 0) throw new OptionError(`unexpected argument "${extra[0]}"`);
    if (action === "register" && values.url === undefined) throw new OptionError("register needs --url URL");
    if (action === "list" && values.url !== undefined)
      throw new OptionError("--url is an option of register");
    if (values.aws && values["local-env"] !== undefined)
      throw new OptionError("--aws and --local-env exclude each other: choose AWS or a local stack");
  } catch (error) {
    if (!(error instanceof OptionError)) throw error;
    io.stderr(`${NAME}: ${error.message}\n\n${USAGE}\n`);
    return EXIT_ERROR;
  }
  try {
    const storeId = await storeIdOption(values.store, io);
    const api = await (await resolveAceleralaAccess(values, io))(storeId);
    if (action === "register") {
      const result = await registerWebhook(api, values.url ?? "");
      if (values.json) io.stdout(`${JSON.stringify(result, null, 2)}\n`);
      else if (result.outcome === "created")
        io.stdout(
          `Registered webhook ${result.webhook.id} for store ${storeId}: ${result.webhook.url}\n  events: ${result.webhook.enabled_events.join(", ")}\n`,
        );
      else
        io.stdout(
          `Already registered: webhook ${result.webhook.id} for store ${storeId} sends ${SUBSCRIBED_ORDER_EVENTS.join(", ")} to ${result.webhook.url}; nothing created\n`,
        );
      return EXIT_OK;
    }
    const { data } = await api.listWebhooks();
    io.stdout(values.json ? `${JSON.stringify(data, null, 2)}\n` : `${formatWebhookList(data)}\n`);
    return EXIT_OK;
  } catch (error) {
    if (error instanceof OptionError || error instanceof WebhookUrlError) {
      io.stderr(`${NAME}: ${error.message}\n`);
      return EXIT_ERROR;
    }
    return reportOperatorFailure(NAME, error, io);
  }
}

/**
 * reportTargetFailure plus the errors of the API side: an Acelérala error (refused credentials, 4xx/5xx, no
 * answer) or a configuration error becomes one line and exit code 1.
 */
export function reportOperatorFailure(command: string, error: unknown, io: CliIo, target?: Target): number {
  if (error instanceof AceleralaError || error instanceof ConfigError) {
    io.stderr(`${command}: ${error.message}\n`);
    return EXIT_ERROR;
  }
  return reportTargetFailure(command, error, io, target);
}

export const webhooksCommand: CliCommand = {
  name: "webhooks",
  summary: "subscribe the receiver to the store's order events (register) or show the subscriptions (list)",
  usage: USAGE,
  run,
};
