// XML for the KML and GPX exports (server/out, issue 18), built with fast-xml-parser's XMLBuilder in
// its ordered form (the schemas fix the order of elements): every text and attribute is escaped by the
// builder, characters XML 1.0 cannot hold are dropped, degrees are written to 7 decimals. A document
// is built once as a skeleton with a marker comment where its items go; split there, the skeleton's
// pieces frame items built one at a time, so a large picture is written a part at a time.
import { XMLBuilder } from 'fast-xml-parser';

/** A node of the builder's ordered form: `{ tag: children, ':@': attributes }`, `{ '#text': … }` or a comment. */
export type XmlNode = Record<string, unknown>;

const builder = new XMLBuilder({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  commentPropName: '#comment',
  format: false,
  suppressEmptyNode: false,
  processEntities: true,
});

/** Characters XML 1.0 may not hold (C0 controls but tab and line feed, lone surrogates, U+FFFE/FFFF). */
const NOT_XML = /[^\t\n\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/**
 * A text as XML can carry it: line ends as `\n` (as any parser reads them back), characters XML
 * cannot hold dropped. Escaping is the builder's.
 * @example xmlSafe('a\r\nb\u0001') // 'a\nb'
 */
export function xmlSafe(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(NOT_XML, '');
}

/**
 * Degrees as XML decimal text to 7 decimals, without trailing zeros and never in exponent form
 * (`1e-7` is no xsd:decimal).
 * @example deg7(11.96300004) // '11.963'
 * @example deg7(1e-8) // '0'
 */
export function deg7(x: number): string {
  const s = (Math.round(x * 1e7) / 1e7).toFixed(7).replace(/\.?0+$/, '');
  return s === '-0' ? '0' : s;
}

/** An element with children (and attributes, names without the `@_`). */
export function el(tag: string, children: XmlNode[] = [], attributes?: Record<string, string>): XmlNode {
  const node: XmlNode = { [tag]: children };
  if (attributes) node[':@'] = Object.fromEntries(Object.entries(attributes).map(([k, v]) => [`@_${k}`, xmlSafe(v)]));
  return node;
}

/** An element holding a text. */
export function text(tag: string, value: string | number): XmlNode {
  return { [tag]: [{ '#text': xmlSafe(String(value)) }] };
}

/** Nodes as XML text (no declaration unless a `?xml` node is given). */
export function buildXml(nodes: XmlNode[]): string {
  return builder.build(nodes) as string;
}

/** The XML declaration node. */
export const XML_DECLARATION: XmlNode = { '?xml': [{ '#text': '' }], ':@': { '@_version': '1.0', '@_encoding': 'UTF-8' } };

/** The marker where a skeleton's items go: a comment, which escaped text can never spell (`<` is `&lt;` there). */
export function slot(n: number): XmlNode {
  return { '#comment': [{ '#text': `slot ${n}` }] };
}

/**
 * A skeleton's text split at its slots: `pieces[0]`, slot 0's items, `pieces[1]`, slot 1's items, ...
 * @example splitAtSlots(buildXml([el('a', [slot(0)])]), 1) // ['<a>', '</a>']
 */
export function splitAtSlots(xml: string, slots: number): string[] {
  const pieces: string[] = [];
  let rest = xml;
  for (let n = 0; n < slots; n++) {
    const mark = `<!--slot ${n}-->`;
    const at = rest.indexOf(mark);
    if (at < 0) throw new Error(`the skeleton lacks slot ${n}`);
    pieces.push(rest.slice(0, at));
    rest = rest.slice(at + mark.length);
  }
  pieces.push(rest);
  return pieces;
}
