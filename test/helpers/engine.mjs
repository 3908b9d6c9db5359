// Runs the built package inside n8n's own engine (n8n-core's WorkflowExecute),
// loaded the way n8n loads a community package: from package.json's n8n section.
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The engine writes a config file under the user folder at load time; a fixed
// key spares it from generating one (the tests store no credential). A folder made
// here is this process's own and goes with it (worker threads inherit the variable).
if (!process.env.N8N_USER_FOLDER) {
	const userFolder = mkdtempSync(path.join(tmpdir(), 'kaleyra-n8n-'));
	process.env.N8N_USER_FOLDER = userFolder;
	process.on('exit', () => rmSync(userFolder, { recursive: true, force: true }));
}
process.env.N8N_ENCRYPTION_KEY ??= 'kaleyra-node-tests-only';
// The node logs each request as it leaves (info); the suites need warnings only.
process.env.N8N_LOG_LEVEL ??= 'warn';

const require = createRequire(import.meta.url);
const { ExecutionLifecycleHooks, PackageDirectoryLoader, WorkflowExecute } = require('n8n-core');
const { ICredentialsHelper, NodeHelpers, Workflow } = require('n8n-workflow');

export const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const NODE_TYPE = 'n8n-nodes-kaleyra-whatsapp.kaleyraWhatsAppNumber';
export const CREDENTIAL_TYPE = 'kaleyraWhatsAppApi';

const loader = new PackageDirectoryLoader(PACKAGE_DIR);
await loader.loadAll();

export const nodeTypes = {
	getByName: (type) => loader.getNode(shortName(type)).type,
	getByNameAndVersion: (type, version) =>
		NodeHelpers.getVersionedNodeType(loader.getNode(shortName(type)).type, version),
	getKnownTypes: () => loader.known.nodes,
};

export const credentialType = loader.getCredential(CREDENTIAL_TYPE).type;

function shortName(type) {
	return type.startsWith(`${loader.packageName}.`)
		? type.slice(loader.packageName.length + 1)
		: type;
}

/**
 * The part of n8n's CredentialsHelper that a node run needs. n8n's own class lives
 * in the `n8n` package; generic `authenticate` is resolved here the way it does
 * it: each value is an n8n expression over `$credentials`.
 */
export class TestCredentialsHelper extends ICredentialsHelper {
	constructor(credentialsByType, types = nodeTypes) {
		super();
		this.credentialsByType = credentialsByType;
		this.types = types;
	}

	async getDecrypted(_additionalData, _nodeCredentials, type) {
		return structuredClone(this.credentialsByType[type] ?? {});
	}

	async authenticate(credentials, typeName, requestOptions, workflow, node) {
		const credentialType = loader.getCredential(typeName).type;
		const { authenticate } = credentialType;
		// As n8n's CredentialsHelper: a function gets the credentials and the request options,
		// called on the credential type, and its result is the request sent (errors propagate).
		if (typeof authenticate === 'function') {
			return await credentialType.authenticate(credentials, requestOptions);
		}
		if (authenticate?.type !== 'generic') return requestOptions;
		const resolve = (value) =>
			typeof value === 'string' && value.startsWith('=')
				? workflow.expression.getSimpleParameterValue(
						node,
						value,
						'internal',
						{ $credentials: credentials },
						undefined,
						'',
					)
				: value;
		for (const [target, entries] of Object.entries(authenticate.properties)) {
			requestOptions[target] ??= {};
			for (const [key, value] of Object.entries(entries)) {
				requestOptions[target][resolve(key)] = resolve(value);
			}
		}
		return requestOptions;
	}

	// n8n checks that the node declares the credential; so does this.
	isCredentialUsableByNode(credentialTypeName, nodeTypeName) {
		const { description } = this.types.getByName(nodeTypeName);
		return (description.credentials ?? []).some(({ name }) => name === credentialTypeName);
	}

	getParentTypes() {
		return [];
	}

	async preAuthentication() {
		return undefined;
	}

	getCredentialsProperties() {
		return credentialType.properties;
	}

	async updateCredentials() {}

	async updateCredentialsOauthTokenData() {}
}

export function additionalDataFor(credentialsByType, hooks, types = nodeTypes) {
	return {
		hooks,
		credentialsHelper: new TestCredentialsHelper(credentialsByType, types),
		currentNodeExecutionIndex: 0,
		executionId: 'execution-1',
		restApiUrl: 'http://127.0.0.1:5678/rest',
		instanceBaseUrl: 'http://127.0.0.1:5678/',
		formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
		webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
		variables: {},
		executionTimeoutTimestamp: undefined,
		setExecutionStatus: () => {},
		sendDataToUI: () => {},
		logAiEvent: () => {},
	};
}

/**
 * Runs `nodes` through WorkflowExecute, starting at `startNode` with `items`, and
 * returns the run as n8n recorded it.
 */
export async function runWorkflow({
	nodes,
	connections = {},
	startNode,
	items,
	credentials,
	mode = 'manual',
	types = nodeTypes,
	onRunning,
	credentialsHelper,
}) {
	const workflowData = {
		id: 'kaleyra-test',
		name: 'Kaleyra test',
		nodes,
		connections,
		active: false,
		settings: {},
	};
	const workflow = new Workflow({ ...workflowData, nodeTypes: types });
	const hooks = new ExecutionLifecycleHooks(mode, 'execution-1', workflowData);
	const finished = new Promise((resolve) => hooks.addHandler('workflowExecuteAfter', resolve));
	const additionalData = additionalDataFor({ [CREDENTIAL_TYPE]: credentials }, hooks, types);
	// Another node's credentials (the benchmark's HTTP Request peer) come with their own helper.
	if (credentialsHelper) additionalData.credentialsHelper = credentialsHelper;
	const runExecutionData = {
		startData: {},
		resultData: { runData: {} },
		executionData: {
			contextData: {},
			metadata: {},
			waitingExecution: {},
			waitingExecutionSource: null,
			nodeExecutionStack: [{ node: startNode, data: { main: [items] }, source: null }],
		},
	};
	const execute = new WorkflowExecute(additionalData, mode, runExecutionData);
	const running = execute.processRunExecutionData(workflow);
	// The run as n8n's Stop button reaches it: running.cancel() aborts the execution's signal.
	onRunning?.(running);
	// A cancelled run never settles `running`; the hook fires either way.
	await Promise.race([running, finished]);
	return await finished;
}

export const KALEYRA_CREDENTIAL_REFERENCE = {
	[CREDENTIAL_TYPE]: { id: 'cred-1', name: 'Kaleyra account' },
};

/** The Kaleyra node as a workflow holds it, named "Kaleyra". */
export function kaleyraNode(parameters, nodeSettings = {}) {
	return {
		id: 'kaleyra-node',
		name: 'Kaleyra',
		type: NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters,
		credentials: KALEYRA_CREDENTIAL_REFERENCE,
		...nodeSettings,
	};
}

/**
 * Runs one Kaleyra node on `items` through WorkflowExecute and returns what left
 * each of its outputs, as n8n recorded it in the run data.
 */
export async function runKaleyraNode({
	parameters,
	items,
	credentials,
	nodeSettings = {},
	mode = 'manual',
	onRunning,
}) {
	const node = kaleyraNode(parameters, nodeSettings);
	const run = await runWorkflow({ nodes: [node], startNode: node, items, credentials, mode, onRunning });
	const taskData = run.data.resultData.runData.Kaleyra?.[0];
	return {
		run,
		error: run.data.resultData.error,
		outputs: taskData?.data?.main ?? [],
		success: taskData?.data?.main?.[0] ?? [],
		failed: taskData?.data?.main?.[1] ?? [],
	};
}
