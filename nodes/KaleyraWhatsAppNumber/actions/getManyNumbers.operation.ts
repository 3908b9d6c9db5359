/** Get Many Numbers: the numbers of a WABA, one output item each. */
import type { IDataObject } from 'n8n-workflow';

import { numberEntriesIn, numberSummaryOf } from '../results/kaleyraData';
import { wabaIdField } from './fields';
import { defineOperation } from './operation';

export const getManyNumbers = defineOperation({
	option: {
		name: 'Get Many Numbers',
		value: 'getManyNumbers',
		action: 'Get many phone numbers (read-only) of a WABA',
		description: 'List the numbers of a WhatsApp Business Account with their status, one item each',
	},
	fields: { wabaId: wabaIdField },
	safeToRepeat: true,
	alreadyApprovedIsDone: false,
	context: ({ wabaId }) => ({ wabaId: wabaId ?? null }),
	request: ({ wabaId }) => ({ method: 'GET', path: `/whatsapp/${wabaId}/number` }),
	successItems: ({ data }) => {
		const entries = numberEntriesIn(data);
		// A shape the node does not know still reaches the user whole, as one item.
		if (!entries) return [{ data: data as IDataObject }];
		return entries.map((entry) => ({ ...numberSummaryOf(entry), data: entry as IDataObject }));
	},
});
