/** Retry OTP: asks Kaleyra to send a new code to the number, by SMS or voice call. */
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { checkFields, toChannel } from '../helpers/validation';
import type { PreparedItem } from './common';
import { checkCommonFields, readParameter } from './common';

export const retryOtpFields: INodeProperties[] = [
	{
		displayName: 'Channel',
		name: 'typeVerification',
		type: 'options',
		options: [
			{ name: 'SMS', value: 'SMS', description: 'Send the new code in a text message' },
			{ name: 'Voice Call', value: 'VOICE', description: 'Read the new code out in a phone call' },
		],
		default: 'SMS',
		description:
			'How the new code reaches the number. Kaleyra calls this type_verification. An expression may give SMS or VOICE in any case.',
		displayOptions: { show: { operation: ['retryOtp'] } },
	},
];

export function prepareRetryOtp(fns: IExecuteFunctions, itemIndex: number): PreparedItem {
	const common = checkCommonFields(fns, itemIndex);
	const own = checkFields({
		typeVerification: () =>
			toChannel('typeVerification', readParameter(fns, 'typeVerification', itemIndex)),
	});
	const { wabaId, phoneNumberId, phoneNumber } = common.values;
	const { typeVerification } = own.values;
	const problems = [...common.problems, ...own.problems];
	return {
		context: {
			operation: 'retryOtp',
			wabaId: wabaId ?? null,
			phoneNumberId: phoneNumberId ?? null,
			phoneNumber: phoneNumber ?? null,
			channel: typeVerification ?? null,
		},
		problems,
		// id as a string, as in the retry sample, whatever its table says (see README).
		request:
			problems.length > 0
				? undefined
				: {
						wabaId,
						endpoint: 'retry_otp',
						body: {
							id: phoneNumberId,
							phone_number: phoneNumber,
							type_verification: typeVerification,
						},
					},
	};
}
