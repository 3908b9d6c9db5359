/** Parameters more than one operation uses, each defined once with all the node knows of it. */
import type { Channel } from '../helpers/validation';
import { toChannel, toDigitId, toE164 } from '../helpers/validation';
import type { FieldSpec } from './operation';

// Each field's own sample, in its placeholder and its hint: never another field's, so an example
// shown next to a real value (a WABA ID in a result) cannot be mistaken for it.
const WABA_ID_EXAMPLE = '766000000000001';
const PHONE_NUMBER_ID_EXAMPLE = '678997654000001';

export const wabaIdField: FieldSpec<string> = {
	property: {
		displayName: 'WABA ID',
		name: 'wabaId',
		type: 'string',
		required: true,
		default: '',
		placeholder: `e.g. ${WABA_ID_EXAMPLE}`,
		description:
			'ID of the WhatsApp Business Account the number belongs to, as shown in Kaleyra (digits only)',
	},
	check: (value, field) => toDigitId(field, value, 'WABA ID', WABA_ID_EXAMPLE),
	hint: 'Check the WABA ID in the WhatsApp settings of your Kaleyra account.',
	kaleyraKeys: ['waba_id'],
	example: WABA_ID_EXAMPLE,
	log: { place: 3 },
};

export const phoneNumberIdField: FieldSpec<string> = {
	property: {
		displayName: 'Phone Number ID',
		name: 'phoneNumberId',
		type: 'string',
		required: true,
		default: '',
		placeholder: `e.g. ${PHONE_NUMBER_ID_EXAMPLE}`,
		description:
			'ID Kaleyra returned when the number was added to the WABA (Add Number gives it as phoneNumberId). Digits only, kept as text: IDs of 16 digits or more do not survive as JSON numbers.',
	},
	check: (value, field) => toDigitId(field, value, 'phone number ID', PHONE_NUMBER_ID_EXAMPLE),
	hint: 'Check the phone number ID: it is the ID Kaleyra returned when the number was added to the WABA.',
	kaleyraKeys: ['id'],
	example: PHONE_NUMBER_ID_EXAMPLE,
	log: { place: 2 },
};

const E164_RULE =
	'in E.164 form: "+", country code, then the number (8 to 15 digits in all). Spaces, dashes, dots and brackets are removed and a leading 00 becomes +.';

/** The number in E.164 form; `what` says which number it is for this operation. */
export function phoneNumberField(what: string): FieldSpec<string> {
	return {
		property: {
			displayName: 'Phone Number',
			name: 'phoneNumber',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'e.g. +919765400001',
			description: `${what}, ${E164_RULE}`,
		},
		check: (value, field) => toE164(field, value),
		hint: 'Check the phone number: the one added to this WABA, with "+" and its country code.',
		kaleyraKeys: ['phone_number'],
		example: '+919765400001',
		// The log names the number, masked: enough to tell a batch's numbers apart.
		log: { place: 1, masked: true },
	};
}

const CHANNEL_HINT = 'Choose SMS or VOICE as the channel for the code.';

/** SMS or voice call; `what` says which code it carries for this operation. */
export function channelField(what: string): FieldSpec<Channel> {
	return {
		property: {
			displayName: 'Channel',
			name: 'typeVerification',
			type: 'options',
			options: [
				{ name: 'SMS', value: 'SMS', description: 'Send the code in a text message' },
				{ name: 'Voice Call', value: 'VOICE', description: 'Read the code out in a phone call' },
			],
			default: 'SMS',
			description: `${what}; an expression may give SMS or VOICE, in any case`,
		},
		check: (value, field) => toChannel(field, value, CHANNEL_HINT),
		hint: CHANNEL_HINT,
		// Add Number's payload calls it verification_type, Retry OTP's type_verification.
		kaleyraKeys: ['type_verification', 'verification_type'],
		example: 'SMS',
		output: { name: 'channel' },
		log: { place: 5 },
	};
}
