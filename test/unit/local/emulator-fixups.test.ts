import { describe, expect, it } from 'vitest';
import { isTlsOnlyDeny, withoutTlsOnlyDeny } from '../../../local/emulator-fixups.ts';

describe('isTlsOnlyDeny / withoutTlsOnlyDeny', () => {
  it('removes only the Deny conditioned on aws:SecureTransport', () => {
    // Prepare
    const tls = { Sid: 'DenyInsecureTransport', Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } };
    const other = { Sid: 'AllowX', Effect: 'Allow', Action: 's3:GetObject' };

    // Assess
    expect(isTlsOnlyDeny(tls)).toBe(true);
    expect(isTlsOnlyDeny(other)).toBe(false);
    expect(withoutTlsOnlyDeny({ Version: '2012-10-17', Statement: [tls, other] })).toEqual({ Version: '2012-10-17', Statement: [other] });
    expect(withoutTlsOnlyDeny({ Statement: [tls] })).toBeNull();
  });
});
