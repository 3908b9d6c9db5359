// Runs the credential's `test` the way n8n's CredentialsTester does (packages/cli,
// credentials-tester.service.ts): the test request goes through n8n-core's
// RoutingNode on a temporary node, then the rules are applied to the answer.
// The REST endpoint of a real n8n is exercised by the end-to-end suite.
import { createRequire } from 'node:module';

import { CREDENTIAL_TYPE, additionalDataFor, credentialType } from './engine.mjs';

const require = createRequire(import.meta.url);
const { ExecuteContext, ExecutionLifecycleHooks, RoutingNode } = require('n8n-core');
const { Workflow } = require('n8n-workflow');

function get(object, dottedPath) {
	return dottedPath.split('.').reduce((value, key) => value?.[key], object);
}

export async function testCredential(data) {
	const { request, rules = [] } = credentialType.test;
	const node = {
		id: 'temp',
		name: 'Temp-Node',
		type: 'credentialTestNode',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		credentials: { [CREDENTIAL_TYPE]: { id: 'cred-1', name: 'Kaleyra account' } },
	};
	const testNodeType = {
		description: {
			displayName: 'Credential test',
			name: 'credentialTestNode',
			group: ['transform'],
			version: 1,
			description: '',
			defaults: {},
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: CREDENTIAL_TYPE, required: true }],
			properties: [{ displayName: 'Temp', name: 'temp', type: 'string', routing: { request }, default: '' }],
		},
	};
	const nodeTypes = {
		getByName: () => testNodeType,
		getByNameAndVersion: () => testNodeType,
		getKnownTypes: () => ({}),
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	const hooks = new ExecutionLifecycleHooks('internal', 'credential-test', { nodes: [node], connections: {} });
	const additionalData = additionalDataFor({ [CREDENTIAL_TYPE]: data }, hooks);
	additionalData.credentialsHelper.isCredentialUsableByNode = () => true;
	const context = new ExecuteContext(
		workflow,
		node,
		additionalData,
		'internal',
		{ resultData: { runData: {} } },
		0,
		[],
		{ main: [[{ json: {} }]] },
		{ node, data: {}, source: null },
		[],
	);
	const credentialsDecrypted = { id: 'cred-1', name: 'Kaleyra account', type: CREDENTIAL_TYPE, data };

	let response;
	try {
		response = await new RoutingNode(context, testNodeType, credentialsDecrypted).runNode();
	} catch (error) {
		const status = error.cause?.response?.status;
		if (status !== undefined) {
			const rule = rules.find((r) => r.type === 'responseCode' && r.properties.value === status);
			return { status: 'Error', message: rule?.properties.message ?? `Received HTTP status code: ${status}` };
		}
		return { status: 'Error', message: error.cause?.code ?? error.message };
	}
	for (const rule of rules) {
		if (rule.type === 'responseSuccessBody' && get(response[0][0].json, rule.properties.key) === rule.properties.value) {
			return { status: 'Error', message: rule.properties.message };
		}
	}
	return { status: 'OK', message: 'Connection successful!' };
}
