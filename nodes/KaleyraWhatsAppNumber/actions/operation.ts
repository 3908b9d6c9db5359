/** What one operation declares about itself; the registry builds the node from these. */
import type { IDataObject, INodeProperties } from 'n8n-workflow';

import type { KaleyraEnvelope } from '../transport/kaleyraEnvelope';
import type { KaleyraRequest } from '../transport/kaleyraRequest';

/** A parameter, and the check that turns its raw value into what Kaleyra expects. */
export interface FieldSpec<T> {
	property: INodeProperties;
	/** Throws InvalidFieldError naming the field and what is wrong with the value. */
	check: (value: unknown) => T;
}

export interface KaleyraOperation<V extends object = Record<string, unknown>> {
	/** The entry in the Operation list; `name` is also the node's subtitle. */
	option: { name: string; value: string; action: string; description: string };
	/** One short notice shown above the operation's fields, when something matters before running. */
	notice?: string;
	/** The operation's parameters, in the order the panel shows them. */
	fields: { [K in keyof V]: FieldSpec<V[K]> };
	/**
	 * Whether sending it twice can change nothing at Kaleyra (a read). Such a request is retried
	 * even when it may have reached Kaleyra; the others only when it cannot have.
	 */
	safeToRepeat: boolean;
	/** Whether Kaleyra's "already approved" means the operation's goal is reached. */
	alreadyApprovedIsDone: boolean;
	/** What every output item repeats about the input; a field that failed its check is null. */
	context(values: Partial<V>): IDataObject;
	/** The request, from values that all passed their checks. */
	request(values: V): KaleyraRequest;
	/** A secret the request carries that must never come back in an output (the OTP). */
	secret?(values: V): string;
	/** The Success items an accepted answer makes: one, or one per number of a list. */
	successItems(envelope: KaleyraEnvelope): IDataObject[];
}

/** Keeps each operation's value types while the registry holds them side by side. */
export function defineOperation<V extends object>(operation: KaleyraOperation<V>): KaleyraOperation {
	return operation as unknown as KaleyraOperation;
}
