import { defaultProvider } from "@aws-sdk/credential-provider-node";
import { ProxyTargetError, startSigningProxy } from "../../console/signing-proxy";
import { OptionError, parsePositiveInteger } from "../../ops/args";
import { type CliCommand, EXIT_CODES_USAGE, EXIT_OK, parseCommandArgs } from "../command";
import { type CliIo, InputFileError, readJsonFile } from "../io";
import { LOCAL_STACK_ENV_PATH, operateOnTarget, TargetError } from "../target";

export const DEFAULT_PROXY_PORT = 3002;

const USAGE = `Uso: cpe console [--no-open] [--local-env FILE]
     cpe console --aws [--port N] [--no-open]

Abre la consola web del comercio en el navegador (si no hay navegador, imprime la dirección).

Local: la consola de \`npm start\` (http://127.0.0.1:\${CONSOLE_PORT:-3001}/, según ${LOCAL_STACK_ENV_PATH}).

--aws: la consola es una Lambda detrás de una Function URL con autenticación AWS_IAM (nunca pública). Este comando
abre un proxy en 127.0.0.1 que firma cada solicitud (SigV4) con sus credenciales de AWS (AWS_PROFILE, SSO, …) y la
reenvía a CONSOLE_URL (la salida ConsoleUrl de la pila); queda en marcha hasta Ctrl-C. Sus credenciales necesitan
lambda:InvokeFunctionUrl y lambda:InvokeFunction sobre la función de la consola (salida ConsoleFunctionArn).

  --aws                la consola en AWS, a través del proxy firmante
  --port N             el puerto del proxy en 127.0.0.1 (por defecto ${DEFAULT_PROXY_PORT})
  --no-open            no abrir el navegador: solo imprimir la dirección
  --local-env FILE     el archivo de entorno de la pila local (por defecto ${LOCAL_STACK_ENV_PATH})

${EXIT_CODES_USAGE}`;

const COMMAND = { name: "cpe console", usage: USAGE };

interface ConsoleValues {
  aws?: boolean;
  port?: string;
  "no-open"?: boolean;
  "local-env"?: string;
}

function parseConsoleOptions(values: ConsoleValues): { aws: boolean; port: number; open: boolean } {
  if (values.aws && values["local-env"] !== undefined)
    throw new OptionError("--aws y --local-env se excluyen: elija AWS o una pila local");
  if (!values.aws && values.port !== undefined)
    throw new OptionError(
      "--port es el puerto del proxy de --aws; la consola local usa CONSOLE_PORT de npm start",
    );
  return {
    aws: values.aws ?? false,
    port:
      values.port === undefined ? DEFAULT_PROXY_PORT : parsePositiveInteger("--port", values.port, 65_535),
    open: !(values["no-open"] ?? false),
  };
}

async function show(url: string, open: boolean, io: CliIo): Promise<void> {
  io.stdout(`Consola: ${url}\n`);
  if (!open) return;
  const opened = (await io.openUrl?.(url)) ?? false;
  if (!opened) io.stderr(`${COMMAND.name}: no hay navegador que abrir aquí: abra ${url}\n`);
}

async function localConsoleUrl(path: string | undefined, io: CliIo): Promise<string> {
  let env: unknown;
  try {
    env = await readJsonFile(path ?? LOCAL_STACK_ENV_PATH, io);
  } catch (error) {
    if (error instanceof InputFileError && /ENOENT/.test(error.message))
      throw new TargetError("la pila local no está en marcha: iníciela con `npm start`, o use --aws");
    throw error;
  }
  const url = (env as { CONSOLE_URL?: unknown } | null)?.CONSOLE_URL;
  if (typeof url !== "string" || url === "")
    throw new TargetError(
      `${path ?? LOCAL_STACK_ENV_PATH} no tiene CONSOLE_URL: reinicie la pila local con \`npm start\``,
    );
  return url;
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(argv, io, {
    ...COMMAND,
    options: {
      aws: { type: "boolean" },
      port: { type: "string" },
      "no-open": { type: "boolean" },
      "local-env": { type: "string" },
    },
    validate: ({ values }) => parseConsoleOptions(values),
  });
  if (typeof parsed === "number") return parsed;
  const { values, validated: options } = parsed;
  return operateOnTarget(
    COMMAND,
    io,
    async () => {
      if (!options.aws) {
        await show(await localConsoleUrl(values["local-env"], io), options.open, io);
        return EXIT_OK;
      }
      const target = io.env.CONSOLE_URL?.trim();
      if (!target)
        throw new TargetError("--aws necesita CONSOLE_URL en el entorno: la salida ConsoleUrl de la pila");
      const region = io.env.AWS_REGION?.trim() || io.env.AWS_DEFAULT_REGION?.trim() || undefined;
      const proxy = await startSigningProxy({
        target,
        ...(region ? { region } : {}),
        credentials: defaultProvider(),
        port: options.port,
        log: (line) => io.stderr(`${COMMAND.name}: ${line}\n`),
      }).catch((error: unknown) => {
        if ((error as NodeJS.ErrnoException).code === "EADDRINUSE")
          throw new TargetError(`el puerto ${options.port} está ocupado: elija otro con --port`);
        throw error;
      });
      try {
        await show(proxy.url, options.open, io);
        io.stderr(`${COMMAND.name}: proxy firmante hacia ${target}; Ctrl-C para terminar\n`);
        await (io.untilInterrupted?.() ?? Promise.resolve("done"));
      } finally {
        await proxy.stop();
      }
      return EXIT_OK;
    },
    (error) => (error instanceof ProxyTargetError ? error.message : undefined),
  );
}

export const consoleCommand: CliCommand = {
  name: "console",
  summary:
    "abre la consola web (local, o en AWS con --aws a través de un proxy que firma con sus credenciales)",
  usage: USAGE,
  run,
};
