import { describe, expect, it } from 'vitest';
import { TerraformProgress } from '../../../tooling/terraform.ts';

describe('TerraformProgress', () => {
  it('counts created resources against the plan and keeps errors', () => {
    // Prepare
    const progress = new TerraformProgress();

    // Act
    const lines = [
      'Plan: 2 to add, 0 to change, 0 to destroy.',
      'aws_sqs_queue.ingestion_queue_7EB6B0B4: Creating...',
      'aws_sqs_queue.ingestion_queue_7EB6B0B4: Creation complete after 25s [id=x]',
      '│ Error: creating thing',
    ].map((l) => progress.line(l));

    // Assess
    expect(lines).toEqual(['terraform: plan has 2 resources to create', null, 'terraform: 1/2 aws_sqs_queue.ingestion_queue', null]);
    expect(progress.errors).toEqual(['Error: creating thing']);
  });
});
