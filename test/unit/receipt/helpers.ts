import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseStoreConfigs, type StoreConfig } from "../../../lib/receipt";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** The demo store shipped in config/stores.json (store 511, YUCA E.I.R.L., F001/B001). */
export function demoStore(): StoreConfig {
  const [store] = parseStoreConfigs(JSON.parse(readFileSync(`${REPO_ROOT}config/stores.json`, "utf8")));
  if (!store) throw new Error("config/stores.json holds no store");
  return store;
}

export function fixtureOrder(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(`${REPO_ROOT}test/fixtures/orders/${name}.json`, "utf8"));
}
