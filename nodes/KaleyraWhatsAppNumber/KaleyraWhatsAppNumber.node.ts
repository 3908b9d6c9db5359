import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { commonFields } from './actions/common';
import { retryOtpFields } from './actions/retryOtp.operation';
import { optionsField } from './actions/options';
import type { Operation } from './actions/runItem';
import { itemContext, runItem, unexpectedFailure } from './actions/runItem';
import { startRun } from './actions/startRun';
import { verifyNumberFields } from './actions/verifyNumber.operation';
import type { ItemResult } from './helpers/answers';
import { failureResult } from './helpers/answers';
import { mapWithConcurrency } from './helpers/scheduler';
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
		subtitle:
			'={{ {"verifyNumber": "Verify Number", "retryOtp": "Retry OTP"}[$parameter["operation"]] }}',
		description: 'Verify a WhatsApp Business number on Kaleyra with its OTP, or send it a new OTP',
		defaults: { name: 'Kaleyra WhatsApp Number' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Success', 'Error'],
		usableAsTool: true,
		credentials: [{ name: CREDENTIAL_TYPE, required: true }],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Verify Number',
						value: 'verifyNumber',
						action: 'Verify a phone number with its OTP',
						description: 'Finish verifying a number added to a WABA, with the OTP it received',
					},
					{
						name: 'Retry OTP',
						value: 'retryOtp',
						action: 'Send a new OTP to a phone number',
						description: 'Ask Kaleyra to send the number a new OTP, by SMS or voice call',
					},
				],
				default: 'verifyNumber',
			},
			{
				displayName:
					'Each item leaves by the Success output or by the Error output, where error.code and error.hint say what went wrong and what to do',
				name: 'outputsNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName:
					'Each item that reaches Kaleyra sends the number a new code by SMS or call. Put this after a wait or a user request, not in a loop.',
				name: 'retryNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { operation: ['retryOtp'] } },
			},
			...commonFields,
			...verifyNumberFields,
			...retryOtpFields,
			optionsField,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const operation = this.getNodeParameter('operation', 0) as Operation;
		const start = await startRun(this, operation, this.getExecutionCancelSignal());

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
			results = items.map((_, itemIndex) =>
				failureResult(
					itemContext(this, operation, itemIndex),
					{ ...failure, fields: [...failure.fields] },
					0,
				),
			);
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
			const branch = result.ok || asTool ? success : errors;
			branch.push({ json: result.json, pairedItem: { item: itemIndex } });
		});
		return [success, errors];
	}
}
