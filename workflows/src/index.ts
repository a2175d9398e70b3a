export { pipelineWorkflow } from './pipeline.workflow';
export { noopChainWorkflow } from './noop-chain.workflow';
export { pipelineProgressQuery } from './queries';
export { paymentEventWorkflow, paymentReceiptWorkflow } from './payment.workflow';
export { webhookDeliveryWorkflow } from './webhook.workflow';
export { retentionWorkflow } from './retention.workflow';
