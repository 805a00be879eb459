// CSV out (server/out): RFC 4180 text (comma-separated, CRLF, fields quoted when they must be, UTF-8
// with a byte-order mark so a spreadsheet opens it as UTF-8) and formula-safe cells; shared by the
// audit trail (issue 13) and the access list (issue 16).
import { stringify } from 'csv-stringify/sync';

/**
 * One cell's text. A spreadsheet runs a cell that starts with `=`, `+`, `-`, `@` or a control
 * character as a formula: such a text is given with a leading apostrophe, which shows it as text.
 * Numbers are given as they are (a negative longitude stays a number); objects as JSON.
 * @example csvCell('=1+1') // "'=1+1"
 */
export function csvCell(value: unknown): string {
  const text = typeof value === 'string' ? value : value === null || value === undefined ? '' : typeof value === 'number' ? String(value) : JSON.stringify(value);
  return typeof value === 'string' && /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/**
 * Rows as CSV (RFC 4180) under a header of `columns`, with a byte-order mark and CRLF line ends.
 * @example toCsv(['a', 'b'], [{ a: 1, b: 'x,y' }]) // '\uFEFFa,b\r\n1,"x,y"\r\n'
 */
export function toCsv<C extends string>(columns: readonly C[], rows: readonly Partial<Record<C, unknown>>[]): string {
  const body = stringify(
    rows.map((r) => columns.map((c) => csvCell(r[c]))),
    { header: true, columns: [...columns], record_delimiter: '\r\n', quoted_match: /[",\r\n]/ },
  );
  return `\uFEFF${body}`;
}
