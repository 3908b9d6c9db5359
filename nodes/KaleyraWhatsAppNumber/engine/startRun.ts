/**
 * What the whole run needs before its first request, read once: the run-wide options and the
 * Kaleyra account. When either cannot work, the failure every item gets instead; nothing is sent.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { InvalidCredentialError } from '../../../credentials/kaleyraAccountUrl';
import { fieldsOf, loggedFieldsOf } from '../actions/operation';
import { operationNamed } from '../actions/registry';
import { OWN_ERROR_CODES, OWN_HINTS } from '../results/errorCatalogue';
import type { ItemFailure } from '../results/itemResults';
import { invalidInputFailure } from '../results/itemResults';
import type { KaleyraAccount } from '../transport/kaleyraRequest';
import { resolveAccount } from '../transport/kaleyraRequest';
import { createFormLesson } from './formLesson';
import { readRunSettings } from './options';
import type { RunContext } from './runItem';
import { createPacer } from './scheduler';

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

/** n8n's own "Custom API Call" entry, or a value no operation has. */
function unknownOperation(value: unknown): ItemFailure {
	return {
		code: OWN_ERROR_CODES.invalidInput,
		message:
			value === '__CUSTOM_API_CALL__'
				? 'Custom API Call is not run by this node'
				: `operation ${JSON.stringify(value)} is not one of this node's operations`,
		httpStatus: null,
		fields: ['operation'],
		hint: OWN_HINTS.customApiCall,
		retryable: false,
	};
}

export async function startRun(
	fns: IExecuteFunctions,
	operationValue: unknown,
	stop?: AbortSignal,
): Promise<RunStart> {
	const operation = operationNamed(operationValue);
	if (!operation) return { failure: unknownOperation(operationValue) };
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
	const pacer = createPacer(requestsPerSecond);
	const run: RunContext = {
		operation,
		account,
		pacer,
		stop,
		formLesson: createFormLesson(),
		logged: loggedFieldsOf(operation),
		fieldNames: fieldsOf(operation).map(({ property }) => property.name),
	};
	return { run, concurrency };
}
