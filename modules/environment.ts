/**
 * Where a stack is deployed. The stack resolves these once (the caller's account id and the
 * partition through Terraform data sources, the region from configuration) and hands each
 * construct the part it needs, so account-specific names and ARNs are built in one way.
 */
export interface DeploymentEnvironment {
  /** The AWS account id (a Terraform reference to `data.aws_caller_identity` in the stack). */
  readonly accountId: string;
  /** The ARN partition: `aws`, `aws-cn` or `aws-us-gov` (a reference to `data.aws_partition`). */
  readonly partition: string;
  /** The region every resource is created in (the provider's region, `AWS_REGION`). */
  readonly region: string;
}
