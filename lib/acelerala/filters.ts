/**
 * Acelérala's list query syntax: `field=value`, `field=a,b,c`, `field=gt:1,lt:500` (gt/lt/gte/lte),
 * plus `limit`, `after`/`before` cursors, `sort=field:asc|desc` and `fields=a,b`.
 */

export type FilterScalar = string | number;
export type RangeFilter = { gt?: FilterScalar; gte?: FilterScalar; lt?: FilterScalar; lte?: FilterScalar };
export type FilterValue = FilterScalar | boolean | readonly FilterScalar[] | RangeFilter;
export type Filters = Readonly<Record<string, FilterValue | undefined>>;

export type SortDirection = "asc" | "desc";

export type ListParams<SortField extends string = string> = {
  limit?: number;
  after?: string | number;
  before?: string | number;
  sort?: `${SortField}:${SortDirection}`;
  fields?: readonly string[];
};

export const MAX_LIST_LIMIT = 100;

const RANGE_OPERATORS = ["gt", "gte", "lt", "lte"] as const;

function scalar(field: string, value: FilterScalar): string {
  const text = String(value);
  // A comma would split one value into two; the syntax has no escape for it.
  if (text.includes(",")) throw new RangeError(`filter ${field}: value "${text}" contains a comma`);
  if (text === "") throw new RangeError(`filter ${field}: empty value`);
  return text;
}

function isRange(value: FilterValue): value is RangeFilter {
  return typeof value === "object" && !Array.isArray(value);
}

/** One filter's value in the wire syntax, e.g. `{ gte: "2024-01-01", lt: "2024-02-01" }` → "gte:2024-01-01,lt:2024-02-01". */
export function serialiseFilterValue(field: string, value: FilterValue): string {
  if (typeof value === "boolean") return value ? "1" : "0";
  if (Array.isArray(value)) {
    if (value.length === 0) throw new RangeError(`filter ${field}: empty list`);
    return value.map((item) => scalar(field, item)).join(",");
  }
  if (isRange(value)) {
    const parts = RANGE_OPERATORS.filter((op) => value[op] !== undefined).map(
      (op) => `${op}:${scalar(field, value[op] as FilterScalar)}`,
    );
    if (parts.length === 0)
      throw new RangeError(`filter ${field}: a range needs at least one of gt, gte, lt, lte`);
    return parts.join(",");
  }
  return scalar(field, value as FilterScalar);
}

/**
 * The query string of a list call. Parameters are percent-encoded the standard way (`:` → %3A, `,` → %2C),
 * which any server decodes back to `placed=gte:…,lt:…&payment_status=paid`.
 */
export function buildListQuery(params: ListParams = {}, filters: Filters = {}): URLSearchParams {
  const query = new URLSearchParams();
  for (const [field, value] of Object.entries(filters)) {
    if (value !== undefined) query.set(field, serialiseFilterValue(field, value));
  }
  if (params.limit !== undefined) {
    if (!Number.isInteger(params.limit) || params.limit < 1 || params.limit > MAX_LIST_LIMIT) {
      throw new RangeError(`limit must be an integer from 1 to ${MAX_LIST_LIMIT}, got ${params.limit}`);
    }
    query.set("limit", String(params.limit));
  }
  if (params.after !== undefined) query.set("after", String(params.after));
  if (params.before !== undefined) query.set("before", String(params.before));
  if (params.sort !== undefined) query.set("sort", params.sort);
  if (params.fields !== undefined && params.fields.length > 0) query.set("fields", params.fields.join(","));
  return query;
}
