import { amountInWords, CURRENCY_NAMES } from "../../receipt";
import { type CliCommand, EXIT_CODES_USAGE, EXIT_OK, parseCommandArgs, usageError } from "../command";
import type { CliIo } from "../io";

const USAGE = `Uso: cpe words MONTO [--currency PEN|USD]

Imprime la leyenda 1000 (el monto en letras) de MONTO (0.00 a 999999999999.99), p. ej.
  cpe words 40          → SON CUARENTA CON 00/100 SOLES
  cpe words 1234.56 --currency USD

${EXIT_CODES_USAGE}`;

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
    return usageError(COMMAND, io, "se esperaba un monto como 1234.56");
  const currency = (parsed.values.currency ?? "PEN").toUpperCase();
  if (!Object.hasOwn(CURRENCY_NAMES, currency))
    return usageError(COMMAND, io, `moneda no admitida ${currency} (PEN o USD)`);
  try {
    io.stdout(`${amountInWords(amount, currency)}\n`);
    return EXIT_OK;
  } catch (error) {
    return usageError(COMMAND, io, (error as Error).message);
  }
}

export const wordsCommand: CliCommand = {
  name: "words",
  summary: "imprime un monto en letras (leyenda 1000), p. ej. SON CUARENTA CON 00/100 SOLES",
  usage: USAGE,
  run,
};
