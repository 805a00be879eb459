// The XML element tree the CoT codec reads and writes (server/cot), with the only entity handling it does:
// the five predefined XML entities and numeric character references, decoded by hand because the
// parser runs with entity processing off (issue 14: no DTD, no entity expansion of any kind).

/** One XML element as the codec keeps it: attributes as strings, children in document order. */
export interface XmlElement {
  readonly name: string;
  /** Attribute values, entities decoded, as strings (never numbers: `parseAttributeValue` is off). */
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** Text content directly inside the element (entities decoded, trimmed), '' when there is none. */
  readonly text: string;
}

/** A well-formedness fault found while decoding, with a message that names where. */
export class XmlContentError extends Error {}

const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };

/** Whether a code point is a `Char` of XML 1.0 (§2.2). */
function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/**
 * Decodes the predefined entities (`&lt;` `&gt;` `&amp;` `&apos;` `&quot;`) and character references
 * (`&#10;`, `&#x41;`) in one pass. Any other `&name;` would need a DTD, which is refused, so it is an
 * error, as is a reference to a character XML does not allow. The result is never longer than the input,
 * so there is nothing to expand and no "billion laughs".
 * @throws XmlContentError naming `where` (e.g. `attribute callsign of <contact>`)
 * @example decodeEntities('R&amp;B &#10;1', 'text') // 'R&B \n1'
 */
export function decodeEntities(raw: string, where: string): string {
  let amp = raw.indexOf('&');
  if (amp < 0) return raw;
  let out = '';
  let from = 0;
  while (amp >= 0) {
    const semi = raw.indexOf(';', amp + 1);
    // A reference is at most `&#x10FFFF;` or a short name; a longer run is not one.
    if (semi < 0 || semi - amp > 12) throw new XmlContentError(`a bare '&' in ${where}`);
    const body = raw.slice(amp + 1, semi);
    let decoded: string;
    if (body.startsWith('#')) {
      const hex = body.startsWith('#x');
      const digits = body.slice(hex ? 2 : 1);
      if (!(hex ? /^[0-9a-fA-F]{1,6}$/ : /^[0-9]{1,7}$/).test(digits)) throw new XmlContentError(`a malformed character reference &${body}; in ${where}`);
      const cp = Number.parseInt(digits, hex ? 16 : 10);
      if (!isXmlChar(cp)) throw new XmlContentError(`a character reference &${body}; to a character XML does not allow, in ${where}`);
      decoded = String.fromCodePoint(cp);
    } else {
      const named = Object.hasOwn(PREDEFINED, body) ? PREDEFINED[body] : undefined;
      if (named === undefined) throw new XmlContentError(`an undeclared entity &${body.slice(0, 20)}; in ${where} (DTDs are not processed, so only the five XML entities exist)`);
      decoded = named;
    }
    out += raw.slice(from, amp) + decoded;
    from = semi + 1;
    amp = raw.indexOf('&', from);
  }
  return out + raw.slice(from);
}

/**
 * Characters XML cannot carry at all: C0 controls but tab, LF and CR, lone surrogates (with the `u` flag a
 * surrogate class matches only unpaired ones), U+FFFE and U+FFFF.
 */
// eslint-disable-next-line no-control-regex
const NOT_XML_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]/u;
// eslint-disable-next-line no-control-regex
const NOT_XML_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]/gu;

/** The offset (UTF-16 units) of the first character XML cannot carry, or -1. */
export function firstNonXmlChar(text: string): number {
  return text.search(NOT_XML_CHAR);
}

/** Replaces characters XML cannot carry by U+FFFD, so that a writer never emits a broken document. */
function scrub(text: string): string {
  return text.replace(NOT_XML_CHARS, '\ufffd');
}

/**
 * Escapes a value for a double-quoted attribute. Tab, LF and CR become character references, since an
 * XML reader turns literal ones into spaces (attribute-value normalisation, XML §3.3.3).
 * @example escapeAttr('Bob "B" & <Co>\n') // 'Bob &quot;B&quot; &amp; &lt;Co&gt;&#10;'
 */
export function escapeAttr(value: string): string {
  return scrub(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

/**
 * Escapes text content. CR becomes a reference so that it survives line-end normalisation.
 * @example escapeText('a < b & c') // 'a &lt; b &amp; c'
 */
export function escapeText(value: string): string {
  return scrub(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

/**
 * Serialises elements back to XML (attributes double-quoted, empty elements self-closed, text before
 * children). Used for the protobuf `xmlDetail` and for re-reading a detail; not a pretty printer.
 * @example serializeElements([{ name: 'a', attrs: { x: '1' }, children: [], text: '' }]) // '<a x="1"/>'
 */
export function serializeElements(elements: readonly XmlElement[]): string {
  let out = '';
  for (const el of elements) {
    out += `<${el.name}`;
    for (const [k, v] of Object.entries(el.attrs)) out += ` ${k}="${escapeAttr(v)}"`;
    if (el.children.length === 0 && el.text === '') {
      out += '/>';
      continue;
    }
    out += `>${escapeText(el.text)}${serializeElements(el.children)}</${el.name}>`;
  }
  return out;
}

/** The first child element of that name. */
export function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c) => c.name === name);
}

/** Every child element of that name, in order. */
export function childrenNamed(el: XmlElement | undefined, name: string): XmlElement[] {
  return el ? el.children.filter((c) => c.name === name) : [];
}
