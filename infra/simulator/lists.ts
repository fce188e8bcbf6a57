import Decimal from "decimal.js";
import { badRequest } from "./errors";

/**
 * The one list implementation every resource uses (seed: "Listados"): `limit` (default 10, max 100), cursor
 * pagination with `after`/`before` (an object id; `after` wins when both are given), `sort=field:asc|desc`
 * (default `created:desc`, ties broken by id in the same direction), filters `field=value`, `field=a,b,c`
 * (any of), `field=gt:1,lt:500` (all of; gt/lt/gte/lte), and `fields=a,b` to select properties.
 *
 * The seed's cursors can be read two ways, and the simulator plays either (`CursorReading`):
 * - `list_order` (Stripe's): `after=X` is the page that follows X in the list order, `before=X` the page that
 *   precedes it; the cursor is located by its sort key, so it works even when X itself is filtered out;
 * - `created_after` (the seed read literally: "after devuelve los objetos creados después del objeto en
 *   cuestión", lists in reverse chronological order): `after=X` gives objects created after X (newer), `before=X`
 *   objects created before it, in the list's order, the page nearest X.
 */

export const CURSOR_READINGS = ["list_order", "created_after"] as const;
export type CursorReading = (typeof CURSOR_READINGS)[number];

export type ListedObject = { id: number } & Record<string, unknown>;

export type ListSpec = {
  resource: string;
  sortable: readonly string[];
  filterable: readonly string[];
};

export type ListPage = { object: "list"; data: Record<string, unknown>[]; has_more: boolean };

const RESERVED_PARAMS = new Set(["limit", "after", "before", "sort", "fields"]);
const COMPARISON_OPERATORS = ["gt", "gte", "lt", "lte"] as const;
type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];
type Comparison = { operator: ComparisonOperator; value: string };
type FieldFilter = { field: string; anyOf: string[]; comparisons: Comparison[] };

export const DEFAULT_LIMIT = 10;
export const MAX_LIMIT = 100;

const NUMERIC = /^-?\d+(\.\d+)?$/;

function asComparable(value: unknown): Decimal | string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "boolean") return new Decimal(value ? 1 : 0);
  if (typeof value === "number") return new Decimal(value);
  if (typeof value === "string" && NUMERIC.test(value)) return new Decimal(value);
  return String(value);
}

/** Total order on field values: null first, then numbers (decimal-exact), then strings (ISO dates sort as text). */
export function compareValues(left: unknown, right: unknown): number {
  const a = asComparable(left);
  const b = asComparable(right);
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  if (a instanceof Decimal && b instanceof Decimal) return a.comparedTo(b);
  if (a instanceof Decimal) return -1;
  if (b instanceof Decimal) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function equalsFilterValue(fieldValue: unknown, wanted: string): boolean {
  if (fieldValue === null || fieldValue === undefined) return wanted === "null";
  if (typeof fieldValue === "boolean")
    return wanted === String(fieldValue) || wanted === (fieldValue ? "1" : "0");
  if (NUMERIC.test(wanted) && (typeof fieldValue === "number" || NUMERIC.test(String(fieldValue)))) {
    return new Decimal(String(fieldValue)).equals(wanted);
  }
  return String(fieldValue) === wanted;
}

function satisfies(fieldValue: unknown, comparison: Comparison): boolean {
  if (fieldValue === null || fieldValue === undefined) return false;
  const order = compareValues(fieldValue, comparison.value);
  switch (comparison.operator) {
    case "gt":
      return order > 0;
    case "gte":
      return order >= 0;
    case "lt":
      return order < 0;
    case "lte":
      return order <= 0;
  }
}

function parseFilter(field: string, raw: string): FieldFilter {
  const filter: FieldFilter = { field, anyOf: [], comparisons: [] };
  for (const part of raw.split(",")) {
    const colon = part.indexOf(":");
    const maybeOperator = colon > 0 ? part.slice(0, colon) : "";
    if ((COMPARISON_OPERATORS as readonly string[]).includes(maybeOperator)) {
      const value = part.slice(colon + 1);
      if (value === "") throw badRequest("invalid_filter", `Filter ${field}: "${part}" has no value`, field);
      filter.comparisons.push({ operator: maybeOperator as ComparisonOperator, value });
    } else if (/^(gt|gte|lt|lte)=/.test(part)) {
      throw badRequest(
        "invalid_filter",
        `Filter ${field}: write "${part.replace("=", ":")}", not "${part}"`,
        field,
      );
    } else {
      filter.anyOf.push(part);
    }
  }
  return filter;
}

function matches(item: ListedObject, filter: FieldFilter): boolean {
  const value = item[filter.field];
  if (filter.anyOf.length > 0 && !filter.anyOf.some((wanted) => equalsFilterValue(value, wanted)))
    return false;
  return filter.comparisons.every((comparison) => satisfies(value, comparison));
}

function parseLimit(raw: string | null): number {
  if (raw === null) return DEFAULT_LIMIT;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_LIMIT) {
    throw badRequest("invalid_limit", `limit must be an integer from 1 to ${MAX_LIMIT}`, "limit");
  }
  return Number(raw);
}

function parseSort(raw: string | null, spec: ListSpec): { field: string; direction: 1 | -1 } {
  const [field = "", direction = "desc", ...rest] = (raw ?? "created:desc").split(":");
  if (!spec.sortable.includes(field) || (direction !== "asc" && direction !== "desc") || rest.length > 0) {
    throw badRequest(
      "invalid_sort",
      `sort must be field:asc|desc with field one of ${spec.sortable.join(", ")}; got "${raw}"`,
      "sort",
    );
  }
  return { field, direction: direction === "asc" ? 1 : -1 };
}

/** Keeps only the requested top-level properties (unknown names are ignored, as the seed's example implies). */
export function selectFields(
  item: Record<string, unknown>,
  fieldsParam: string | null,
): Record<string, unknown> {
  if (fieldsParam === null || fieldsParam === "") return item;
  const selected: Record<string, unknown> = {};
  for (const name of fieldsParam.split(",")) {
    if (Object.hasOwn(item, name)) selected[name] = item[name];
  }
  return selected;
}

export function listObjects(
  items: readonly ListedObject[],
  query: URLSearchParams,
  spec: ListSpec,
  reading: CursorReading = "list_order",
): ListPage {
  const limit = parseLimit(query.get("limit"));
  const sort = parseSort(query.get("sort"), spec);
  const filters: FieldFilter[] = [];
  for (const [name, raw] of query) {
    if (RESERVED_PARAMS.has(name)) continue;
    if (!spec.filterable.includes(name)) {
      throw badRequest(
        "unknown_parameter",
        `Unknown parameter ${name} for ${spec.resource}; filterable: ${spec.filterable.join(", ")}`,
        name,
      );
    }
    filters.push(parseFilter(name, raw));
  }

  const order = (a: ListedObject, b: ListedObject): number =>
    sort.direction * (compareValues(a[sort.field], b[sort.field]) || a.id - b.id);
  const sorted = items.filter((item) => filters.every((filter) => matches(item, filter))).sort(order);

  const cursorParam = query.get("after") !== null ? "after" : query.get("before") !== null ? "before" : null;
  let page: ListedObject[];
  let hasMore: boolean;
  if (cursorParam === null) {
    page = sorted.slice(0, limit);
    hasMore = sorted.length > limit;
  } else {
    const cursorId = query.get(cursorParam) ?? "";
    const cursor = items.find((item) => String(item.id) === cursorId);
    if (!cursor) throw badRequest("invalid_cursor", `No ${spec.resource} with id ${cursorId}`, cursorParam);
    if (reading === "created_after") {
      const chronological = (a: ListedObject, b: ListedObject) =>
        compareValues(a.created, b.created) || a.id - b.id;
      const side = sorted.filter((item) =>
        cursorParam === "after" ? chronological(item, cursor) > 0 : chronological(item, cursor) < 0,
      );
      // The page nearest the cursor, in the list's order.
      const nearestFirst = [...side].sort((a, b) =>
        cursorParam === "after" ? chronological(a, b) : chronological(b, a),
      );
      const chosen = new Set(nearestFirst.slice(0, limit));
      page = side.filter((item) => chosen.has(item));
      hasMore = side.length > limit;
    } else if (cursorParam === "after") {
      const following = sorted.filter((item) => order(item, cursor) > 0);
      page = following.slice(0, limit);
      hasMore = following.length > limit;
    } else {
      const preceding = sorted.filter((item) => order(item, cursor) < 0);
      page = preceding.slice(Math.max(0, preceding.length - limit));
      hasMore = preceding.length > limit;
    }
  }
  const fields = query.get("fields");
  return { object: "list", data: page.map((item) => selectFields(item, fields)), has_more: hasMore };
}
