/** What one operation declares about itself; the registry builds the node from these. */
import type { IDataObject, INodeProperties } from 'n8n-workflow';

import type { LoggedField } from '../helpers/requestLog';
import type { SuccessWords } from '../results/successWords';
import type { KaleyraEnvelope } from '../transport/kaleyraEnvelope';
import type { Delivery, KaleyraRequest } from '../transport/kaleyraRequest';

/** The forms a request may take where Kaleyra's documents leave it open, most likely first. */
export interface RequestForms {
	names: readonly string[];
	/** The refusal a request in the wrong form plausibly gets. */
	isWrongForm(delivery: Delivery): boolean;
}

/**
 * A parameter, and everything the node knows of it: its panel property, its check, what to do
 * about it when Kaleyra refuses it, the names Kaleyra gives it, how output items and the request
 * log repeat it. The rest of the node derives from these (see parametersOf).
 */
export interface FieldSpec<T> {
	/** The panel property; its `name` is the one name the node reads and reports the field by. */
	property: INodeProperties;
	/** Throws InvalidFieldError naming `field` (the property's name) and what is wrong with the value. */
	check: (value: unknown, field: string) => T;
	/** What to do about the field when Kaleyra's answer names it (the Error item's hint). */
	hint: string;
	/** The keys Kaleyra's payload gives it; Kaleyra's error answers name the field by these. */
	kaleyraKeys: readonly string[];
	/** A raw value the check takes, as a user would type it: the sample the registry's tests send. */
	example: unknown;
	/**
	 * How every output item repeats the field: under another name (Channel is `channel`), shown
	 * masked (the OTP), or not at all ('none'). By default as it is, under its own name.
	 */
	output?: { name?: string; shown?: (value: T) => unknown } | 'none';
	/**
	 * Whether the request log line names it (it must name the number, never the OTP): at which
	 * place in the line, and masked for the phone number.
	 */
	log?: { place: number; masked?: boolean };
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
export function defineOperation<V extends object>(
	operation: KaleyraOperation<V>,
): KaleyraOperation {
	return operation as unknown as KaleyraOperation;
}

/** The operation's parameters, in the order the panel shows them. */
export function fieldsOf(operation: KaleyraOperation): Array<FieldSpec<unknown>> {
	return Object.values(operation.fields as Record<string, FieldSpec<unknown>>);
}

/**
 * What every output item repeats about the input, from the checked values by the panel's names;
 * a field that failed its check is null.
 */
export function contextOf(
	operation: KaleyraOperation,
	values: Record<string, unknown>,
): IDataObject {
	const context: IDataObject = {};
	for (const { property, output } of fieldsOf(operation)) {
		if (output === 'none') continue;
		const value = values[property.name];
		context[output?.name ?? property.name] =
			value === undefined
				? null
				: ((output?.shown ? output.shown(value) : value) as IDataObject[string]);
	}
	return context;
}

/** The fields the request log line names, by their output names, in the line's order. */
export function loggedFieldsOf(operation: KaleyraOperation): LoggedField[] {
	return fieldsOf(operation)
		.flatMap(({ property, output, log }) =>
			log && output !== 'none'
				? [{ name: output?.name ?? property.name, masked: log.masked ?? false, place: log.place }]
				: [],
		)
		.sort((a, b) => a.place - b.place)
		.map(({ name, masked }) => ({ name, masked }));
}
