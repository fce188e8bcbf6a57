import { parseArgs } from "node:util";
import { amountInWords, CURRENCY_NAMES } from "../../receipt";
import { type CliCommand, EXIT_ERROR, EXIT_OK } from "../command";
import type { CliIo } from "../io";

const USAGE = `Usage: cpe words AMOUNT [--currency PEN|USD]

Prints legend 1000 (the amount in words) for AMOUNT (0.00 to 999999999999.99), e.g.
  cpe words 40          → SON CUARENTA CON 00/100 SOLES
  cpe words 1234.56 --currency USD`;

async function run(argv: string[], io: CliIo): Promise<number> {
  let parsed: { values: { currency?: string; help?: boolean }; positionals: string[] };
  try {
    parsed = parseArgs({
      args: argv,
      options: { currency: { type: "string", default: "PEN" }, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    io.stderr(`cpe words: ${(error as Error).message}\n\n${USAGE}\n`);
    return EXIT_ERROR;
  }
  if (parsed.values.help) {
    io.stdout(`${USAGE}\n`);
    return EXIT_OK;
  }
  const [amount, ...extra] = parsed.positionals;
  if (amount === undefined || extra.length > 0 || !/^\d+(\.\d+)?$/.test(amount)) {
    io.stderr(`cpe words: expected one amount such as 1234.56\n\n${USAGE}\n`);
    return EXIT_ERROR;
  }
  const currency = (parsed.values.currency ?? "PEN").toUpperCase();
  if (!Object.hasOwn(CURRENCY_NAMES, currency)) {
    io.stderr(`cpe words: unsupported currency ${currency} (PEN or USD)\n`);
    return EXIT_ERROR;
  }
  try {
    io.stdout(`${amountInWords(amount, currency)}\n`);
    return EXIT_OK;
  } catch (error) {
    io.stderr(`cpe words: ${(error as Error).message}\n`);
    return EXIT_ERROR;
  }
}

export const wordsCommand: CliCommand = {
  name: "words",
  summary: "print an amount in words (legend 1000), e.g. SON CUARENTA CON 00/100 SOLES",
  usage: USAGE,
  run,
};
