/** Helpers for acknowledging cdk-nag findings precisely, next to the grant that causes them. */
import { CfnElement, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * How cdk-nag spells a resource inside a finding id: `<LogicalId>` for a reference, or
 * `<LogicalId.Attribute>` for an attribute (for example `<DataCallLogs923585FC.Arn>`).
 */
export function nagRef(resource: IConstruct, attribute?: string): string {
  const element = resource.node.defaultChild;
  if (!CfnElement.isCfnElement(element)) throw new Error(`${resource.node.path} has no CloudFormation resource to name`);
  const stack = Stack.of(resource);
  const logicalId = stack.resolve(element.logicalId) as string;
  return attribute ? `<${logicalId}.${attribute}>` : `<${logicalId}>`;
}
