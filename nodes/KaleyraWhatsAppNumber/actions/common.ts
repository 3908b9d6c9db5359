/** The parameters both operations share, and how one item's values are read and checked. */
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { ItemContext } from '../helpers/answers';
import type { FieldProblem } from '../helpers/validation';
import { checkFields, toDigitId, toE164 } from '../helpers/validation';

export const commonFields: INodeProperties[] = [
	{
		displayName: 'WABA ID',
		name: 'wabaId',
		type: 'string',
		required: true,
		default: '',
		placeholder: '766000000000001',
		description:
			'ID of the WhatsApp Business Account the number belongs to, as shown in Kaleyra (digits only)',
	},
	{
		displayName: 'Phone Number ID',
		name: 'phoneNumberId',
		type: 'string',
		required: true,
		default: '',
		placeholder: '678997654000001',
		description:
			'ID Kaleyra returned when the number was added to the WABA (digits only). Keep it as text: IDs of 16 digits or more do not survive as JSON numbers.',
	},
	{
		displayName: 'Phone Number',
		name: 'phoneNumber',
		type: 'string',
		required: true,
		default: '',
		placeholder: '+919765400001',
		description:
			'The number being verified, in E.164 form: "+", country code, then the number (8 to 15 digits in all). Spaces, dashes, dots and brackets are removed and a leading 00 becomes +.',
	},
];

/** A request ready to send, or the problems that stop it; the context goes on the output item either way. */
export interface PreparedItem {
	context: ItemContext;
	request?: { wabaId: string; endpoint: 'verify' | 'retry_otp'; body: Record<string, string> };
	problems: FieldProblem[];
}

export function readParameter(fns: IExecuteFunctions, name: string, itemIndex: number): unknown {
	return fns.getNodeParameter(name, itemIndex, '');
}

export function checkCommonFields(fns: IExecuteFunctions, itemIndex: number) {
	return checkFields({
		wabaId: () => toDigitId('wabaId', readParameter(fns, 'wabaId', itemIndex), 'WABA ID'),
		phoneNumberId: () =>
			toDigitId('phoneNumberId', readParameter(fns, 'phoneNumberId', itemIndex), 'phone number ID'),
		phoneNumber: () => toE164('phoneNumber', readParameter(fns, 'phoneNumber', itemIndex)),
	});
}
