/** Get Many Numbers: the numbers of a WABA, one output item each, as n8n's "Get Many" operations. */
import type { IDataObject } from 'n8n-workflow';

import { InvalidFieldError, describeValue } from '../helpers/validation';
import { listInfoIn, numberEntriesIn, numberSummaryOf } from '../results/kaleyraData';
import { MAX_LIST_ITEMS } from '../results/listCeilings';
import { wabaIdField } from './fields';
import { numberListRequest } from './numberList';
import { defineOperation } from './operation';

const RETURN_ALL_HINT =
	'Set Return All with its switch, or with an expression giving true or false (a boolean, not text).';
const LIMIT_HINT = `Set Limit to a whole number from 1 to ${MAX_LIST_ITEMS}, or turn on Return All.`;

export const getManyNumbers = defineOperation({
	option: {
		name: 'Get Many Numbers',
		value: 'getManyNumbers',
		action: 'Get many phone numbers (read-only) of a WABA',
		description: 'List the numbers of a WhatsApp Business Account with their status, one item each',
	},
	fields: {
		wabaId: wabaIdField,
		returnAll: {
			property: {
				displayName: 'Return All',
				name: 'returnAll',
				type: 'boolean',
				default: false,
				description: 'Whether to return all results or only up to a given limit',
			},
			check: (value: unknown, field: string) => {
				// Absent when a workflow saved before this parameter existed runs: off, its default.
				if (value === '' || value === undefined) return false;
				if (typeof value === 'boolean') return value;
				throw new InvalidFieldError({
					field,
					rule: `is ${describeValue(value)}, not true or false`,
					hint: RETURN_ALL_HINT,
				});
			},
			hint: RETURN_ALL_HINT,
			// The node's own: it decides how many pages are read, Kaleyra never sees it.
			kaleyraKeys: [],
			example: false,
			output: 'none',
		},
		limit: {
			property: {
				displayName: 'Limit',
				name: 'limit',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: MAX_LIST_ITEMS },
				default: 50,
				description: 'Max number of results to return',
				displayOptions: { show: { returnAll: [false] } },
			},
			check: (value: unknown, field: string): number | null => {
				// Hidden, so absent, while Return All is on.
				if (value === '' || value === undefined) return null;
				if (
					typeof value !== 'number' ||
					!Number.isInteger(value) ||
					value < 1 ||
					value > MAX_LIST_ITEMS
				)
					throw new InvalidFieldError({
						field,
						rule: `is ${describeValue(value)}, not a whole number from 1 to ${MAX_LIST_ITEMS}`,
						hint: LIMIT_HINT,
					});
				return value;
			},
			hint: LIMIT_HINT,
			kaleyraKeys: [],
			example: 50,
			output: 'none',
		},
	},
	safeToRepeat: true,
	alreadyApprovedIsDone: false,
	request: ({ wabaId, returnAll, limit }) => {
		if (!returnAll && limit === null)
			throw new InvalidFieldError({ field: 'limit', rule: 'is empty', hint: LIMIT_HINT });
		return numberListRequest(wabaId);
	},
	successItems: ({ data }, room) => {
		const entries = numberEntriesIn(data);
		// A shape the node does not know still reaches the user whole, as one item.
		if (!entries) return [{ data: data as IDataObject }];
		// Paging beside the list is kept on each of its items; the engine caps their total size.
		const listInfo = listInfoIn(data);
		return entries.slice(0, room).map((entry) => ({
			...numberSummaryOf(entry),
			data: entry as IDataObject,
			...(listInfo ? { listInfo } : {}),
		}));
	},
	// An answer in a list shape the node does not know is one item too: these words hold for both.
	outcome: () => "Read from the WABA's list of numbers",
	pages: {
		wanted: ({ returnAll, limit }) => (returnAll ? 'all' : (limit ?? MAX_LIST_ITEMS)),
		after: ({ wabaId }, cursor) => numberListRequest(wabaId, cursor),
	},
});
