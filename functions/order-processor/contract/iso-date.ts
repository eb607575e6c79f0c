/**
 * ISO 8601 dates and date-times of the order_date rule (docs/csv-format.md "Columns"), to epoch
 * ms: extended format, no zone meaning UTC, impossible calendar dates refused. Pure.
 */

const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** Days per month in a leap year. */
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/**
 * Parses an ISO 8601 (extended format) date or date-time to epoch ms, or null when it is not one
 * or names an impossible calendar date/time. No zone means UTC; a date alone means midnight UTC.
 */
export function parseIsoDate(value: string): number | null {
  // Fast path: the layout toISOString writes (most files), read digit by digit without the regex.
  if (isCanonicalIso(value)) {
    const year = digitsAt(value, 0, 4);
    const month = digitsAt(value, 5, 2);
    const day = digitsAt(value, 8, 2);
    const hour = digitsAt(value, 11, 2);
    const minute = digitsAt(value, 14, 2);
    const second = digitsAt(value, 17, 2);
    const millis = digitsAt(value, 20, 3);
    if ((year | month | day | hour | minute | second | millis) >= 0) return utcTime(year, month, day, hour, minute, second, millis, 0);
  }
  const m = ISO_DATE.exec(value);
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone = 'Z'] = m;
  let offsetMinutes = 0;
  if (zone.toUpperCase() !== 'Z') {
    const zm = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
    if (!zm) return null;
    const [, sign, zh = '0', zmin = '0'] = zm;
    if (Number(zh) > 23 || Number(zmin) > 59) return null;
    offsetMinutes = (sign === '-' ? -1 : 1) * (Number(zh) * 60 + Number(zmin));
  }
  const millis = Number(frac.slice(0, 3).padEnd(3, '0'));
  return utcTime(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s), millis, offsetMinutes);
}

/** Epoch ms of a calendar date and time at a UTC offset, or null when the date or time does not exist. */
function utcTime(year: number, month: number, day: number, hour: number, minute: number, second: number, millis: number, offsetMinutes: number): number | null {
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const daysInMonth = DAYS_IN_MONTH[month - 1] ?? 0; // February: 29, checked against leap years next
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  if (day > daysInMonth || (month === 2 && day === 29 && !leap)) return null;
  let time = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  if (year < 100) {
    // Date.UTC reads years 0–99 as 1900–1999; setUTCFullYear keeps them literal.
    const date = new Date(time);
    date.setUTCFullYear(year);
    time = date.getTime();
  }
  return time - offsetMinutes * 60_000;
}

/** The number written by `length` ASCII digits at `at`, or -1 when one of them is not a digit. */
function digitsAt(value: string, at: number, length: number): number {
  let n = 0;
  for (let i = at; i < at + length; i++) {
    const digit = value.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return -1;
    n = n * 10 + digit;
  }
  return n;
}

/** The layout YYYY-MM-DDTHH:mm:ss.sssZ (separators only: digitsAt checks the digits). */
export function isCanonicalIso(value: string): boolean {
  return (
    value.length === 24 &&
    value[4] === '-' &&
    value[7] === '-' &&
    value[10] === 'T' &&
    value[13] === ':' &&
    value[16] === ':' &&
    value[19] === '.' &&
    value[23] === 'Z'
  );
}

/** Whether the value has the shape of an ISO 8601 date or date-time (its numbers unchecked). */
export function hasIsoDateShape(value: string): boolean {
  return ISO_DATE.test(value);
}
