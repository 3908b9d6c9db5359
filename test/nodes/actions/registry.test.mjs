// Each parameter has one home, its FieldSpec, and the node derives the rest from the registry.
// These checks walk every operation's fields, so a new operation or parameter that forgets a
// part (a hint, a sample, a Kaleyra key, a name that differs from the panel's) fails here.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';

import { RESPONSES } from '../../../emulator/responses.mjs';
import { PACKAGE_DIR } from '../../helpers/engine.mjs';

const require = createRequire(import.meta.url);
const dist = (file) => require(`${PACKAGE_DIR}/dist/nodes/KaleyraWhatsAppNumber/${file}`);
const { OPERATIONS, PARAMETERS } = dist('actions/registry.js');
const { contextOf, fieldsOf, loggedFieldsOf } = dist('actions/operation.js');
const { KALEYRA_ERRORS } = dist('results/errorCatalogue.js');
const { InvalidFieldError } = dist('helpers/validation.js');
const { optionsField } = dist('engine/options.js');

// Keys of Kaleyra's `error` object that name no parameter: the request as a whole, its path, or
// the page cursor the node sends on its own.
const KALEYRA_GENERIC_KEYS = ['error', 'body', 'payload', 'path', 'after'];

const fieldEntries = (operation) => Object.entries(operation.fields);

/** The operation's checked values, from each field's own example. */
function exampleValues(operation) {
	return Object.fromEntries(
		fieldsOf(operation).map(({ property, check, example }) => [
			property.name,
			check(example, property.name),
		]),
	);
}

/** Every request the operation can make from its examples: each form, a next page, a look-up. */
function requestsOf(operation) {
	const values = exampleValues(operation);
	const forms = operation.forms?.names ?? [undefined];
	return [
		...forms.map((form) => operation.request(values, form)),
		...(operation.pages ? [operation.pages.after(values, 'cursor')] : []),
		...(operation.existing ? [operation.existing.list(values)] : []),
	];
}

describe('Every operation’s parameters, from the registry', () => {
	for (const operation of OPERATIONS) {
		const name = operation.option.value;

		it(`${name}: each field is keyed by the name the panel reads it by`, () => {
			for (const [key, { property }] of fieldEntries(operation)) assert.equal(key, property.name);
		});

		it(`${name}: each field has a hint, Kaleyra's keys for it, and an example its check takes`, () => {
			for (const { property, hint, kaleyraKeys, example } of fieldsOf(operation)) {
				assert.ok(typeof hint === 'string' && hint.length > 10, `${property.name} has no hint`);
				assert.ok(Array.isArray(kaleyraKeys), `${property.name} has no kaleyraKeys`);
				assert.notEqual(example, undefined, `${property.name} has no example`);
			}
			assert.doesNotThrow(() => exampleValues(operation));
		});

		it(`${name}: each check names its field by the name it is given, never its own`, () => {
			for (const { property, check } of fieldsOf(operation)) {
				assert.throws(
					() => check({ not: 'a value' }, 'givenName'),
					(error) => error instanceof InvalidFieldError && error.problem.field === 'givenName',
					`${property.name}'s check names another field`,
				);
			}
		});

		it(`${name}: every key the request sends Kaleyra is claimed by one of its fields`, () => {
			const claimed = fieldsOf(operation).flatMap(({ kaleyraKeys }) => kaleyraKeys);
			for (const request of requestsOf(operation)) {
				for (const key of Object.keys(request.body ?? {}))
					assert.ok(claimed.includes(key), `${request.method} ${request.path} sends ${key}, which no field claims`);
			}
		});

		it(`${name}: the request log names only fields the output repeats, never a secret, the phone number masked`, () => {
			const values = exampleValues(operation);
			const context = contextOf(operation, values);
			const secret = operation.secret?.(values);
			for (const { name: logged, masked } of loggedFieldsOf(operation)) {
				assert.ok(logged in context, `the log names ${logged}, which no output field is`);
				assert.notEqual(context[logged], secret, `the log would name the secret as ${logged}`);
				if (String(context[logged]).startsWith('+'))
					assert.ok(masked, `${logged} is a phone number the log shows unmasked`);
			}
		});
	}

	it('a name two operations share is one parameter: the same hint and Kaleyra keys', () => {
		for (const operation of OPERATIONS) {
			for (const { property, hint, kaleyraKeys } of fieldsOf(operation)) {
				const parameter = PARAMETERS.find(({ name }) => name === property.name);
				assert.equal(hint, parameter.hint, `${property.name}'s hint differs between operations`);
				assert.deepEqual(kaleyraKeys, parameter.kaleyraKeys);
			}
		}
	});

	it('no Kaleyra key names two parameters', () => {
		const keys = PARAMETERS.flatMap(({ kaleyraKeys }) => kaleyraKeys);
		assert.deepEqual(keys, [...new Set(keys)]);
	});

	it('every key of the emulator’s error bodies is a parameter’s Kaleyra key, or names none', () => {
		const keys = PARAMETERS.flatMap(({ kaleyraKeys }) => kaleyraKeys);
		for (const [answer, { body }] of Object.entries(RESPONSES)) {
			const error = body?.error;
			if (typeof error !== 'object' || error === null || Array.isArray(error)) continue;
			for (const key of Object.keys(error))
				assert.ok(
					keys.includes(key) || KALEYRA_GENERIC_KEYS.includes(key),
					`answer:${answer} names "${key}", which no parameter claims`,
				);
		}
	});

	it('every parameter Kaleyra’s documented errors name is one of the node’s', () => {
		const names = PARAMETERS.map(({ name }) => name);
		for (const { reportedAs, fields } of KALEYRA_ERRORS) {
			for (const field of fields.filter((field) => !field.startsWith('credentials.')))
				assert.ok(names.includes(field), `${reportedAs} names ${field}, which no operation has`);
		}
	});

	it('the options about one kind of operation show for exactly the operations of that kind', () => {
		const shownFor = (name) =>
			optionsField.options.find((option) => option.name === name).displayOptions.show['/operation'];
		const where = (applies) => OPERATIONS.filter(applies).map(({ option }) => option.value);
		assert.deepEqual(
			shownFor('treatAlreadyApprovedAsSuccess'),
			where(({ alreadyApprovedIsDone }) => alreadyApprovedIsDone),
		);
		assert.deepEqual(shownFor('recoverExistingNumber'), where(({ existing }) => existing));
	});
});
