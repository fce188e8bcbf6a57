import { readFile } from "node:fs/promises";
import { type StoreConfig, StoreConfigListSchema } from "../receipt";
import { ConfigError, DEFAULT_STORES_CONFIG_PATH } from "./env";

/**
 * Reads and validates the stores file (a JSON array of store configurations, STORES_CONFIG_PATH).
 * Every problem names the file and the field, e.g. `config/stores.json: [0].series.invoice: …`.
 */
export async function loadStores(path: string = DEFAULT_STORES_CONFIG_PATH): Promise<StoreConfig[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new ConfigError([
      `${path}: cannot read the stores file (${typeof code === "string" ? code : "error"})`,
    ]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([`${path}: not valid JSON (${(error as Error).message})`]);
  }
  const result = StoreConfigListSchema.safeParse(json);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const field = issue.path
          .map((part) => (typeof part === "number" ? `[${part}]` : `.${String(part)}`))
          .join("");
        return `${path}: ${field.replace(/^\./, "") || "(root)"}: ${issue.message}`;
      }),
    );
  }
  return result.data;
}
