/**
 * The details path form each trigger node's last poll learned, so the next poll tries it first
 * and sends 1 + N requests, not 1 + N + 1. Kept in memory, by workflow and node: n8n saves static
 * data only when a poll reports, and Fetch Test Event must leave it alone; a restart only costs
 * one extra request. It is a first guess, never a certainty: a poll whose first answer says the
 * form is wrong still tries the other, so a stale guess cannot fail a poll.
 */
import type { IPollFunctions } from 'n8n-workflow';

import type { RequestForms } from '../KaleyraWhatsAppNumber/actions/operation';

const learnedForms = new Map<string, string>();

const keyOf = (fns: IPollFunctions) => `${fns.getWorkflow().id ?? ''}:${fns.getNode().id}`;

/** The forms, the one this node's last poll learned first. */
export function formsForPoll(fns: IPollFunctions, forms: RequestForms): RequestForms {
	const learned = learnedForms.get(keyOf(fns));
	if (learned === undefined || !forms.names.includes(learned)) return forms;
	return { ...forms, names: [learned, ...forms.names.filter((name) => name !== learned)] };
}

export function rememberForm(fns: IPollFunctions, learned: string | undefined): void {
	if (learned !== undefined) learnedForms.set(keyOf(fns), learned);
}
