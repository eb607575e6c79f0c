import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table/index.js';
import { Construct } from 'constructs';
import { LEDGER, ORDERS_HASH_KEY, ORDERS_RANGE_KEY } from '../functions/order-processor/resource-names.ts';

export interface TablesProps {
  /** Prefix of every name (`order-pipeline-<stage>`): tables `<prefix>-orders` and `<prefix>-ingestions`. Required. */
  readonly namePrefix: string;
  /**
   * DynamoDB deletion protection on both tables. Required: the stack passes
   * `DELETION_PROTECTION`.
   */
  readonly deletionProtection: boolean;
}

/**
 * The orders table and the ingestion ledger (key layout: `LEDGER` in
 * functions/order-processor/resource-names.ts; docs/architecture.md).
 */
export class Tables extends Construct {
  readonly orders: DynamodbTable;
  readonly ingestions: DynamodbTable;

  constructor(scope: Construct, id: string, props: TablesProps) {
    super(scope, id);
    // Shared by both tables: on-demand capacity (file drops are bursty; no capacity planning),
    // encryption with the AWS-managed KMS key (auditable in CloudTrail), point-in-time recovery
    // (undo a bad load), and deletion protection from configuration.
    const common = {
      billingMode: 'PAY_PER_REQUEST',
      serverSideEncryption: { enabled: true },
      pointInTimeRecovery: { enabled: true },
      deletionProtectionEnabled: props.deletionProtection,
    };

    // One item per order line, keyed by (order_id, line) so reprocessing a file is an idempotent
    // upsert and a Query by order_id returns an order's lines in line order. DynamoDB cannot
    // change a table's key: changing this replaces the table (docs/deploy.md).
    this.orders = new DynamodbTable(this, 'orders', {
      ...common,
      name: `${props.namePrefix}-orders`,
      hashKey: ORDERS_HASH_KEY,
      rangeKey: ORDERS_RANGE_KEY,
      attribute: [
        { name: ORDERS_HASH_KEY, type: 'S' },
        { name: ORDERS_RANGE_KEY, type: 'N' },
      ],
    });

    // The ledger: one item per file version plus content claims; the sparse by-day index lists
    // recent ingestions for `order-pipeline status` without a scan.
    this.ingestions = new DynamodbTable(this, 'ingestions', {
      ...common,
      name: `${props.namePrefix}-ingestions`,
      hashKey: LEDGER.hashKey,
      attribute: [
        { name: LEDGER.hashKey, type: 'S' },
        { name: LEDGER.byDayHashKey, type: 'S' },
        { name: LEDGER.byDayRangeKey, type: 'S' },
      ],
      globalSecondaryIndex: [
        {
          name: LEDGER.byDayIndex,
          hashKey: LEDGER.byDayHashKey,
          rangeKey: LEDGER.byDayRangeKey,
          projectionType: 'ALL',
        },
      ],
    });
  }
}
