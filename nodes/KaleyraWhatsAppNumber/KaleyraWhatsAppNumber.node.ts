import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { operationNamed, operationSubtitle, operationsProperties } from './actions/registry';
import { optionsField } from './engine/options';
import { prepareItem } from './engine/prepareItem';
import { runItem, unexpectedFailure } from './engine/runItem';
import { mapWithConcurrency } from './engine/scheduler';
import { startRun } from './engine/startRun';
import { errorOutputHint } from './results/errorOutputHint';
import type { ItemFailure, ItemResult } from './results/itemResults';
import { failureResult } from './results/itemResults';
import { CREDENTIAL_TYPE } from './transport/kaleyraRequest';

export class KaleyraWhatsAppNumber implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Kaleyra WhatsApp Number',
		name: 'kaleyraWhatsAppNumber',
		icon: {
			light: 'file:../../icons/kaleyraWhatsApp.svg',
			dark: 'file:../../icons/kaleyraWhatsApp.dark.svg',
		},
		group: ['output'],
		version: 1,
		subtitle: operationSubtitle,
		description:
			'Take a WhatsApp Business number live on Kaleyra: add it, verify it with its OTP, resend the OTP, and check its status',
		defaults: { name: 'Kaleyra WhatsApp Number' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Success', 'Error'],
		usableAsTool: true,
		credentials: [{ name: CREDENTIAL_TYPE, required: true }],
		properties: [...operationsProperties, optionsField],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const operationValue = this.getNodeParameter('operation', 0);
		const start = await startRun(this, operationValue, this.getExecutionCancelSignal());

		let results: ItemResult[];
		if ('failure' in start) {
			const { failure } = start;
			if (!this.continueOnFail()) {
				throw new NodeOperationError(this.getNode(), failure.message, {
					description: failure.hint,
				});
			}
			// Thrown with On Error set to Continue, n8n would pass the input items out of Success,
			// OTP unmasked: each goes to Error instead, masked, saying what to fix.
			results = items.map((_, itemIndex) => runFailure(this, operationValue, itemIndex, failure));
		} else {
			const { run, concurrency } = start;
			results = await mapWithConcurrency(items.length, concurrency, async (itemIndex) => {
				try {
					return await runItem.call(this, run, itemIndex);
				} catch (error) {
					return unexpectedFailure(this, run.operation, itemIndex, error);
				}
			});
		}

		// An AI Agent only reads the first output of a tool, so there failures go there too:
		// each carries success: false with the code, hint and retryable flag the agent acts on.
		const asTool = this.getNode().type.endsWith('Tool');
		const success: INodeExecutionData[] = [];
		const errors: INodeExecutionData[] = [];
		results.forEach((result, itemIndex) => {
			const pairedItem = { item: itemIndex };
			if (result.ok) for (const json of result.items) success.push({ json, pairedItem });
			else (asTool ? success : errors).push({ json: result.json, pairedItem });
		});
		const hint = errorOutputHint(
			items.length,
			results.flatMap((result) => (result.ok || asTool ? [] : [result.failure.code])),
		);
		if (hint) this.addExecutionHints(hint);
		return [success, errors];
	}
}

/** The Error item of an input item when the run cannot start: what it was about, masked. */
function runFailure(
	fns: IExecuteFunctions,
	operationValue: unknown,
	itemIndex: number,
	failure: ItemFailure,
): ItemResult {
	const operation = operationNamed(operationValue);
	const context = operation
		? prepareItem(fns, operation, itemIndex).context
		: { operation: String(operationValue) };
	return failureResult(context, { ...failure, fields: [...failure.fields] }, 0);
}
