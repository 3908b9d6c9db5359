// Runs the credential's `test` the way n8n's CredentialsTester does (packages/cli,
// credentials-tester.service.ts): the test request goes through n8n-core's
// RoutingNode on a temporary node (a copy of the NoOp node's type, as n8n makes it),
// then the rules are applied to the answer. The REST endpoint of a real n8n is
// exercised by the end-to-end suite.
import { createRequire } from 'node:module';

import { CREDENTIAL_TYPE, additionalDataFor, credentialType } from './engine.mjs';

const require = createRequire(import.meta.url);
const { ExecuteContext, ExecutionLifecycleHooks, RoutingNode } = require('n8n-core');
const { Workflow } = require('n8n-workflow');
// The tester's own `get`, so rule keys resolve exactly as in n8n.
const get = require('lodash/get');

const NO_OP_NODE_TYPE = 'n8n-nodes-base.noOp';

export async function testCredential(data) {
	const { request, rules = [] } = credentialType.test;
	const node = {
		id: 'temp',
		name: 'Temp-Node',
		type: NO_OP_NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		credentials: { [CREDENTIAL_TYPE]: { id: 'cred-1', name: 'Kaleyra account' } },
	};
	const testNodeType = {
		description: {
			displayName: 'Credential test',
			name: NO_OP_NODE_TYPE,
			group: ['transform'],
			version: 1,
			description: '',
			defaults: {},
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: CREDENTIAL_TYPE, required: true }],
			properties: [
				{ displayName: 'Temp', name: 'temp', type: 'string', routing: { request }, default: '' },
			],
		},
	};
	const nodeTypes = {
		getByName: () => testNodeType,
		getByNameAndVersion: () => testNodeType,
		getKnownTypes: () => ({}),
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	const hooks = new ExecutionLifecycleHooks('internal', 'credential-test', {
		nodes: [node],
		connections: {},
	});
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
	const credentialsDecrypted = {
		id: 'cred-1',
		name: 'Kaleyra account',
		type: CREDENTIAL_TYPE,
		data,
	};

	let response;
	try {
		response = await new RoutingNode(context, testNodeType, credentialsDecrypted).runNode();
	} catch (error) {
		// n8n's order: an HTTP answer (responseCode rules, then any non-2xx status), else the
		// cause's code (a network error such as ECONNREFUSED), else the error's message.
		if (error.cause?.response) {
			const statusCode = error.cause.response.status;
			const statusMessage = error.cause.response.statusText;
			for (const rule of rules) {
				if (rule.type === 'responseCode' && statusCode === rule.properties.value) {
					return { status: 'Error', message: rule.properties.message };
				}
			}
			if (statusCode < 199 || statusCode > 299) {
				return {
					status: 'Error',
					message: statusMessage || `Received HTTP status code: ${statusCode}`,
				};
			}
		} else if (error.cause?.code) {
			return { status: 'Error', message: error.cause.code };
		}
		return { status: 'Error', message: error.message.toString() };
	}
	for (const rule of rules) {
		if (rule.type === 'responseSuccessBody') {
			const responseData = response[0][0].json;
			if (get(responseData, rule.properties.key) === rule.properties.value) {
				return { status: 'Error', message: rule.properties.message };
			}
		}
	}
	return { status: 'OK', message: 'Connection successful!' };
}
