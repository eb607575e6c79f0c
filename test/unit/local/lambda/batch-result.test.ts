import { describe, expect, it } from 'vitest';
import type { Message } from '@aws-sdk/client-sqs';
import { retryVisibilitySeconds, succeededMessages } from '../../../../local/lambda/batch-result.ts';

function aMessage(overrides: Partial<Message> = {}): Message {
  return { MessageId: 'm-1', ReceiptHandle: 'rh-1', Body: '{}', ...overrides };
}

describe('succeededMessages', () => {
  it('treats every record not named in batchItemFailures as succeeded', () => {
    // Prepare
    const messages = [aMessage({ MessageId: 'a' }), aMessage({ MessageId: 'b' }), aMessage({ MessageId: 'c' })];

    // Act
    const { succeeded, failed } = succeededMessages(messages, [{ itemIdentifier: 'b' }]);

    // Assess
    expect(succeeded.map((m) => m.MessageId)).toEqual(['a', 'c']);
    expect(failed.map((m) => m.MessageId)).toEqual(['b']);
  });

  it('treats a missing response as all succeeded', () => {
    // Act
    const { succeeded, failed } = succeededMessages([aMessage()], undefined);

    // Assess
    expect(succeeded).toHaveLength(1);
    expect(failed).toHaveLength(0);
  });
});

describe('retryVisibilitySeconds', () => {
  it('backs off 1, 2, 4 … seconds, capped at 30', () => {
    // Assess
    expect([1, 2, 3, 4, 10].map(retryVisibilitySeconds)).toEqual([1, 2, 4, 8, 30]);
  });
});
