/**
 * The one escaper for text a person reads (docs/operations.md, "What you read is inert"): alert
 * e-mails, the contract's reasons, and everything the CLI and the local runtime print. Text that
 * came from a file or a key cannot break a line, hide itself, reorder what surrounds it, send a
 * terminal escape sequence or pass for our own words.
 *
 * Line breaks and tabs show as `\n`, `\r`, `\t`; every other control character (C0, DEL, C1), the
 * line and paragraph separators, format characters (bidi overrides and isolates, zero-width
 * characters, the BOM), other default-ignorable code points, the blank Braille pattern, spaces
 * other than U+0020 and lone surrogates show as JSON-style `\uXXXX` (lower-case hex, one per UTF-16
 * unit), so escaped text is also valid inside a JSON string. Escaping twice changes nothing more.
 */

import { CHARACTER_CLASSES } from '../contract/look-alikes.ts';

/** The contract's invisible class (one table: contract/look-alikes.ts) and lone surrogates, less the plain space. */
const UNSAFE = new RegExp(`[[${CHARACTER_CLASSES.invisible}\\p{Cs}]--[ ]]`, 'gv');

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const unit = (code: number): string => `\\u${code.toString(16).padStart(4, '0')}`;

function escapeChar(char: string): string {
  const named = NAMED[char];
  if (named) return named;
  let shown = '';
  for (let i = 0; i < char.length; i++) shown += unit(char.charCodeAt(i));
  return shown;
}

/**
 * Escapes what could change how the text reads, and nothing else: for our own sentences that
 * embed outside text (reasons, keys in a table cell, log lines).
 */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}

/**
 * A value from the outside (order_id, cell, column name, S3 key or URI), quoted so a reader sees
 * where it starts and ends: `"` and `\` inside are escaped, then the rest as in escapeControls.
 * The same text as JSON.stringify gives, except that more characters are escaped.
 */
export function quoted(value: string): string {
  return `"${escapeControls(value.replace(/[\\"]/g, (c) => `\\${c}`))}"`;
}
