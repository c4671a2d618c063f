/* eslint-disable no-control-regex -- the envelope syntax is made of control characters. */
/**
 * Carrier shipping labels (PDF417, MaxiCode): data in the ISO/IEC 15434 envelope
 * `[)>` RS format ... RS EOT, with fields separated by GS. Format 01 is the transport
 * message of ANSI MH10.8.3 (UPS and others: postal code, country, service, tracking
 * number, carrier); 05 holds GS1 element strings; 06 ANSI MH10.8.2 data identifiers.
 */

export const RS = '\u001e';
export const EOT = '\u0004';
const GS = '\u001d';
const HEADER = `[)>${RS}`;

export type CarrierLabel = {
  /** The envelope's format: '01' transport, '05' GS1, '06' data identifiers, or another. */
  envelope: string;
  trackingNumber?: string;
  /** SCAC of the carrier, e.g. UPSN. */
  carrier?: string;
  postalCode?: string;
  /** ISO 3166 numeric country of the destination. */
  country?: string;
  serviceClass?: string;
  /** Package n of x. */
  packageOf?: string;
  weight?: string;
  city?: string;
  state?: string;
  /** A license plate (data identifiers J, 1J..6J). */
  licensePlate?: string;
  /** The GS1 element string of a format 05 envelope, GS-separated, for the GS1 parser. */
  gs1?: string;
  /** Every field as read, in order. */
  fields: string[];
};

/** True when the text is an ISO/IEC 15434 envelope (`[)>` then RS). */
export function isIso15434(text: string): boolean {
  return text.startsWith(HEADER);
}

/**
 * Reads an ISO/IEC 15434 message into the carrier label it describes; null when the text
 * is not such a message. Only the first format envelope is read (labels carry one).
 */
export function parseCarrierLabel(text: string): CarrierLabel | null {
  if (!isIso15434(text)) return null;
  const body = text.slice(HEADER.length).replace(/[\u001e\u0004]+$/, '');
  const envelopeEnd = body.indexOf(RS);
  const envelope = envelopeEnd === -1 ? body : body.slice(0, envelopeEnd);
  const format = envelope.slice(0, 2);
  if (!/^\d\d$/.test(format)) return null;
  const fields = envelope.slice(2).split(GS);
  // The format is followed by GS, so the first split part is empty.
  if (fields[0] === '') fields.shift();
  const label: CarrierLabel = { envelope: format, fields };
  const set = (k: keyof CarrierLabel, v: string | undefined) => {
    if (v !== undefined && v !== '') (label as Record<string, unknown>)[k] = v;
  };
  switch (format) {
    case '01': {
      // First field: two-digit year ("96" by the standard's convention), then the postal code.
      const first = fields[0] ?? '';
      set('postalCode', /^\d\d/.test(first) ? first.slice(2) : first);
      set('country', fields[1]);
      set('serviceClass', fields[2]);
      set('trackingNumber', fields[3]);
      set('carrier', fields[4]);
      set('packageOf', fields[8]);
      set('weight', fields[9]);
      set('city', fields[12]);
      set('state', fields[13]);
      break;
    }
    case '05':
      label.gs1 = fields.join(GS);
      break;
    case '06':
      for (const f of fields) {
        const m = /^(\d{0,3}[A-Z])(.*)$/.exec(f);
        if (!m) continue;
        const [, di, value] = m as unknown as [string, string, string];
        if (/^\d?J$/.test(di)) set('licensePlate', value);
        else if (di === '2L') set('postalCode', value);
        else if (di === '4L') set('country', value);
      }
      break;
    default:
      break;
  }
  return label;
}

/** A one-line description of a carrier label, for messages. */
export function describeCarrierLabel(label: CarrierLabel): string {
  const parts: string[] = [];
  if (label.trackingNumber) parts.push(`tracking ${label.trackingNumber}${label.carrier ? ` (${label.carrier})` : ''}`);
  if (label.licensePlate) parts.push(`licence plate ${label.licensePlate}`);
  if (label.postalCode) parts.push(`to ${label.postalCode}${label.country ? ` ${label.country}` : ''}`);
  return parts.length ? parts.join(', ') : `format ${label.envelope}`;
}
