import { parseArgs } from "node:util";
import { LOCAL_STACK_ENV_PATH } from "../../../lib/cli/target";
import { OptionError, parsePositiveInteger } from "../../../lib/ops/args";
import type { DemoOptions } from "./run";

export const DEMO_USAGE = `Usage: npm run demo -- [--orders N] [--seed S] [--broken-rate R] [--observations-rate R]
                        [--timeout SECONDS] [--attach [--local-env FILE]]

Places N varied orders in the Acelérala simulator (facturas, boletas, discounts, shipping, USD, and some that
break a rule) and shows their receipts' status until every one is final. Exit 0 only when every valid order
is ACCEPTED (one receipt each) and every broken one NEEDS_ATTENTION with the expected rule; 1 otherwise.

  --orders N               orders to place (default 20, at most 1000)
  --seed S                 seed of the order mix (default 1): the same seed places the same orders
  --broken-rate R          share of broken orders, 0–1 or a percentage such as 10% (default 0.1); with 6 or
                           more orders and R above 0, at least one of each broken kind
  --observations-rate R    share of receipts SUNAT accepts with observations (default 0.1)
  --timeout SECONDS        give up (exit 1, listing what is not final) after this long (default 120; 300 with
                           --attach: \`npm start\` polls SUNAT's answers every minute, as on AWS)
  --attach                 use a running \`npm start\` instead of starting a stack of its own
  --local-env FILE         with --attach: its environment file (default ${LOCAL_STACK_ENV_PATH})
  -h, --help               this text`;

const MAX_ORDERS = 1000;
/** The demo's own stack polls CDRs every second; 20 orders are final within a minute. */
const OWN_STACK_TIMEOUT_SECONDS = 120;
/**
 * A running `npm start` has the AWS timings: first CDR poll a minute after submission, then the poller's minute
 * (20 orders took 120 s here), so waiting 120 s would give up on a healthy stack.
 */
const ATTACHED_TIMEOUT_SECONDS = 300;

/** "0.1", "10%" → 0.1; anything outside 0–1 is refused naming the option. */
export function parseRate(option: string, value: string): number {
  const text = value.trim();
  const match = /^(\d+(?:\.\d+)?)(%?)$/.exec(text);
  if (!match) throw new OptionError(`${option} must be a share such as 0.1 or 10%; got "${value}"`);
  const rate = Number(match[1]) / (match[2] === "%" ? 100 : 1);
  if (rate > 1) throw new OptionError(`${option} must be at most 1 (100%); got ${value}`);
  return rate;
}

export type ParsedDemoArgs =
  | { help: true }
  | { help: false; options: Omit<DemoOptions, "stack" | "signal" | "pollIntervalMs"> };

/** Parses the command line; throws OptionError (or parseArgs' TypeError) naming the option and the rule. */
export function parseDemoArgs(argv: readonly string[]): ParsedDemoArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      orders: { type: "string" },
      seed: { type: "string" },
      "broken-rate": { type: "string" },
      "observations-rate": { type: "string" },
      timeout: { type: "string" },
      attach: { type: "boolean" },
      // Not --env-file: Node.js 20 takes that for its own option even after the script name.
      "local-env": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: false,
    strict: true,
  });
  if (values.help) return { help: true };
  if (values["local-env"] !== undefined && !values.attach)
    throw new OptionError("--local-env only makes sense with --attach");
  const seed = values.seed === undefined ? 1 : Number(values.seed.trim());
  if (!/^\d+$/.test(values.seed?.trim() ?? "1") || !Number.isSafeInteger(seed))
    throw new OptionError(`--seed must be a whole number of 0 or more; got "${values.seed}"`);
  const options: Omit<DemoOptions, "stack" | "signal" | "pollIntervalMs"> = {
    orders: values.orders === undefined ? 20 : parsePositiveInteger("--orders", values.orders, MAX_ORDERS),
    seed,
    brokenRate: values["broken-rate"] === undefined ? 0.1 : parseRate("--broken-rate", values["broken-rate"]),
    observationsRate:
      values["observations-rate"] === undefined
        ? 0.1
        : parseRate("--observations-rate", values["observations-rate"]),
    timeoutSeconds:
      values.timeout === undefined
        ? values.attach
          ? ATTACHED_TIMEOUT_SECONDS
          : OWN_STACK_TIMEOUT_SECONDS
        : parsePositiveInteger("--timeout", values.timeout),
  };
  if (values.attach) options.attachEnvFile = values["local-env"] ?? LOCAL_STACK_ENV_PATH;
  return { help: false, options };
}
