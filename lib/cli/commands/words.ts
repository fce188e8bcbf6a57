import { amountInWords, CURRENCY_NAMES } from "../../receipt";
import { type CliCommand, commandError, EXIT_OK, parseCommandArgs, usageError } from "../command";
import type { CliIo } from "../io";

const USAGE = `Usage: cpe words AMOUNT [--currency PEN|USD]

Prints legend 1000 (the amount in words) for AMOUNT (0.00 to 999999999999.99), e.g.
  cpe words 40          → SON CUARENTA CON 00/100 SOLES
  cpe words 1234.56 --currency USD`;

const COMMAND = { name: "cpe words", usage: USAGE };

async function run(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(argv, io, {
    ...COMMAND,
    options: { currency: { type: "string", default: "PEN" } },
    allowPositionals: true,
  });
  if (typeof parsed === "number") return parsed;
  const [amount, ...extra] = parsed.positionals;
  if (amount === undefined || extra.length > 0 || !/^\d+(\.\d+)?$/.test(amount))
    return usageError(COMMAND, io, "expected one amount such as 1234.56");
  const currency = (parsed.values.currency ?? "PEN").toUpperCase();
  if (!Object.hasOwn(CURRENCY_NAMES, currency))
    return commandError(COMMAND, io, `unsupported currency ${currency} (PEN or USD)`);
  try {
    io.stdout(`${amountInWords(amount, currency)}\n`);
    return EXIT_OK;
  } catch (error) {
    return commandError(COMMAND, io, (error as Error).message);
  }
}

export const wordsCommand: CliCommand = {
  name: "words",
  summary: "print an amount in words (legend 1000), e.g. SON CUARENTA CON 00/100 SOLES",
  usage: USAGE,
  run,
};
