import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { commonFields } from './actions/common';
import { retryOtpFields } from './actions/retryOtp.operation';
import type { ItemSettings, Operation } from './actions/runItem';
import { runItem, unexpectedFailure } from './actions/runItem';
import { verifyNumberFields } from './actions/verifyNumber.operation';
import type { ItemResult } from './helpers/answers';
import { CREDENTIAL_TYPE, resolveAccount } from './transport/kaleyraRequest';

const DEFAULT_TIMEOUT_MS = 30_000;

export class KaleyraWhatsAppNumber implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Kaleyra WhatsApp Number',
		name: 'kaleyraWhatsAppNumber',
		icon: { light: 'file:../../icons/kaleyraWhatsApp.svg', dark: 'file:../../icons/kaleyraWhatsApp.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{ {"verifyNumber": "Verify Number", "retryOtp": "Retry OTP"}[$parameter["operation"]] }}',
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
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add option',
				default: {},
				options: [
					{
						displayName: 'Timeout (Ms)',
						name: 'timeout',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: DEFAULT_TIMEOUT_MS,
						description: 'How long to wait for Kaleyra to answer one request, in milliseconds',
					},
					{
						displayName: 'Treat Already Approved as Success',
						name: 'treatAlreadyApprovedAsSuccess',
						type: 'boolean',
						default: true,
						description:
							'Whether a number Kaleyra reports as "already approved" goes to the Success output, marked alreadyApproved: true. The number is verified either way; turn off to send such items to Error.',
					},
				],
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const operation = this.getNodeParameter('operation', 0) as Operation;
		const account = await resolveAccount.call(this);

		const success: INodeExecutionData[] = [];
		const errors: INodeExecutionData[] = [];
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			let result: ItemResult;
			try {
				const options = this.getNodeParameter('options', itemIndex, {}) as {
					timeout?: number;
					treatAlreadyApprovedAsSuccess?: boolean;
				};
				const settings: ItemSettings = {
					timeoutMs: options.timeout ?? DEFAULT_TIMEOUT_MS,
					treatAlreadyApprovedAsSuccess: options.treatAlreadyApprovedAsSuccess ?? true,
				};
				result = await runItem.call(this, operation, account, itemIndex, settings);
			} catch (error) {
				result = unexpectedFailure(this, operation, itemIndex, error);
			}
			(result.ok ? success : errors).push({ json: result.json, pairedItem: { item: itemIndex } });
		}
		return [success, errors];
	}
}
