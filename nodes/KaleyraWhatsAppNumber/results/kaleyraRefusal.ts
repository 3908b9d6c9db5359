/**
 * Kaleyra's refusal in an Error item's words: its documented code's (errorCatalogue.ts), or else
 * what to do about each parameter its error names, by Kaleyra's keys for them.
 */
import type { KaleyraEnvelope } from '../transport/kaleyraEnvelope';
import { REJECTED_HINT, kaleyraErrorOf } from './errorCatalogue';
import type { FailureWords } from './itemResults';

/** What an Error item needs of a parameter; each operation's FieldSpec declares it. */
export interface NamedParameter {
	name: string;
	hint: string;
	kaleyraKeys: readonly string[];
}

/** Which parameters an Error item may name, and what it says of them. */
export interface ParameterRules {
	/** Every parameter of the node: Kaleyra's error keys are read against all of them. */
	parameters: readonly NamedParameter[];
	/** The operation's own parameters: an error names no other (the credential's fields aside). */
	fieldNames: readonly string[];
}

/** Only fields the operation has, or the credential's. */
function ownFields(fields: readonly string[], rules: ParameterRules): string[] {
	return fields.filter(
		(field) => field.startsWith('credentials.') || rules.fieldNames.includes(field),
	);
}

function fieldsOfKaleyraError(envelope: KaleyraEnvelope, rules: ParameterRules): string[] {
	const { error } = envelope;
	const keys = typeof error === 'object' && error !== null ? Object.keys(error) : [];
	const parameterOf = (key: string) =>
		rules.parameters.find(({ kaleyraKeys }) => kaleyraKeys.includes(key))?.name;
	const fields = keys.flatMap((key) => parameterOf(key) ?? []);
	// A refusal that names no key may still say "otp" in its message.
	const otp = parameterOf('otp');
	if (fields.length === 0 && otp !== undefined && /\botp\b/i.test(envelope.message))
		fields.push(otp);
	return [...new Set(fields)];
}

export function kaleyraRefusal(
	envelope: KaleyraEnvelope,
	httpStatus: number,
	rules: ParameterRules,
): FailureWords {
	const documented = kaleyraErrorOf(envelope);
	if (documented) {
		return {
			code: documented.reportedAs,
			message: envelope.message,
			httpStatus,
			fields: ownFields(documented.fields, rules),
			hint: documented.hint,
		};
	}
	// A refusal that names its fields (WA400): what to do about each of them.
	const fields = ownFields(fieldsOfKaleyraError(envelope, rules), rules);
	const hints = fields.map((field) => rules.parameters.find(({ name }) => name === field)?.hint);
	return {
		code: envelope.code,
		message: envelope.message,
		httpStatus,
		fields,
		hint: hints.join(' ') || REJECTED_HINT,
	};
}
