/**
 * The CLI's view of cli/lib/terraform.ts (owned by the infrastructure work: synthesize + init from
 * the provider mirror + apply + outputs), plus condensing Terraform's output into progress lines.
 */
export { deployStack, readOutputs } from './terraform.ts';

/**
 * Condenses Terraform's output to progress: counts resources as they complete against the plan's
 * total and keeps errors. Returns the text to show for a line, or null to stay quiet.
 */
export class TerraformProgress {
  total = 0;
  created = 0;
  errors: string[] = [];
  private inError = false;

  line(raw: string): string | null {
    // eslint-disable-next-line no-control-regex
    const line = raw.replace(/\u001b\[[0-9;]*m/g, '').trimEnd();
    const plan = /Plan: (\d+) to add/.exec(line);
    if (plan) {
      this.total = Number(plan[1]);
      return `terraform: plan has ${this.total} resources to create`;
    }
    if (/: Creation complete after/.test(line) || /: Modifications complete after/.test(line)) {
      this.created += 1;
      // aws_sqs_queue.ingestion_queue_7EB6B0B4 → aws_sqs_queue.ingestion_queue
      const name = (line.split(':')[0]?.trim() ?? '').replace(/_[0-9A-F]{8}$/, '');
      return `terraform: ${this.created}/${this.total || '?'} ${name}`;
    }
    if (/^Apply complete!/.test(line)) return `terraform: ${line}`;
    if (/Error:/.test(line) || this.inError) {
      this.inError = line.trim() !== '' || this.inError;
      if (line.trim()) this.errors.push(line.replace(/^[│╷╵\s]+/, ''));
      return null;
    }
    return null;
  }
}
