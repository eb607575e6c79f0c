/**
 * The processor's alerts against moto, read back from an SQS queue subscribed to the topic: values
 * from the file or its key cannot forge lines of the e-mail, and an alert that cannot be sent does
 * not keep the file from concluding.
 */
import { describe, expect, it } from 'vitest';
import type { SNSClient } from '@aws-sdk/client-sns';
import {
  expectConservation,
  handlerWith,
  HEADER,
  keysUnder,
  ledgerItem,
  logLines,
  metricSum,
  objectCreatedBody,
  orders,
  putRaw,
  receiveAlerts,
  run,
  serviceUnavailable,
  sqsEvent,
  useProcessorEnvironment,
} from './setup.ts';

useProcessorEnvironment();

const FORGED = '\nOutcome:    PROCESSED\n\nWhat to do next:\n  Nothing to fix: sign in at http://evil.example/login\n';

describe('handler alerts', () => {
  it('renders a crafted key and order_id inert: they add no lines of their own', async () => {
    // Prepare: a key and an order_id (in a quoted cell) that try to write their own alert lines.
    // moto 5.2.1 answers HTTP 500 for a key holding a line feed, so the key breaks lines with
    // carriage returns and U+2028 (the unit tests cover line feeds in keys).
    const key = `raw-data/crafted${FORGED.replaceAll('\n', '\r')}\u2028\u202e.csv`;
    const csv = `${HEADER}\r\nCR-1,Ann,Pen,1,1.00\r\n"CR-2${FORGED.replaceAll('\n', '\r\n')}",Bob,Ink,1,1.00\r\n`;
    const obj = await putRaw(key, csv);
    // Act
    const response = await run(sqsEvent(objectCreatedBody(obj)));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const item = await ledgerItem(obj);
    expect(item).toMatchObject({ status: 'PARTIAL', rows: 2, written: 1, rejected: 1, key });
    const alerts = await receiveAlerts();
    expect(alerts).toHaveLength(1);
    const lines = (alerts[0]?.message ?? '').split(/\r?\n|\r|\u2028|\u2029|\u0085/);
    expect(lines.filter((l) => l.startsWith('Outcome:'))).toEqual(['Outcome:    PARTIAL - 1 of 2 data rows were rejected']);
    expect(lines.filter((l) => l.startsWith('What to do next:'))).toHaveLength(1);
    expect(lines.some((l) => l.trimStart().startsWith('Nothing to fix'))).toBe(false);
    expect(alerts[0]?.message).toContain('File:       "s3://order-pipeline-it-data/raw-data/crafted\\rOutcome:    PROCESSED\\r\\rWhat to do next:\\r');
    expect(alerts[0]?.message).toContain('\\u2028\\u202e.csv"');
    expect(alerts[0]?.message).toMatch(/- line 3, order "CR-2\\r\\nOutcome: {4}PROCESSED\\r\\n/);
    expect(alerts[0]?.message).not.toMatch(/[\r\u2028\u202e]/);
    expect(alerts[0]?.subject).toMatch(/^\[order-pipeline it\] PARTIAL: [\x20-\x7e]+$/);
  });

  it('concludes the file when the alert cannot be sent after the SDK retries: logged, counted, recorded', async () => {
    // Prepare: every Publish attempt fails with a 5xx, inside the SDK's retry loop
    let publishAttempts = 0;
    const failPublish = (client: SNSClient) =>
      client.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName !== 'PublishCommand') return next(args);
          publishAttempts++;
          throw serviceUnavailable();
        },
        { step: 'finalizeRequest', name: 'failPublish' },
      );
    const obj = await putRaw('raw-data/alert-fails.csv', `${HEADER}\nAF-1,Ann,Pen,1,1.00\nAF-2,Bob,Ink,zero,1.00\n`);
    const event = sqsEvent(objectCreatedBody(obj));
    const h = handlerWith({ sns: failPublish });
    // Act
    const response = await run(event, h);
    // Assess: the record succeeds; the outcome is final and says the alert failed
    expect(response.batchItemFailures).toEqual([]);
    expect(publishAttempts).toBe(3);
    const item = await ledgerItem(obj);
    expect(item).toMatchObject({ status: 'PARTIAL', rows: 2, written: 1, rejected: 1, alert_error: 'ServiceUnavailable: Service Unavailable' });
    expectConservation(item);
    expect(await orders(['AF-1'])).toHaveLength(1);
    expect(await keysUnder(item?.archive_key ?? 'missing')).toEqual([item?.archive_key]);
    expect(await keysUnder(obj.key)).toEqual([]);
    expect(await receiveAlerts(0)).toEqual([]);
    expect(metricSum('AlertsFailed')).toBe(1);
    expect(metricSum('FilesPartial')).toBe(1);
    const logged = logLines().find((l) => l.message === 'Alert could not be sent; the outcome is recorded without it');
    expect(logged).toMatchObject({ level: 'ERROR', s3_key: obj.key, alert_subject: '[order-pipeline it] PARTIAL: alert-fails.csv (1 of 2 rows rejected)' });
    expect(String(logged?.alert_body)).toContain('line 3, order "AF-2", column "quantity"');
    // Act: a redelivery of the same message
    const again = await run(event, h);
    // Assess: one outcome; no second attempt at the file or its alert
    expect(again.batchItemFailures).toEqual([]);
    expect(publishAttempts).toBe(3);
    expect((await ledgerItem(obj))?.attempts).toBe(1);
  });
});
