import type { AttributeValue } from "@aws-sdk/client-dynamodb";

/**
 * The size DynamoDB bills an item at, from its wire form (AttributeValue maps), by the rules AWS publishes
 * ("Item sizes and formats", DynamoDB Developer Guide): each attribute's name in UTF-8 bytes plus its value —
 * strings and binaries their byte length, numbers 1 byte per two significant digits plus 1, booleans and null
 * 1 byte, lists and maps 3 bytes plus each element and 1 byte per element, sets the sum of their elements.
 * The benchmark computes this itself because DynamoDB Local 3.3.1 mis-reports transactions' consumed capacity
 * (it reports 2 units for a transaction writing two or three items under 1 KB, where AWS bills 2 per item).
 */

const utf8 = (text: string) => Buffer.byteLength(text, "utf8");

/** Significant digits of a DynamoDB number: leading and trailing zeros trimmed. */
function numberBytes(text: string): number {
  const digits = text
    .replace(/^-/, "")
    .replace(/e.*$/i, "")
    .replace(".", "")
    .replace(/^0+/, "")
    .replace(/0+$/, "");
  return Math.ceil(Math.max(1, digits.length) / 2) + 1 + (text.startsWith("-") ? 1 : 0);
}

export function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return numberBytes(value.N);
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((total, item) => total + utf8(item), 0);
  if (value.NS !== undefined) return value.NS.reduce((total, item) => total + numberBytes(item), 0);
  if (value.BS !== undefined) return value.BS.reduce((total, item) => total + item.length, 0);
  if (value.L !== undefined) return 3 + value.L.reduce((total, item) => total + valueSize(item) + 1, 0);
  if (value.M !== undefined)
    return (
      3 + Object.entries(value.M).reduce((total, [name, item]) => total + utf8(name) + valueSize(item) + 1, 0)
    );
  return 0;
}

export function itemSize(item: Record<string, AttributeValue>): number {
  return Object.entries(item).reduce((total, [name, value]) => total + utf8(name) + valueSize(value), 0);
}

/** Write units of one standard write of an item of `bytes` (1 KB each, rounded up, at least 1). */
export function writeUnits(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / 1024));
}
