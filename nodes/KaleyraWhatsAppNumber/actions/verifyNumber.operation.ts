/** Verify Number: sends the OTP the number received, to finish its verification. */
import type { IDataObject } from 'n8n-workflow';

import { maskOtp, toOtp } from '../helpers/validation';
import { phoneNumberField, phoneNumberIdField, wabaIdField } from './fields';
import { defineOperation } from './operation';

export const verifyNumber = defineOperation({
	option: {
		name: 'Verify Number',
		value: 'verifyNumber',
		action:
			"Verify a phone number with the OTP the person gave (each call uses up one of the code's tries)",
		description: 'Finish verifying a number added to a WABA, with the OTP it received',
	},
	fields: {
		wabaId: wabaIdField,
		phoneNumberId: phoneNumberIdField,
		phoneNumber: phoneNumberField('The number being verified'),
		otp: {
			property: {
				displayName: 'OTP',
				name: 'otp',
				type: 'string',
				required: true,
				default: '',
				placeholder: 'e.g. 012345',
				description:
					'The 6-digit code the number received by SMS or voice call, usually mapped from the form or email that brought it in. Kept as text so a leading zero survives.',
			},
			check: (value: unknown, field: string) => toOtp(field, value),
			hint: 'The OTP is the 6-digit code sent by SMS or voice call. If it was mistyped or has expired, use Retry OTP to get a new one.',
			kaleyraKeys: ['otp'],
			example: '012345',
			// Never whole in an output, nor in the log at all.
			output: { shown: (otp: string) => maskOtp(otp) },
		},
	},
	safeToRepeat: false,
	alreadyApprovedIsDone: true,
	// id is sent as a string: the verify table says String, and a JSON number would lose the
	// digits of IDs of 16 digits or more.
	request: ({ wabaId, phoneNumberId, phoneNumber, otp }) => ({
		method: 'POST',
		path: `/whatsapp/${wabaId}/number/verify`,
		body: { id: phoneNumberId, phone_number: phoneNumber, otp },
	}),
	secret: ({ otp }) => otp,
	successItems: ({ data }) => [{ alreadyApproved: false, data: data as IDataObject }],
	outcome: ({ alreadyApproved }) =>
		alreadyApproved ? 'Number was already verified (Kaleyra: already approved)' : 'Number verified',
});
