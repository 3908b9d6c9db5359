import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { commonFields } from './actions/common';
import { retryOtpFields } from './actions/retryOtp.operation';
import { optionsField, readRunSettings } from './actions/options';
import type { Operation, RunContext } from './actions/runItem';
import { runItem, unexpectedFailure } from './actions/runItem';
import { verifyNumberFields } from './actions/verifyNumber.operation';
import { createPacer, mapWithConcurrency } from './helpers/scheduler';
import { CREDENTIAL_TYPE, resolveAccount } from './transport/kaleyraRequest';

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
		const { concurrency, requestsPerSecond } = readRunSettings(this);
		const run: RunContext = {
			operation: this.getNodeParameter('operation', 0) as Operation,
			account: await resolveAccount.call(this),
			pacer: createPacer(requestsPerSecond),
		};

		const results = await mapWithConcurrency(items.length, concurrency, async (itemIndex) => {
			try {
				return await runItem.call(this, run, itemIndex);
			} catch (error) {
				return unexpectedFailure(this, run.operation, itemIndex, error);
			}
		});

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
