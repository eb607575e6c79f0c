import { BatchWriteItemCommand, DescribeTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveInstantTable } from '../../../bench/instant-table.ts';
import { ordersTableCommand } from '../../../tooling/tables.ts';
import { clientConfigFor, useMoto } from '../../support/moto.ts';

const moto = useMoto();
let proxy: Awaited<ReturnType<typeof serveInstantTable>>;
let viaProxy: { ddb: DynamoDBClient; s3: S3Client };
let direct: { ddb: DynamoDBClient; s3: S3Client };

beforeAll(async () => {
  proxy = await serveInstantTable(new URL(moto.endpoint));
  const proxied = clientConfigFor(`http://127.0.0.1:${proxy.port}`);
  viaProxy = { ddb: new DynamoDBClient(proxied), s3: new S3Client(proxied) };
  direct = { ddb: new DynamoDBClient(moto.clientConfig), s3: new S3Client(moto.clientConfig) };
});

afterAll(async () => {
  for (const c of [viaProxy?.ddb, viaProxy?.s3, direct?.ddb, direct?.s3]) c?.destroy();
  await proxy?.close();
});

describe('the instant-table proxy (bench/instant-table.ts)', () => {
  it('forwards every other request to moto unchanged: a table and an object created through it exist in moto', async () => {
    // Act
    await viaProxy.ddb.send(ordersTableCommand('instant-forwarded'));
    await viaProxy.s3.send(new CreateBucketCommand({ Bucket: 'instant-forwarded' }));
    await viaProxy.s3.send(new PutObjectCommand({ Bucket: 'instant-forwarded', Key: 'a.csv', Body: 'order_id\nA-1\n' }));

    // Assess
    const table = await direct.ddb.send(new DescribeTableCommand({ TableName: 'instant-forwarded' }));
    const object = await direct.s3.send(new GetObjectCommand({ Bucket: 'instant-forwarded', Key: 'a.csv' }));
    expect(table.Table?.TableStatus).toBe('ACTIVE');
    expect(await object.Body?.transformToString()).toBe('order_id\nA-1\n');
  });

  it('answers BatchWriteItem itself, with no unprocessed items, counting the items without writing them', async () => {
    // Prepare
    await direct.ddb.send(ordersTableCommand('instant-answered'));
    const before = { ...proxy.stats };
    const put = (id: string) => ({ PutRequest: { Item: { order_id: { S: id }, line: { N: '1' }, quantity: { N: '2' } } } });

    // Act
    const out = await viaProxy.ddb.send(new BatchWriteItemCommand({ RequestItems: { 'instant-answered': [put('A-1'), put('A-2'), put('A-3')] } }));

    // Assess
    expect(out.UnprocessedItems).toEqual({});
    expect(proxy.stats.batchWriteRequests - before.batchWriteRequests).toBe(1);
    expect(proxy.stats.itemsAnswered - before.itemsAnswered).toBe(3);
    const stored = await direct.ddb.send(new GetItemCommand({ TableName: 'instant-answered', Key: { order_id: { S: 'A-1' }, line: { N: '1' } } }));
    expect(stored.Item).toBeUndefined();
  });
});
