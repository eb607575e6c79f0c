/**
 * The console's guards (docs/console.md, "Security"): it acts with the operator's credentials, so
 * a page elsewhere — another site in the same browser, a DNS-rebinding host name — must not be
 * able to use it. Pure functions over the request's headers; server.ts applies them.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

/** A fresh session token: 32 random bytes, URL-safe. */
export const newToken = (): string => randomBytes(32).toString('base64url');

/** The cookie holding the token; named per port, because browsers share cookies between ports of one host. */
export const tokenCookieName = (port: number): string => `order_pipeline_console_${port}`;

/**
 * No inline scripts or styles, nothing from elsewhere: every asset comes from the console itself;
 * the check's Web Worker too (worker-src), and the charts draw on canvas.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "worker-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers on every response. */
export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  // The token travels in the first address only; never let it leave in a Referer.
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** The Host values the console answers to: its own address and port (and localhost on loopback). */
export function allowedHosts(bindAddress: string, port: number): Set<string> {
  const hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  if (bindAddress !== '127.0.0.1') hosts.add(bindAddress.includes(':') ? `[${bindAddress}]:${port}` : `${bindAddress}:${port}`);
  return hosts;
}

export type Refusal = { status: 401 | 403 | 421; reason: string };

/** A Host header naming another server (DNS rebinding: evil.example resolving to 127.0.0.1) is refused. */
export function checkHost(host: string | undefined, allowed: ReadonlySet<string>): Refusal | null {
  if (host !== undefined && allowed.has(host.toLowerCase())) return null;
  return { status: 421, reason: 'this console answers only to its own address' };
}

/** Methods that change something need an Origin header naming the console itself. */
export function checkOrigin(method: string, origin: string | undefined, allowed: ReadonlySet<string>): Refusal | null {
  if (method === 'GET' || method === 'HEAD') return null;
  if (origin !== undefined && origin.startsWith('http://') && allowed.has(origin.slice('http://'.length).toLowerCase())) return null;
  return { status: 403, reason: 'a request that changes something must come from the console\'s own page' };
}

/** The value of one cookie in a Cookie header, or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/** Constant-time comparison of a presented token with the session's. */
export function tokenMatches(presented: string | undefined, token: string): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The API needs the token: from the cookie the first address set, or an `X-Console-Token` header. */
export function checkToken(cookieHeader: string | undefined, tokenHeader: string | undefined, cookieName: string, token: string): Refusal | null {
  const presented = tokenHeader ?? cookieValue(cookieHeader, cookieName);
  if (presented === undefined) return { status: 401, reason: 'no session token: open the address the console printed (it carries the token)' };
  if (!tokenMatches(presented, token)) return { status: 403, reason: 'wrong session token: open the address the console printed' };
  return null;
}
