/** Add Number: adds a phone number to a WABA, which sends it its first OTP. */
import type { IDataObject } from 'n8n-workflow';

import { InvalidFieldError, toCallingCode, toDisplayName } from '../helpers/validation';
import { phoneDigitsOf, phoneNumberIdIn, phoneNumberIdOf } from '../results/kaleyraData';
import { byChannel } from '../results/successWords';
import { channelField, phoneNumberField, wabaIdField } from './fields';
import { numberListRequest } from './numberList';
import type { FieldSpec } from './operation';
import { defineOperation } from './operation';

const countryCodeField: FieldSpec<string> = {
	property: {
		displayName: 'Country Calling Code',
		name: 'countryCode',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. 91',
		description:
			'The calling code at the start of the phone number, without "+" (91 for India). Kaleyra takes it apart from the rest of the number.',
	},
	check: (value, field) => toCallingCode(field, value),
	hint: 'Check the country calling code: it must be the digits right after the "+" of the phone number, such as 91 for +91….',
	kaleyraKeys: ['country_code'],
	example: '91',
	log: { place: 4 },
};

const DISPLAY_NAME_HINT =
	"Give the display name Meta will review: your business's name as customers know it, 3 to 512 characters, matching the business's website or documents, with no URL and no generic words alone.";

export const addNumber = defineOperation({
	option: {
		name: 'Add Number',
		value: 'addNumber',
		action:
			'Add a phone number (Kaleyra sends it a code by a real SMS or voice call; one already added is looked up, no code sent) to a WABA',
		description:
			'Add a number to a WhatsApp Business Account; Kaleyra sends it the first OTP and returns its phone number ID',
	},
	notice:
		'Each item that reaches Kaleyra adds a number and sends a code to a real phone. Adding may cost credit on prepaid accounts.',
	fields: {
		wabaId: wabaIdField,
		phoneNumber: phoneNumberField('The number to add'),
		countryCode: countryCodeField,
		displayName: {
			property: {
				displayName: 'Display Name',
				name: 'displayName',
				type: 'string',
				required: true,
				default: '',
				placeholder: 'e.g. Acme Travel',
				description:
					'The name customers see on WhatsApp, which Meta reviews before the number can message at scale: your business name as on its website or documents, 3 to 512 characters, no URL, no generic words alone',
			},
			check: (value: unknown, field: string) => toDisplayName(field, value, DISPLAY_NAME_HINT),
			hint: DISPLAY_NAME_HINT,
			kaleyraKeys: ['name'],
			example: 'Acme Travel',
		},
		typeVerification: channelField('How the first code reaches the number'),
	},
	safeToRepeat: false,
	alreadyApprovedIsDone: false,
	request: ({ wabaId, phoneNumber, countryCode, displayName, typeVerification }) => {
		// Kaleyra takes the calling code and the national number apart.
		if (!phoneNumber.startsWith(`+${countryCode}`)) {
			throw new InvalidFieldError({
				field: countryCodeField.property.name,
				rule: `${countryCode} is not the calling code at the start of the phone number`,
				hint: countryCodeField.hint,
			});
		}
		return {
			method: 'POST',
			path: `/whatsapp/${wabaId}/number/add`,
			body: {
				phone_number: phoneNumber.slice(countryCode.length + 1),
				name: displayName,
				verification_type: typeVerification,
				country_code: countryCode,
			},
		};
	},
	successItems: ({ data }) => [
		{ ...phoneNumberIdIn(data), alreadyExisted: false, data: data as IDataObject },
	],
	outcome: ({ alreadyExisted, codeMayHaveBeenSent, channel }) => {
		if (!alreadyExisted) return `Number added; a code was sent ${byChannel(channel)}`;
		const code = codeMayHaveBeenSent ? 'an earlier try may have sent a code' : 'no code sent';
		return `Number was already on the WABA; its ID was found in the list (${code})`;
	},
	existing: {
		// Kaleyra's "phone number already exists", about the phone_number the item sent.
		isAlreadyThere: ({ code, message, error }, { phoneNumber, countryCode }) =>
			code === 'WA400' &&
			/already exists/i.test(message) &&
			typeof error === 'object' &&
			error !== null &&
			namesThisNumber((error as Record<string, unknown>).phone_number, phoneNumber, countryCode),
		list: ({ wabaId }, cursor) => numberListRequest(wabaId, cursor),
		find: (entries, { phoneNumber }) => {
			for (const entry of entries) {
				const phoneNumberId = phoneNumberIdOf(entry);
				if (phoneNumberId !== undefined && phoneDigitsOf(entry) === phoneNumber.slice(1))
					return { entry: entry as IDataObject, phoneNumberId };
			}
			return undefined;
		},
	},
});

/**
 * Whether Kaleyra's error.phone_number is about the number the item added: the number itself
 * (with or without its calling code) when it gives one, or else its own "phone number already
 * exists" wording. Another refusal that merely says "already exists" (a display name) is not.
 */
function namesThisNumber(said: unknown, phoneNumber: string, countryCode: string): boolean {
	if (typeof said !== 'string') return false;
	if (/^[\s+()\-.\d]+$/.test(said)) {
		const digits = said.replace(/\D/g, '');
		const full = phoneNumber.slice(1);
		return digits === full || digits === full.slice(countryCode.length);
	}
	return /^\s*phone number already exists\s*$/i.test(said);
}
