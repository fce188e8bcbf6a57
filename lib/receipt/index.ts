/**
 * The receipt domain: pure (no I/O, no AWS types). Turns an Acelérala order into the body of
 * `POST /v1/receipts`, or into the list of rules the order breaks.
 */
export {
  amountInWords,
  CURRENCY_NAMES,
  type CurrencyCode,
  integerInWords,
  MAX_AMOUNT_IN_WORDS,
} from "./amount-in-words";
export {
  type BuildReceiptOptions,
  type BuildReceiptResult,
  buildReceipt,
  icbperRate,
  peruDate,
} from "./build-receipt";
export {
  IDENTITY_DOCUMENT_CODES,
  type IdentityDocumentCode,
  type IdentityDocumentType,
  isValidDni,
  isValidOtherDocument,
  isValidRuc,
} from "./identity";
export { type IssueDecision, shouldIssue } from "./issue-policy";
export {
  type BillingDetails,
  DecimalSchema,
  type Order,
  type OrderInput,
  type OrderLine,
  OrderLineSchema,
  OrderSchema,
} from "./order-schema";
export {
  type CustomerInformation,
  CustomerInformationSchema,
  type Receipt,
  type ReceiptDiscount,
  ReceiptDiscountSchema,
  type ReceiptItem,
  ReceiptItemSchema,
  type ReceiptProblem,
  ReceiptSchema,
} from "./receipt-schema";
export {
  findStoreConfig,
  type IssuePolicy,
  IssuePolicySchema,
  parseStoreConfigs,
  type StoreConfig,
  type StoreConfigInput,
  StoreConfigListSchema,
  StoreConfigSchema,
  type VendorInformation,
  VendorInformationSchema,
} from "./store-config";
