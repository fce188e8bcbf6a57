/**
 * SUNAT's catalogues (Anexo 8 of the UBL 2.1 specification), as named constants with their official texts.
 * Only what the receipt domain reads or writes is listed; every bare code elsewhere in lib/receipt comes from
 * here.
 */

/** Catálogo 01: tipo de documento. */
export const DOCUMENT_TYPE = {
  FACTURA: "01",
  BOLETA: "03",
  NOTA_DE_CREDITO: "07",
  NOTA_DE_DEBITO: "08",
} as const;
export type DocumentTypeCode = (typeof DOCUMENT_TYPE)[keyof typeof DOCUMENT_TYPE];
/** The sale documents a credit note can affect. */
export type SaleDocumentTypeCode = typeof DOCUMENT_TYPE.FACTURA | typeof DOCUMENT_TYPE.BOLETA;

/** Catálogo 06: the seed's document_type words → códigos de tipo de documento de identidad. */
export const IDENTITY_DOCUMENT_CODES = {
  ruc: "6",
  dni: "1",
  "-": "-",
  ce: "4",
  passport: "7",
  cdi: "A",
  nd: "0",
  dnind: "B",
  tin: "C",
  in: "D",
  tam: "E",
} as const;
export type IdentityDocumentType = keyof typeof IDENTITY_DOCUMENT_CODES;
export type IdentityDocumentCode = (typeof IDENTITY_DOCUMENT_CODES)[IdentityDocumentType];

/** Catálogo 07, grouped as SUNAT's Catálogo 07 note does: which IGV treatment and whether it is onerous. */
export type TaxCategory = "gravado" | "exonerado" | "inafecto" | "exportacion";

export interface TaxAffectation {
  text: string;
  category: TaxCategory;
  /** false for free transfers (retiros, bonificaciones): valued at a reference price, not charged. */
  onerous: boolean;
}

/** Catálogo 07: códigos de tipo de afectación del IGV. */
export const TAX_AFFECTATION = {
  "10": { text: "Gravado – Operación Onerosa", category: "gravado", onerous: true },
  "11": { text: "Gravado – Retiro por premio", category: "gravado", onerous: false },
  "12": { text: "Gravado – Retiro por donación", category: "gravado", onerous: false },
  "13": { text: "Gravado – Retiro", category: "gravado", onerous: false },
  "14": { text: "Gravado – Retiro por publicidad", category: "gravado", onerous: false },
  "15": { text: "Gravado – Bonificaciones", category: "gravado", onerous: false },
  "16": { text: "Gravado – Retiro por entrega a trabajadores", category: "gravado", onerous: false },
  "17": { text: "Gravado – IVAP", category: "gravado", onerous: true },
  "20": { text: "Exonerado – Operación Onerosa", category: "exonerado", onerous: true },
  "21": { text: "Exonerado – Transferencia gratuita", category: "exonerado", onerous: false },
  "30": { text: "Inafecto – Operación Onerosa", category: "inafecto", onerous: true },
  "31": { text: "Inafecto – Retiro por Bonificación", category: "inafecto", onerous: false },
  "32": { text: "Inafecto – Retiro", category: "inafecto", onerous: false },
  "33": { text: "Inafecto – Retiro por Muestras Médicas", category: "inafecto", onerous: false },
  "34": { text: "Inafecto – Retiro por Convenio Colectivo", category: "inafecto", onerous: false },
  "35": { text: "Inafecto – Retiro por premio", category: "inafecto", onerous: false },
  "36": { text: "Inafecto – Retiro por publicidad", category: "inafecto", onerous: false },
  "37": { text: "Inafecto – Transferencia gratuita", category: "inafecto", onerous: false },
  "40": { text: "Exportación de Bienes o Servicios", category: "exportacion", onerous: true },
} as const satisfies Record<string, TaxAffectation>;
export type TaxAffectationCode = keyof typeof TAX_AFFECTATION;

/** The Catálogo 07 codes the sale builder writes. */
export const TAX_CODE = {
  /** Gravado – Operación Onerosa: an ordinary sale with IGV. */
  TAXED: "10",
  /** Gravado – Bonificaciones: a free line (promotional gift; the seller bears the IGV). */
  FREE_BONUS: "15",
} as const satisfies Record<string, TaxAffectationCode>;

/**
 * The Catálogo 07 codes a credit note can mirror: IGV at 18 % (10), exonerated (20), unaffected (30), and the
 * free transfers of those three families. IVAP (17, a 4 % rate) and exports (40) are not issued by this product
 * and their notes need figures we do not model.
 */
export const CREDITABLE_TAX_CODES = [
  "10",
  "11",
  "12",
  "13",
  "14",
  "15",
  "16",
  "20",
  "21",
  "30",
  "31",
  "32",
  "33",
  "34",
  "35",
  "36",
  "37",
] as const satisfies readonly TaxAffectationCode[];
export type CreditableTaxCode = (typeof CREDITABLE_TAX_CODES)[number];

/** Catálogo 09: códigos de tipo de nota de crédito, with their official descriptions. */
export const CREDIT_NOTE_MOTIVE = {
  "01": "Anulación de la operación",
  "02": "Anulación por error en el RUC",
  "03": "Corrección por error en la descripción",
  "04": "Descuento global",
  "05": "Descuento por ítem",
  "06": "Devolución total",
  "07": "Devolución por ítem",
  "08": "Bonificación",
  "09": "Disminución en el valor",
  "10": "Otros conceptos",
  "11": "Ajustes de operaciones de exportación",
  "12": "Ajustes afectos al IVAP",
  "13": "Ajustes – montos y/o fechas de pago",
} as const;
export type CreditNoteMotiveCode = keyof typeof CREDIT_NOTE_MOTIVE;

export function isCreditNoteMotiveCode(code: string): code is CreditNoteMotiveCode {
  return Object.hasOwn(CREDIT_NOTE_MOTIVE, code);
}

/** Catálogo 51: tipo de operación. */
export const OPERATION_TYPE = {
  /** Venta interna. */
  INTERNAL_SALE: "0101",
} as const;

/** Catálogo 52: códigos de leyendas. A number in the seed's receipt object. */
export const LEGEND = {
  /** Monto expresado en letras. */
  AMOUNT_IN_WORDS: 1000,
  /** Transferencia gratuita de un bien y/o servicio prestado gratuitamente. */
  FREE_TRANSFER: 1002,
} as const;
export const FREE_TRANSFER_TEXT = "TRANSFERENCIA GRATUITA DE UN BIEN Y/O SERVICIO PRESTADO GRATUITAMENTE";

/** Catálogo 53: códigos de cargos o descuentos. */
export const DISCOUNT_TYPE = {
  /** Descuentos que afectan la base imponible del IGV/IVAP (per line). */
  LINE_AFFECTS_BASE: "00",
  /** Descuentos globales que afectan la base imponible del IGV/IVAP. */
  GLOBAL_AFFECTS_BASE: "02",
} as const;

/** Catálogo 03 (UN/ECE Rec. 20): unidades de medida. */
export const UNIT = {
  /** Unidad (bienes). */
  PRODUCT: "NIU",
  /** Unidad (servicios). */
  SERVICE: "ZZ",
} as const;
