import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";

/**
 * What a subcommand may touch of the outside world. The real process provides `processIo()`; tests pass
 * their own (capturing output, pointing `cwd`/`env` at fixtures) and call `run(argv, io)` in-process.
 */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  /** Relative paths given on the command line resolve against this directory. */
  cwd: string;
  /** stdout is a terminal: tables may carry terminal hyperlinks (OSC 8) instead of plain labels. */
  isTerminal?: boolean;
  /** Opens a URL in the operator's browser; false when there is none to open (`cpe console` prints the URL). */
  openUrl?: (url: string) => Promise<boolean>;
  /** Resolves when the operator asks a long-running command to stop (Ctrl-C, SIGTERM). */
  untilInterrupted?: () => Promise<string>;
}

/** The platform's opener (xdg-open, open, start); false when it is missing or there is no display. */
export function openInBrowser(url: string): Promise<boolean> {
  const platform = process.platform;
  if (platform === "linux" && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY)
    return Promise.resolve(false);
  const [command, args] =
    platform === "darwin"
      ? ["open", [url]]
      : platform === "win32"
        ? ["cmd", ["/c", "start", "", url]]
        : ["xdg-open", [url]];
  return new Promise((resolveOpen) => {
    const child = spawn(command, args as string[], { stdio: "ignore", detached: true });
    child.once("error", () => resolveOpen(false));
    child.once("spawn", () => {
      child.unref();
      resolveOpen(true);
    });
  });
}

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    isTerminal: process.stdout.isTTY === true,
    openUrl: openInBrowser,
    untilInterrupted: () =>
      new Promise((resolveSignal) => {
        for (const signal of ["SIGINT", "SIGTERM"] as const)
          process.once(signal, () => resolveSignal(signal));
      }),
  };
}

/** A file that could not be read or is not JSON; `message` names the file and, for JSON, line and column. */
export class InputFileError extends Error {
  override name = "InputFileError";
}

/** 1-based line and column of a character offset. */
export function lineAndColumn(textContent: string, offset: number): { line: number; column: number } {
  const before = textContent.slice(0, offset);
  const lines = before.split("\n");
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}

/**
 * JSON.parse with the error located. Node 20 reports "… in JSON at position N"; newer engines add
 * "(line L column C)" themselves. We always end with our own "line L, column C".
 */
export function parseJsonText(textContent: string, source: string): unknown {
  try {
    return JSON.parse(textContent);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /at position (\d+)/.exec(message);
    const lineColumn = /\(line (\d+) column (\d+)\)/.exec(message);
    let where: string;
    if (lineColumn) where = `line ${lineColumn[1]}, column ${lineColumn[2]}`;
    else if (position) {
      const { line, column } = lineAndColumn(textContent, Number(position[1]));
      where = `line ${line}, column ${column}`;
    } else {
      // "Unexpected end of JSON input" carries no position: the problem is at the end of the text.
      const { line, column } = lineAndColumn(textContent, textContent.length);
      where = `line ${line}, column ${column}`;
    }
    const reason = message.replace(/\s*\(line \d+ column \d+\)/, "").replace(/\s*at position \d+/, "");
    throw new InputFileError(
      `${source}: JSON no válido en ${where.replace("line", "línea").replace("column", "columna")}: ${reason}`,
    );
  }
}

export async function readJsonFile(path: string, io: CliIo): Promise<unknown> {
  const absolute = resolve(io.cwd, path);
  let content: string;
  try {
    content = await readFile(absolute, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "";
    throw new InputFileError(`${path}: no se puede leer el archivo${code ? ` (${code})` : ""}`);
  }
  return parseJsonText(content, path);
}
