/** Get Number Details: what Kaleyra and Meta say of one business number. */
import type { IDataObject } from 'n8n-workflow';

import { isUnknownNumberRefusal } from '../results/errorCatalogue';
import { numberDetailsOf } from '../results/kaleyraData';
import { phoneNumberField } from './fields';
import { defineOperation } from './operation';

// The number in the path: with its "+" (sent as %2B, which a server reads as "+"), as Kaleyra's
// own v2 samples write it, else its digits only. See docs/kaleyra-api.md#details-path.
const NUMBER_IN_PATH: Record<string, (phoneNumber: string) => string> = {
	plus: (phoneNumber) => `%2B${phoneNumber.slice(1)}`,
	digits: (phoneNumber) => phoneNumber.slice(1),
};

export const getNumberDetails = defineOperation({
	option: {
		name: 'Get Number Details',
		value: 'getNumberDetails',
		action: 'Get the details (read-only) of a phone number',
		description:
			'Get the status, quality rating, messaging limit and verified name of a number, with any error and its suggested solution',
	},
	fields: { phoneNumber: phoneNumberField('The business number to look up') },
	safeToRepeat: true,
	alreadyApprovedIsDone: false,
	forms: {
		names: ['plus', 'digits'],
		// A path in the form Kaleyra does not use names a number it does not know.
		isWrongForm: (delivery) =>
			delivery.kind === 'answer' &&
			delivery.envelope !== undefined &&
			isUnknownNumberRefusal(delivery.answer.statusCode, delivery.envelope),
	},
	request: ({ phoneNumber }, form = 'plus') => ({
		method: 'GET',
		path: `/whatsapp/${NUMBER_IN_PATH[form](phoneNumber)}/phone_number_details`,
	}),
	successItems: ({ data }) => [{ ...numberDetailsOf(data), data: data as IDataObject }],
	outcome: () => 'Details of the number read',
});
