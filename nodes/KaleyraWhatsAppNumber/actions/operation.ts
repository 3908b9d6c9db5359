/** What one operation declares about itself; the registry builds the node from these. */
import type { IDataObject, INodeProperties } from 'n8n-workflow';

import type { SuccessWords } from '../results/successWords';
import type { KaleyraEnvelope } from '../transport/kaleyraEnvelope';
import type { Delivery, KaleyraRequest } from '../transport/kaleyraRequest';

/** The forms a request may take where Kaleyra's documents leave it open, most likely first. */
export interface RequestForms {
	names: readonly string[];
	/** The refusal a request in the wrong form plausibly gets. */
	isWrongForm(delivery: Delivery): boolean;
}

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
	/** The request, from values that all passed their checks; in `form` when it has `forms`. */
	request(values: V, form?: string): KaleyraRequest;
	/**
	 * A read whose form Kaleyra's documents leave open: the run learns which one Kaleyra takes
	 * (engine/formLesson.ts), and its Success items say it as `pathForm`.
	 */
	forms?: RequestForms;
	/** A secret the request carries that must never come back in an output (the OTP). */
	secret?(values: V): string;
	/** The Success items an accepted answer makes: one, or one per number of a list, at most `room`. */
	successItems(envelope: KaleyraEnvelope, room: number): IDataObject[];
	/** What each Success item says happened, in plain words: its `outcome`, right after `success`. */
	outcome: SuccessWords;
	/** A list that may come in pages: the engine follows them and caps what the item outputs. */
	pages?: {
		/** How many Success items the input item wants: a number, or all (up to the node's ceiling). */
		wanted(values: V): number | 'all';
		/** The request for the page after `cursor`, on the same path. */
		after(values: V, cursor: string): KaleyraRequest;
	};
	/** An add that Kaleyra may refuse because the number is there already: how to find it, by reads. */
	existing?: {
		/** Whether Kaleyra's refusal says that the number the item adds is already on the account. */
		isAlreadyThere(envelope: KaleyraEnvelope, values: V): boolean;
		/** The list the number should be in, from its first page or after `cursor`. */
		list(values: V, cursor?: string): KaleyraRequest;
		/** The entry of that list that is the item's number, with the phone number ID found in it. */
		find(entries: unknown[], values: V): { entry: IDataObject; phoneNumberId: string } | undefined;
	};
}

/** Keeps each operation's value types while the registry holds them side by side. */
export function defineOperation<V extends object>(operation: KaleyraOperation<V>): KaleyraOperation {
	return operation as unknown as KaleyraOperation;
}
