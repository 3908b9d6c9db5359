/**
 * What the whole run needs before its first request, read once: the run-wide options and the
 * Kaleyra account. When either cannot work, the failure every item gets instead; nothing is sent.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { InvalidCredentialError } from '../../../credentials/kaleyraAccountUrl';
import type { ItemFailure } from '../helpers/answers';
import { OWN_ERROR_CODES, invalidInputFailure } from '../helpers/answers';
import { createPacer } from '../helpers/scheduler';
import type { KaleyraAccount } from '../transport/kaleyraRequest';
import { resolveAccount } from '../transport/kaleyraRequest';
import { readRunSettings } from './options';
import type { Operation, RunContext } from './runItem';

export type RunStart = { run: RunContext; concurrency: number } | { failure: ItemFailure };

function credentialFailure(field: string, message: string, hint: string): ItemFailure {
	return {
		code: OWN_ERROR_CODES.invalidCredential,
		message,
		httpStatus: null,
		fields: [field],
		hint,
		retryable: false,
	};
}

/** Why n8n could not hand over the credential at all (none chosen, deleted, not readable). */
function unreadableCredential(error: unknown): ItemFailure {
	const { message, description } = error as { message?: unknown; description?: unknown };
	return credentialFailure(
		'credentials',
		`The Kaleyra credential could not be read: ${String(message)}`,
		typeof description === 'string' && description !== ''
			? description
			: 'Choose a Kaleyra credential in the node, and check that it still exists.',
	);
}

export async function startRun(
	fns: IExecuteFunctions,
	operation: Operation,
	stop?: AbortSignal,
): Promise<RunStart> {
	const settings = readRunSettings(fns);
	if (!settings.values) return { failure: invalidInputFailure(settings.problems) };
	let account: KaleyraAccount;
	try {
		account = await resolveAccount.call(fns);
	} catch (error) {
		if (!(error instanceof InvalidCredentialError)) return { failure: unreadableCredential(error) };
		return { failure: credentialFailure(error.field, error.message, error.hint) };
	}
	const { concurrency, requestsPerSecond } = settings.values;
	return { run: { operation, account, pacer: createPacer(requestsPerSecond), stop }, concurrency };
}
