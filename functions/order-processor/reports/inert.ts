/**
 * Text that came from a file or a key, made inert for a message a person reads (the alert
 * e-mail): it cannot break a line, hide itself, reorder what surrounds it, or pass for our own
 * words. Line breaks and tabs show as `\n`, `\r`, `\t`; every other control character (C0, DEL,
 * C1), the line and paragraph separators, format characters (bidi overrides and isolates,
 * zero-width characters, the BOM) and lone surrogates show as `\u{XXXX}`.
 */

const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const escapeChar = (char: string): string =>
  NAMED[char] ?? `\\u{${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}}`;

/**
 * Escapes what could change how the text reads, and nothing else. For our own sentences that
 * quote cell values (row and file reasons): the contract already quotes those values.
 */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}

/**
 * A value from the outside (order_id, column name, S3 key or URI), quoted so a reader sees where it
 * starts and ends: `"` and `\` inside are escaped, then the controls as in escapeControls.
 */
export function quoted(value: string): string {
  return `"${escapeControls(value.replace(/[\\"]/g, (c) => `\\${c}`))}"`;
}
