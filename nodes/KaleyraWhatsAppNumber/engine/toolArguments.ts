/**
 * The node as an AI Agent's tool: the model fills fields by keys of its own (each parameter's
 * `$fromAI` key, such as "OTP" or "Phone_Number_ID"), and n8n hands its arguments over without
 * checking them against the schema it showed the model: a key may be missing, extra or of any
 * type. What the node can say about them, in the model's words, is here.
 */
import type { IDataObject, IExecuteFunctions, INode } from 'n8n-workflow';

import type { KaleyraOperation } from '../actions/operation';
import { fieldsOf } from '../actions/operation';
import { OPERATIONS } from '../actions/registry';
import type { FieldProblem } from '../helpers/validation';
import type { ItemResult } from '../results/itemResults';

// $fromAI('key', …), the key quoted any of the three ways an expression may.
const FROM_AI_KEY = /\$fromAI\(\s*(['"`])([A-Za-z0-9_-]{1,64})\1/;

/** Each of the operation's fields that the model fills, with the key the model fills it by. */
export function modelKeysOf(node: INode, operation: KaleyraOperation): Record<string, string> {
	const keys: Record<string, string> = {};
	for (const field of fieldsOf(operation).map(({ property }) => property.name)) {
		const raw = node.parameters[field];
		const match = typeof raw === 'string' ? FROM_AI_KEY.exec(raw) : null;
		if (match) keys[field] = match[2];
	}
	return keys;
}

// The node's parameters are the same for every item of a run, and getNode() deep-copies the
// node at each call: the keys are read once per run (n8n hands each run its own functions object).
const modelKeysOfRun = new WeakMap<
	IExecuteFunctions,
	{ operation: KaleyraOperation; keys: Readonly<Record<string, string>> }
>();

/** modelKeysOf the run's node, read once per run. */
export function runModelKeys(
	fns: IExecuteFunctions,
	operation: KaleyraOperation,
): Readonly<Record<string, string>> {
	const known = modelKeysOfRun.get(fns);
	if (known?.operation === operation) return known.keys;
	const keys = Object.freeze(modelKeysOf(fns.getNode(), operation));
	modelKeysOfRun.set(fns, { operation, keys });
	return keys;
}

/** The key the editor's "Let the model define this parameter" button gives a field. */
const buttonKey = (label: string) => label.replace(/[^a-zA-Z0-9-]/g, '_').slice(0, 63);

/** The problem of a field the model did not give at all. */
export function missingArgument(field: string, key: string): FieldProblem {
	return {
		field,
		rule: 'is missing: the tool call did not give it',
		hint: `Call the tool again with "${key}" as well.`,
	};
}

/**
 * The arguments of a tool call that name a field of this package this tool does not take from
 * the model: sent to Retry OTP, an "OTP" means the model meant to verify, and would otherwise
 * get a new code sent instead. Only keys the editor's button gives some field count: the item
 * also carries whatever reached the agent, and n8n's own keys.
 */
export function strayArguments(
	json: IDataObject,
	operation: KaleyraOperation,
	modelKeys: Record<string, string>,
): FieldProblem[] {
	// n8n puts the call's id on the item of each tool call an agent makes.
	if (!('toolCallId' in json)) return [];
	const own = new Set(Object.values(modelKeys));
	const taken = `${operation.option.name} takes ${
		own.size > 0 ? [...own].map((key) => `"${key}"`).join(', ') : 'no arguments'
	}.`;
	const problems: FieldProblem[] = [];
	for (const key of Object.keys(json)) {
		if (own.has(key)) continue;
		const takers = OPERATIONS.filter((candidate) =>
			fieldsOf(candidate).some(({ property }) => buttonKey(property.displayName) === key),
		);
		if (takers.length === 0) continue;
		const elsewhere = takers.filter((candidate) => candidate !== operation);
		const hint = takers.includes(operation)
			? `${taken} The workflow sets "${key}" for this tool: leave it out.`
			: `${taken} "${key}" belongs to ${elsewhere
					.map(({ option }) => option.name)
					.join(' or ')}: call that tool instead, or leave "${key}" out.`;
		problems.push({ field: '', argument: key, rule: 'is not an argument of this tool', hint });
	}
	return problems;
}

/** The problems with the model's key of each field it fills, so a message names what it wrote. */
export function inModelWords(
	problems: FieldProblem[],
	modelKeys: Record<string, string>,
): FieldProblem[] {
	return problems.map((problem) => {
		const key = modelKeys[problem.field];
		if (key === undefined || problem.argument !== undefined) return problem;
		return { ...problem, argument: key, hint: `"${key}": ${problem.hint}` };
	});
}

/**
 * The phone number ID and the phone number given the other way round ("+91…" as the ID, digits
 * as the number): one hint that says so, instead of two that each look right.
 */
export function swappedNumberAndId(
	problems: FieldProblem[],
	raw: Record<string, unknown>,
	modelKeys: Record<string, string>,
): FieldProblem[] {
	const failed = new Set(problems.map(({ field }) => field));
	const looksLikeNumber = (value: unknown) =>
		typeof value === 'string' && /^\s*(\+|00)[0-9\s\-.()]{8,}$/.test(value);
	const looksLikeId = (value: unknown) =>
		(typeof value === 'string' && /^\s*[0-9]{9,}\s*$/.test(value)) ||
		(typeof value === 'number' && Number.isInteger(value) && value > 0);
	if (
		!failed.has('phoneNumberId') ||
		!failed.has('phoneNumber') ||
		!looksLikeNumber(raw.phoneNumberId) ||
		!looksLikeId(raw.phoneNumber)
	)
		return problems;
	const id = modelKeys.phoneNumberId ?? 'phoneNumberId';
	const number = modelKeys.phoneNumber ?? 'phoneNumber';
	const hint = `"${id}" and "${number}" look swapped: give "${id}" the digits Add Number returned as phoneNumberId, and "${number}" the number with "+" and its country code.`;
	return problems.map((problem) =>
		problem.field === 'phoneNumberId' || problem.field === 'phoneNumber'
			? { ...problem, hint }
			: problem,
	);
}

/** A refusal's fields also by the model's keys: Kaleyra's `fields: ["otp"]` is "OTP" to the model. */
export function withModelKeys(result: ItemResult, modelKeys: Record<string, string>): ItemResult {
	if (result.ok) return result;
	const keys = result.failure.fields.flatMap((field) => modelKeys[field] ?? []);
	if (keys.length === 0 || result.failure.arguments) return result;
	const failure = { ...result.failure, arguments: keys };
	return { ...result, failure, json: { ...result.json, error: failure } };
}
