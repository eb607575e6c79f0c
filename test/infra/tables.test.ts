import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table/index.js';
import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { LEDGER, ORDERS_HASH_KEY, ORDERS_RANGE_KEY } from '../../functions/order-processor/resource-names.ts';
import { Tables } from '../../modules/tables.ts';
import { synthConstruct } from './synth.ts';

describe('Tables', () => {
  // Prepare: the tables construct without deletion protection
  const synth = synthConstruct((stack) => new Tables(stack, 'tables', { namePrefix: 'order-pipeline-test', deletionProtection: false }));

  it('keys the orders table by order_id and line (a number), on demand, encrypted, with point-in-time recovery', () => {
    expect(Testing.toHaveResourceWithProperties(synth, DynamodbTable.tfResourceType, {
      name: 'order-pipeline-test-orders',
      hash_key: ORDERS_HASH_KEY,
      range_key: ORDERS_RANGE_KEY,
      attribute: [{ name: ORDERS_HASH_KEY, type: 'S' }, { name: ORDERS_RANGE_KEY, type: 'N' }],
      billing_mode: 'PAY_PER_REQUEST',
      server_side_encryption: { enabled: true },
      point_in_time_recovery: { enabled: true },
      deletion_protection_enabled: false,
    })).toBe(true);
  });

  it('keys the ledger by pk with the by-day index projecting every attribute', () => {
    expect(Testing.toHaveResourceWithProperties(synth, DynamodbTable.tfResourceType, {
      name: 'order-pipeline-test-ingestions',
      hash_key: LEDGER.hashKey,
      billing_mode: 'PAY_PER_REQUEST',
      server_side_encryption: { enabled: true },
      point_in_time_recovery: { enabled: true },
      global_secondary_index: [
        { name: 'by-day', hash_key: 'ingest_day', range_key: 'started_at', projection_type: 'ALL' },
      ],
    })).toBe(true);
  });

  it('protects both tables from deletion when deletion protection is on', () => {
    // Act
    const protectedSynth = synthConstruct((stack) => new Tables(stack, 'tables', { namePrefix: 'p', deletionProtection: true }));

    // Assess
    for (const name of ['p-orders', 'p-ingestions']) {
      expect(Testing.toHaveResourceWithProperties(protectedSynth, DynamodbTable.tfResourceType, { name, deletion_protection_enabled: true })).toBe(true);
    }
  });
});
