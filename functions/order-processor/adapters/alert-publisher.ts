/**
 * Sends a rendered alert (reports/alerts.ts) to the alerts topic. The SDK retries throttling,
 * 5xx and network errors with backoff; what still fails is the caller's to decide
 * (pipeline/conclude.ts records it and carries on).
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { AlertPublisher } from '../pipeline/ports.ts';

export function snsAlertPublisher(sns: SNSClient, topicArn: string): AlertPublisher {
  return {
    async publish(alert) {
      await sns.send(
        new PublishCommand({
          TopicArn: topicArn,
          Subject: alert.subject,
          Message: alert.body,
          MessageAttributes: Object.fromEntries(
            Object.entries(alert.attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
          ),
        }),
      );
    },
  };
}
