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
}

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
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
    throw new InputFileError(`${source}: invalid JSON at ${where}: ${reason}`);
  }
}

export async function readJsonFile(path: string, io: CliIo): Promise<unknown> {
  const absolute = resolve(io.cwd, path);
  let content: string;
  try {
    content = await readFile(absolute, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "";
    throw new InputFileError(`${path}: cannot read the file${code ? ` (${code})` : ""}`);
  }
  return parseJsonText(content, path);
}
