/**
 * The node's operations. The Operation list, each operation's fields, the subtitle and the
 * dispatch are all built from this one list: a new operation is a new file and a line here.
 */
import type { INodeProperties } from 'n8n-workflow';

import { addNumber } from './addNumber.operation';
import { getManyNumbers } from './getManyNumbers.operation';
import { getNumberDetails } from './getNumberDetails.operation';
import type { FieldSpec, KaleyraOperation } from './operation';
import { retryOtp } from './retryOtp.operation';
import { verifyNumber } from './verifyNumber.operation';

export const OPERATIONS: readonly KaleyraOperation[] = [
	addNumber,
	getManyNumbers,
	getNumberDetails,
	retryOtp,
	verifyNumber,
];

// A workflow saved without an operation parameter ran Verify Number: it still must.
const DEFAULT_OPERATION = verifyNumber.option.value;

const BY_VALUE = new Map(OPERATIONS.map((operation) => [operation.option.value, operation]));

/** The operation a parameter value names; undefined for anything else (n8n's Custom API Call). */
export function operationNamed(value: unknown): KaleyraOperation | undefined {
	return typeof value === 'string' ? BY_VALUE.get(value) : undefined;
}

// One resource, as n8n's app nodes declare it: with it, n8n describes the node to an AI Agent by
// the chosen operation's action ("Add a phone number to a WABA") instead of one text for all.
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
	const fields = Object.values(operation.fields as Record<string, FieldSpec<unknown>>).map(
		({ property }) => property,
	);
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
