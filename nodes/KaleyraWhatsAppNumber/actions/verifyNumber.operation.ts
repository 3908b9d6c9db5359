/** Verify Number: sends the OTP the number received, to finish its verification. */
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { checkFields, maskOtp, toOtp } from '../helpers/validation';
import type { PreparedItem } from './common';
import { checkCommonFields, readParameter } from './common';

export const verifyNumberFields: INodeProperties[] = [
	{
		displayName: 'OTP',
		name: 'otp',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. 012345',
		description:
			'The 6-digit code the number received by SMS or voice call, usually mapped from the form or email that brought it in. Kept as text so a leading zero survives.',
		displayOptions: { show: { operation: ['verifyNumber'] } },
	},
];

export function prepareVerifyNumber(fns: IExecuteFunctions, itemIndex: number): PreparedItem {
	const common = checkCommonFields(fns, itemIndex);
	const own = checkFields({ otp: () => toOtp('otp', readParameter(fns, 'otp', itemIndex)) });
	const { wabaId, phoneNumberId, phoneNumber } = common.values;
	const { otp } = own.values;
	const problems = [...common.problems, ...own.problems];
	return {
		context: {
			operation: 'verifyNumber',
			wabaId: wabaId ?? null,
			phoneNumberId: phoneNumberId ?? null,
			phoneNumber: phoneNumber ?? null,
			otp: otp === undefined ? null : maskOtp(otp),
		},
		problems,
		// id is sent as a string: the verify table says String, and a JSON number
		// would lose the digits of IDs of 16 digits or more.
		request:
			problems.length > 0
				? undefined
				: {
						wabaId,
						endpoint: 'verify',
						body: { id: phoneNumberId, phone_number: phoneNumber, otp },
					},
	};
}
