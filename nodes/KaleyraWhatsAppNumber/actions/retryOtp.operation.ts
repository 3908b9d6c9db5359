/** Retry OTP: asks Kaleyra to send a new code to the number, by SMS or voice call. */
import type { IDataObject } from 'n8n-workflow';

import { byChannel } from '../results/successWords';
import { channelField, phoneNumberField, phoneNumberIdField, wabaIdField } from './fields';
import { defineOperation } from './operation';

export const retryOtp = defineOperation({
	option: {
		name: 'Retry OTP',
		value: 'retryOtp',
		action:
			'Send a new OTP by a real SMS or voice call (only when the person asks for one: each call sends another) to a phone number',
		description: 'Ask Kaleyra to send the number a new OTP, by SMS or voice call',
	},
	notice:
		'Each item that reaches Kaleyra sends a code to a real phone. Run it when a person asks for one, not in a loop.',
	fields: {
		wabaId: wabaIdField,
		phoneNumberId: phoneNumberIdField,
		phoneNumber: phoneNumberField('The number that gets the new code'),
		typeVerification: channelField(
			'How the new code reaches the number (Kaleyra calls this type_verification)',
		),
	},
	safeToRepeat: false,
	alreadyApprovedIsDone: true,
	// id as a string, as in the retry sample, whatever its table says (see README).
	request: ({ wabaId, phoneNumberId, phoneNumber, typeVerification }) => ({
		method: 'POST',
		path: `/whatsapp/${wabaId}/number/retry_otp`,
		body: { id: phoneNumberId, phone_number: phoneNumber, type_verification: typeVerification },
	}),
	successItems: ({ data }) => [{ data: data as IDataObject }],
	outcome: ({ alreadyApproved, channel }) =>
		alreadyApproved
			? 'No code sent: the number is already verified (Kaleyra: already approved)'
			: `A new code was sent ${byChannel(channel)}`,
});
