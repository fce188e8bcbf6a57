import * as z from "zod/mini";
import { OptionError, parseId } from "../ops/args";
import { findStoreConfig, parseStoreConfigs, type StoreConfig } from "../receipt";
import { type CliIo, InputFileError, readJsonFile } from "./io";

export const DEFAULT_STORES_CONFIG_PATH = "config/stores.json";

/**
 * Read a stores file: an array of store configurations (a single object is accepted too). Path: the given
 * one, else STORES_CONFIG_PATH, else config/stores.json, relative to io.cwd.
 */
export async function loadStoreConfigs(path: string | undefined, io: CliIo): Promise<StoreConfig[]> {
  const file = path ?? io.env.STORES_CONFIG_PATH ?? DEFAULT_STORES_CONFIG_PATH;
  const content = await readJsonFile(file, io);
  try {
    return parseStoreConfigs(Array.isArray(content) ? content : [content]);
  } catch (error) {
    if (error instanceof z.core.$ZodError) {
      const detail = error.issues
        .map((issue) => `${issue.path.map(String).join(".") || "(root)"}: ${issue.message}`)
        .join("; ");
      throw new InputFileError(`${file}: configuración de tienda no válida: ${detail}`);
    }
    throw error;
  }
}

/** The store of the order (by store_id), or the first (demo) store when the order names none. */
export function selectStore(stores: readonly StoreConfig[], orderStoreId: unknown): StoreConfig {
  if (orderStoreId === null || orderStoreId === undefined) {
    const [first] = stores;
    if (!first) throw new InputFileError("el archivo de tiendas no tiene ninguna tienda");
    return first;
  }
  const match = findStoreConfig(stores, orderStoreId as number | string);
  if (!match)
    throw new InputFileError(`no hay configuración para la tienda store_id ${String(orderStoreId)}`);
  return match;
}

/** `--store ID` of the operator commands, else the first store of the stores file (511 locally). */
export async function storeIdOption(value: string | undefined, io: CliIo): Promise<number> {
  if (value !== undefined) return parseId("--store", value);
  const [first] = await loadStoreConfigs(undefined, io);
  if (!first) throw new OptionError("el archivo de tiendas no tiene ninguna tienda: indique --store ID");
  return first.store_id;
}
