/**
 * The one table of character classes the contract refuses, folds never, or shows escaped
 * (docs/csv-format.md "Look-alikes and invisible characters"). Every rule takes its classes from
 * here: the row rules of each column type (schema/column-rules.ts), the header's "empty" test,
 * and the one escaper of what a person reads (reports/inert.ts). Each class has a unit test.
 */

/**
 * The classes, as the bodies of regular-expression character classes (`u` flag). Kept as text so
 * the rules build exactly the expressions they need from one definition.
 */
export const CHARACTER_CLASSES = {
  /**
   * Characters that show nothing: whitespace, controls, format characters (category Cf: U+200B
   * zero-width space, U+200D, U+2060, U+FEFF…), other default-ignorable code points (U+3164
   * Hangul filler, variation selectors…) and U+2800 (blank Braille pattern). A value made only of
   * these (and combining marks) is empty; inside a reason they are shown as \uXXXX escapes.
   */
  invisible: '\\p{White_Space}\\p{Cc}\\p{Cf}\\p{Default_Ignorable_Code_Point}\\u2800',
  /** Combining marks: visible only on a base character, so a value of marks alone is empty. */
  combiningMark: '\\p{Mn}\\p{Me}',
  /**
   * Control characters other than tab and line breaks (which spreadsheet exports put in names):
   * an escape sequence, a bell or a DEL in a name is never data, and would act on the terminal of
   * whoever prints the cleaned CSV.
   */
  control: '\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f',
  /**
   * Non-ASCII letters whose upper or lower case holds ASCII letters: `ſ` (long s → "S"), `K`
   * (Kelvin sign → "k"), `İ` / `ı` (dotted capital and dotless i → "i̇" / "I"), `ß` → "SS", the
   * ligatures ﬀ…ﬆ, ŉ ǰ ẖ ẗ ẘ ẙ ẚ. Folding case on them would turn a value into a different, plain
   * ASCII one (`uſd` → "USD", `K@x.io` → "k@x.io"), so rules that fold case refuse them first.
   * The list is every such code point of the running Unicode version (a test scans them all).
   */
  foldsToAscii: '\\u00df\\u0130\\u0131\\u0149\\u017f\\u01f0\\u1e96-\\u1e9a\\u212a\\ufb00-\\ufb06',
  /** Decimal digits other than ASCII 0-9 (Arabic-Indic ٣, full-width ３…): never read as numbers. */
  nonAsciiDigit: '\\p{Nd}--[0-9]',
} as const;

export type CharacterClass = keyof typeof CHARACTER_CLASSES;

/** The characters of a class as a regular expression (one character; `v` flag for the set difference). */
export function classPattern(name: CharacterClass, flags = ''): RegExp {
  return new RegExp(`[${CHARACTER_CLASSES[name]}]`, `v${flags}`);
}

const INVISIBLE = classPattern('invisible');
const VISIBLE = new RegExp(`[^${CHARACTER_CLASSES.invisible}${CHARACTER_CLASSES.combiningMark}]`, 'v');
const CONTROL = classPattern('control');
const FOLDS_TO_ASCII = classPattern('foldsToAscii');
const NON_ASCII_DIGIT = classPattern('nonAsciiDigit');

/** A value is empty when it has no visible character (a combining mark alone has nothing to sit on). */
export function hasVisibleCharacter(value: string | undefined): boolean {
  if (value === undefined) return false;
  // Fast path (the rule runs for every text cell): printable ASCII is always visible.
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code > 0x20 && code < 0x7f) return true;
  }
  return VISIBLE.test(value);
}

/** Whether every character is printable ASCII (then no class below can match): cheaper than any of them. */
export function isPrintableAscii(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x21 || code > 0x7e) return false;
  }
  return true;
}

export function hasInvisibleCharacter(value: string): boolean {
  return !isPrintableAscii(value) && INVISIBLE.test(value);
}

/** The first control character (other than tab and line breaks), or null. */
export function firstControlCharacter(value: string): string | null {
  return CONTROL.exec(value)?.[0] ?? null;
}

/** The first look-alike of an ASCII letter or digit (a letter that case-folds to ASCII, a non-ASCII digit), or null. */
export function firstAsciiLookAlike(value: string): string | null {
  return isPrintableAscii(value) ? null : (FOLDS_TO_ASCII.exec(value)?.[0] ?? NON_ASCII_DIGIT.exec(value)?.[0] ?? null);
}

/** U+XXXX of a character, as reasons name it. */
export function codePointName(ch: string): string {
  return `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}
