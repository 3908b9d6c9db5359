import type {
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { wabaIdField } from '../KaleyraWhatsAppNumber/actions/fields';
import { InvalidFieldError } from '../KaleyraWhatsAppNumber/helpers/validation';
import { CREDENTIAL_TYPE } from '../KaleyraWhatsAppNumber/transport/kaleyraRequest';
import { baselineOf, saveBaseline } from './baseline';
import { confirmed } from './confirm';
import type { EventName } from './events';
import { ALL_EVENTS, EVENT_OPTIONS, changesBetween, currentNumbers } from './events';
import { pollOptionsField, readPollSettings } from './pollOptions';
import { readNumberFilter } from './numberFilter';
import { readNumbers } from './readNumbers';

// Polls of one trigger node that are still reading. n8n starts the next poll on time even when
// the last one has not ended; two at once would each report the same change.
const pollsInFlight = new Set<string>();

export class KaleyraWhatsAppNumberTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Kaleyra WhatsApp Number Trigger',
		name: 'kaleyraWhatsAppNumberTrigger',
		icon: {
			light: 'file:../../icons/kaleyraWhatsApp.svg',
			dark: 'file:../../icons/kaleyraWhatsApp.dark.svg',
		},
		group: ['trigger'],
		version: 1,
		subtitle: '={{ "WABA " + $parameter["wabaId"] }}',
		description:
			'Starts the workflow when a WhatsApp Business number on Kaleyra is added or removed, or its status, display name review, quality rating or messaging limit changes',
		defaults: { name: 'Kaleyra WhatsApp Number Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: CREDENTIAL_TYPE, required: true }],
		properties: [
			{
				displayName:
					"Each poll reads the WABA's list of numbers and the details of each number (one request per number). The first poll after activation only records the numbers; later polls report what changed since.",
				name: 'pollNotice',
				type: 'notice',
				default: '',
			},
			wabaIdField.property,
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				options: EVENT_OPTIONS,
				// All six: a literal, as n8n's linter reads it.
				default: [
					'nameStatusChanged',
					'messagingLimitChanged',
					'numberAdded',
					'numberRemoved',
					'qualityRatingChanged',
					'statusChanged',
				],
				required: true,
				description:
					'Which changes start the workflow, one item each. Changes of the others are noted and never reported later.',
			},
			pollOptionsField,
		],
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const wabaId = checkedWabaId(this);
		const events = checkedEvents(this);
		const settings = readPollSettings(this);
		const watched = { wabaId, phoneNumbers: readNumberFilter(this) };

		// Fetch Test Event: the numbers as they are now, and the baseline left as it was.
		if (this.getMode() === 'manual') {
			const { numbers } = await readNumbers(this, wabaId, settings, watched.phoneNumbers);
			if (numbers.length === 0)
				throw new NodeOperationError(
					this.getNode(),
					watched.phoneNumbers
						? `WABA ${wabaId} has none of the numbers in Options › Only These Numbers`
						: `WABA ${wabaId} has no numbers yet`,
					{
						description:
							'Add a number to the WABA (for example with the Kaleyra WhatsApp Number node), or check the numbers in the options, then fetch a test event again.',
					},
				);
			return [this.helpers.returnJsonArray(currentNumbers(numbers))];
		}

		const key = `${this.getWorkflow().id ?? ''}:${this.getNode().id}`;
		if (pollsInFlight.has(key)) return null;
		pollsInFlight.add(key);
		try {
			// A failed reading throws here: nothing is reported and the baseline stays as it was.
			const reading = await readNumbers(this, wabaId, settings, watched.phoneNumbers);
			const staticData = this.getWorkflowStaticData('node');
			const baseline = baselineOf(staticData, watched);
			// A number whose details Kaleyra refused this poll stays as the baseline had it.
			const read = [
				...reading.numbers,
				...(baseline?.numbers ?? []).filter(({ id }) => reading.skipped.includes(id)),
			];
			if (!baseline) {
				saveBaseline(staticData, watched, read);
				return null;
			}
			// Every confirmed change becomes the baseline, reported or not: filtered events are
			// never reported later, and each reported one exactly once.
			const { numbers, pending } = confirmed(baseline.numbers, read, baseline.pending);
			saveBaseline(staticData, watched, numbers, pending);
			const changes = changesBetween(baseline.numbers, numbers, events);
			return changes.length > 0 ? [this.helpers.returnJsonArray(changes)] : null;
		} finally {
			pollsInFlight.delete(key);
		}
	}
}

function checkedWabaId(fns: IPollFunctions): string {
	try {
		const { name } = wabaIdField.property;
		return wabaIdField.check(fns.getNodeParameter(name, ''), name);
	} catch (error) {
		if (!(error instanceof InvalidFieldError))
			throw new NodeOperationError(fns.getNode(), error as Error);
		const { field, rule, hint } = error.problem;
		throw new NodeOperationError(fns.getNode(), `${field} ${rule}`, { description: hint });
	}
}

function checkedEvents(fns: IPollFunctions): Set<EventName> {
	const value = fns.getNodeParameter('events', ALL_EVENTS);
	const known = new Set<string>(ALL_EVENTS);
	const events = Array.isArray(value) ? value : [value];
	const unknown = events.filter((event) => typeof event !== 'string' || !known.has(event));
	if (unknown.length > 0)
		throw new NodeOperationError(
			fns.getNode(),
			`Events holds ${JSON.stringify(unknown)}, which is not one of this trigger's events`,
			{ description: `Choose from the list: ${ALL_EVENTS.join(', ')}.` },
		);
	return new Set(events as EventName[]);
}
