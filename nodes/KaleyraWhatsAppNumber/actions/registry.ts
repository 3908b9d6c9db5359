/**
 * The node's operations. The Operation list, each operation's fields, the subtitle, the
 * dispatch, the options shown per operation and what Error items know of each parameter are all
 * built from this one list: a new operation is a new file and a line here.
 */
import type { INodeProperties } from 'n8n-workflow';

import type { NamedParameter } from '../results/kaleyraRefusal';
import { addNumber } from './addNumber.operation';
import { getManyNumbers } from './getManyNumbers.operation';
import { getNumberDetails } from './getNumberDetails.operation';
import type { KaleyraOperation } from './operation';
import { fieldsOf } from './operation';
import { retryOtp } from './retryOtp.operation';
import { verifyNumber } from './verifyNumber.operation';

export const OPERATIONS: readonly KaleyraOperation[] = [
	addNumber,
	getManyNumbers,
	getNumberDetails,
	retryOtp,
	verifyNumber,
];

/**
 * Every parameter of the node once, by the panel's name: what Error items say of it, and the
 * keys Kaleyra's answers name it by. A name shared by operations means one parameter (a test
 * holds their hints and keys alike).
 */
export const PARAMETERS: readonly NamedParameter[] = [
	...new Map(
		OPERATIONS.flatMap(fieldsOf).map(({ property, hint, kaleyraKeys }) => [
			property.name,
			{ name: property.name, hint, kaleyraKeys },
		]),
	).values(),
];

/** The operations for which an option applies: the node's Options show it for these only. */
export function operationsWhere(applies: (operation: KaleyraOperation) => boolean): string[] {
	return OPERATIONS.filter(applies).map(({ option }) => option.value);
}

// A workflow saved without an operation parameter ran Verify Number: it still must.
const DEFAULT_OPERATION = verifyNumber.option.value;

const BY_VALUE = new Map(OPERATIONS.map((operation) => [operation.option.value, operation]));

/** The operation a parameter value names; undefined for anything else (n8n's Custom API Call). */
export function operationNamed(value: unknown): KaleyraOperation | undefined {
	return typeof value === 'string' ? BY_VALUE.get(value) : undefined;
}

// One resource, as n8n's app nodes declare it: with it, n8n describes the node to an AI Agent by
// the chosen operation's action instead of one text for all ("<action> in Kaleyra WhatsApp Number",
// n8n-workflow's makeDescription). The actions therefore say what a call costs or changes (a real
// SMS or call, an OTP try, read-only): that text is what a model reads before it calls.
const RESOURCE = 'phoneNumber';

const resourceProperty: INodeProperties = {
	displayName: 'Resource',
	name: 'resource',
	type: 'options',
	noDataExpression: true,
	options: [{ name: 'Phone Number', value: RESOURCE }],
	default: RESOURCE,
};

const operationProperty: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: [RESOURCE] } },
	options: OPERATIONS.map(({ option }) => option),
	default: DEFAULT_OPERATION,
};

function shownFor(operation: KaleyraOperation, property: INodeProperties): INodeProperties {
	return {
		...property,
		displayOptions: {
			// A field's own rule (Limit only while Return All is off) is kept.
			show: {
				...property.displayOptions?.show,
				resource: [RESOURCE],
				operation: [operation.option.value],
			},
		},
	};
}

/** Each operation's notice and fields, shown only when it is chosen. */
function operationProperties(operation: KaleyraOperation): INodeProperties[] {
	const notice: INodeProperties[] = operation.notice
		? [
				{
					displayName: operation.notice,
					name: `${operation.option.value}Notice`,
					type: 'notice',
					default: '',
				},
			]
		: [];
	const fields = fieldsOf(operation).map(({ property }) => property);
	return [...notice, ...fields].map((property) => shownFor(operation, property));
}

export const operationsProperties: INodeProperties[] = [
	resourceProperty,
	operationProperty,
	...OPERATIONS.flatMap(operationProperties),
];

/** "Verify Number" and the like under the node's name on the canvas. */
export const operationSubtitle = `={{ ${JSON.stringify(
	Object.fromEntries(OPERATIONS.map(({ option }) => [option.value, option.name])),
)}[$parameter["operation"]] }}`;
