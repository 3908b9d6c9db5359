/** Get Number Details: what Kaleyra and Meta say of one business number. */
import type { IDataObject } from 'n8n-workflow';

import { numberDetailsOf } from '../results/kaleyraData';
import { phoneNumberField } from './fields';
import { defineOperation } from './operation';

export const getNumberDetails = defineOperation({
	option: {
		name: 'Get Number Details',
		value: 'getNumberDetails',
		action: 'Get the details of a phone number',
		description:
			'Get the status, quality rating, messaging limit and verified name of a number, with any error and its suggested solution',
	},
	fields: { phoneNumber: phoneNumberField('The business number to look up') },
	safeToRepeat: true,
	alreadyApprovedIsDone: false,
	context: ({ phoneNumber }) => ({ phoneNumber: phoneNumber ?? null }),
	// The path takes the number's digits without "+" (an assumption: see the README).
	request: ({ phoneNumber }) => ({
		method: 'GET',
		path: `/whatsapp/${phoneNumber.slice(1)}/phone_number_details`,
	}),
	successItems: ({ data }) => [{ ...numberDetailsOf(data), data: data as IDataObject }],
});
