/**
 * The receipt domain: pure (no I/O, no AWS types). The one entry the rest of the repository imports from.
 *
 * Layout (after XBuilder and Greenter): catalogs.ts (SUNAT's catalogues), order-schema.ts / receipt-schema.ts
 * (shapes in and out), order-validation.ts (the rules an order must meet), line-arithmetic.ts (one line's
 * figures), document-totals.ts (a document's totals), document-assembly.ts (header, parties, legends), and one
 * builder per document kind on top: sale-receipt.ts (Factura 01 / Boleta 03) and credit-note.ts (Nota de
 * crédito 07, with credit-allocation.ts for what each note credits).
 */
export {
  amountInWords,
  CURRENCY_NAMES,
  type CurrencyCode,
  integerInWords,
  MAX_AMOUNT_IN_WORDS,
} from "./amount-in-words";
export {
  CREDIT_NOTE_MOTIVE,
  type CreditNoteMotiveCode,
  DOCUMENT_TYPE,
  type DocumentTypeCode,
  IDENTITY_DOCUMENT_CODES,
  type IdentityDocumentCode,
  type IdentityDocumentType,
  LEGEND,
  TAX_AFFECTATION,
  type TaxAffectationCode,
} from "./catalogs";
export {
  type CreditAllocation,
  CreditAllocationSchema,
  type CreditedLineRecord,
  type CreditScope,
} from "./credit-allocation";
export {
  type BuildCreditNoteResult,
  buildCreditNote,
  CREDIT_NOTE_SCOPES,
  type CreditNoteRequest,
} from "./credit-note";
export { peruDate } from "./dates";
export { isValidDni, isValidOtherDocument, isValidRuc } from "./identity";
export { type IssueDecision, shouldIssue } from "./issue-policy";
export { formatAmount } from "./money";
export {
  type BillingDetails,
  DecimalSchema,
  type Order,
  type OrderInput,
  type OrderLine,
  OrderLineSchema,
  OrderSchema,
} from "./order-schema";
export type { ReceiptProblem } from "./problems";
export {
  type CreditNote,
  CreditNoteSchema,
  type CustomerInformation,
  CustomerInformationSchema,
  type DocumentItem,
  DocumentItemSchema,
  type Receipt,
  type ReceiptDiscount,
  ReceiptDiscountSchema,
  type ReceiptItem,
  ReceiptItemSchema,
  ReceiptSchema,
} from "./receipt-schema";
export {
  type BuildReceiptOptions,
  type BuildReceiptResult,
  buildReceipt,
  UNIDENTIFIED_CUSTOMER_NAME,
} from "./sale-receipt";
export {
  DEFAULT_CREDIT_SERIES,
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
export { icbperRate } from "./taxes";
