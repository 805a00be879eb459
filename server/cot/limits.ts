// The size limits of the CoT codec (server/cot), in one place so that the framer, the parser and the
// protobuf decoder agree (issue 14: "a single message over 1 MB" ends that message, never the server).

/** Largest CoT message accepted, in bytes, XML or protobuf, declaration included (issue 14). */
export const MAX_COT_MESSAGE_BYTES = 1_048_576;

/**
 * Bytes of a stream that cannot be part of any message (no `<event>`/`<auth>` start, wrong magic)
 * tolerated over a connection's life before the framer gives up and tells the caller to close. TAK
 * clients send none; garbage means a wrong client (an HTTP request, a TLS hello on the plain port).
 */
export const MAX_GARBAGE_BYTES = 65_536;

/**
 * Bytes the framer will discard looking for the end of an oversized message (counted from its start)
 * before giving up on resynchronising and telling the caller to close.
 */
export const MAX_SKIP_BYTES = 16 * MAX_COT_MESSAGE_BYTES;

/** Deepest element nesting a CoT document may have (the deepest real one, a CASEVAC, nests 5 deep). */
export const MAX_XML_DEPTH = 32;

/** Longest `uid` accepted, in characters (the longest real one, a GeoChat uid, has about 100). */
export const MAX_UID_CHARS = 512;

/** Labels (callsigns, emergency types) longer than this are cut, in characters, with a trailing '…'. */
export const MAX_LABEL_CHARS = 200;

/** Remarks longer than this are cut, in characters, with a trailing '…'. */
export const MAX_REMARKS_CHARS = 4_000;
