import { describe, expect, it } from 'vitest';
import {
  allowedHosts,
  checkHost,
  checkOrigin,
  checkToken,
  CONTENT_SECURITY_POLICY,
  cookieValue,
  newToken,
  tokenCookieName,
  tokenMatches,
} from '../../../console/security.ts';

const HOSTS = allowedHosts('127.0.0.1', 8123);

describe('checkHost', () => {
  it('accepts only the console\'s own address and port', () => {
    // Assess
    expect(checkHost('127.0.0.1:8123', HOSTS)).toBeNull();
    expect(checkHost('localhost:8123', HOSTS)).toBeNull();
    expect(checkHost('LOCALHOST:8123', HOSTS)).toBeNull();
  });

  it('refuses a rebinding host name, another port and a missing Host with 421', () => {
    // Assess
    for (const host of ['evil.example:8123', 'evil.example', '127.0.0.1:8124', '127.0.0.1', undefined]) {
      expect(checkHost(host, HOSTS), String(host)).toEqual({ status: 421, reason: expect.any(String) });
    }
  });

  it('adds an explicitly bound address (IPv6 in brackets)', () => {
    // Assess
    expect(allowedHosts('192.168.1.5', 80)).toEqual(new Set(['127.0.0.1:80', 'localhost:80', '192.168.1.5:80']));
    expect(allowedHosts('::1', 80).has('[::1]:80')).toBe(true);
  });
});

describe('checkOrigin', () => {
  it('lets reads through without an Origin', () => {
    // Assess
    expect(checkOrigin('GET', undefined, HOSTS)).toBeNull();
    expect(checkOrigin('HEAD', 'http://evil.example', HOSTS)).toBeNull();
  });

  it('needs the console\'s own Origin for a change', () => {
    // Assess
    expect(checkOrigin('POST', 'http://127.0.0.1:8123', HOSTS)).toBeNull();
    for (const origin of ['http://evil.example', 'https://127.0.0.1:8123', 'http://127.0.0.1:9999', 'null', undefined]) {
      expect(checkOrigin('POST', origin, HOSTS), String(origin)).toEqual({ status: 403, reason: expect.any(String) });
    }
  });
});

describe('checkToken', () => {
  const token = newToken();
  const cookie = tokenCookieName(8123);

  it('accepts the token from the cookie or the header', () => {
    // Assess
    expect(checkToken(`a=b; ${cookie}=${token}`, undefined, cookie, token)).toBeNull();
    expect(checkToken(undefined, token, cookie, token)).toBeNull();
  });

  it('answers 401 without a token and 403 with a wrong one', () => {
    // Assess
    expect(checkToken(undefined, undefined, cookie, token)?.status).toBe(401);
    expect(checkToken(`${tokenCookieName(8124)}=${token}`, undefined, cookie, token)?.status).toBe(401);
    expect(checkToken(`${cookie}=${token}x`, undefined, cookie, token)?.status).toBe(403);
    expect(checkToken(undefined, '', cookie, token)?.status).toBe(403);
  });

  it('makes tokens of 43 URL-safe characters, a different one each time', () => {
    // Act
    const a = newToken();
    const b = newToken();

    // Assess
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(tokenMatches(a, a)).toBe(true);
    expect(tokenMatches(undefined, a)).toBe(false);
  });
});

describe('cookieValue', () => {
  it('finds one cookie among several', () => {
    // Assess
    expect(cookieValue('x=1; y = 2 ;z=3', 'y')).toBe('2');
    expect(cookieValue('x=1', 'y')).toBeUndefined();
    expect(cookieValue(undefined, 'y')).toBeUndefined();
  });
});

describe('CONTENT_SECURITY_POLICY', () => {
  it('allows scripts from the console only, none inline, and nothing from elsewhere', () => {
    // Assess
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval');
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/https?:/);
  });
});
