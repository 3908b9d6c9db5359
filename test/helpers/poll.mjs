// Runs the built trigger's poll() as n8n does for an active workflow: through n8n-core's own
// PollContext, with the workflow's static data kept from one poll to the next the way n8n
// stores it (as JSON).
import { createRequire } from 'node:module';

import {
	CREDENTIAL_TYPE,
	KALEYRA_CREDENTIAL_REFERENCE,
	additionalDataFor,
	nodeTypes,
	runWorkflow,
} from './engine.mjs';

const require = createRequire(import.meta.url);
const { ExecutionLifecycleHooks, PollContext } = require('n8n-core');
const { Workflow } = require('n8n-workflow');

export const TRIGGER_TYPE = 'n8n-nodes-kaleyra-whatsapp.kaleyraWhatsAppNumberTrigger';
const NODE_NAME = 'Kaleyra Trigger';

export function triggerNode(parameters) {
	return {
		id: 'kaleyra-trigger',
		name: NODE_NAME,
		type: TRIGGER_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters,
		credentials: KALEYRA_CREDENTIAL_REFERENCE,
	};
}

/**
 * One active trigger: `poll()` runs a scheduled poll and returns what it gave n8n (null, or the
 * items' json) or throws what it threw; `fetchTestEvent()` runs it as the editor's Fetch Test
 * Event does (mode manual). `staticData()` is the node's part of what n8n would store.
 */
export function createPoller({ parameters, credentials, workflowId = 'kaleyra-trigger-test' }) {
	let node = triggerNode(parameters);
	let stored = {};

	const contextFor = (mode, activation) => {
		const workflowData = {
			id: workflowId,
			name: 'Kaleyra trigger test',
			nodes: [node],
			connections: {},
		};
		const workflow = new Workflow({
			...workflowData,
			active: mode !== 'manual',
			nodeTypes,
			staticData: structuredClone(stored),
			settings: {},
		});
		const hooks = new ExecutionLifecycleHooks(mode, 'execution-1', workflowData);
		const additionalData = additionalDataFor({ [CREDENTIAL_TYPE]: credentials }, hooks);
		return { workflow, context: new PollContext(workflow, node, additionalData, mode, activation) };
	};

	const run = async (mode, activation) => {
		const { workflow, context } = contextFor(mode, activation);
		const type = nodeTypes.getByNameAndVersion(TRIGGER_TYPE, 1);
		try {
			const result = await type.poll.call(context);
			return result === null ? null : result[0].map((item) => item.json);
		} finally {
			// What n8n keeps of the static data: its JSON, without the engine's change marker.
			const { __dataChanged, ...data } = JSON.parse(JSON.stringify(workflow.staticData));
			if (mode !== 'manual') stored = data;
			else if (JSON.stringify(data) !== JSON.stringify(stored))
				throw new Error('a manual poll changed the static data');
		}
	};

	return {
		poll: async ({ activation = 'activate' } = {}) => await run('trigger', activation),
		fetchTestEvent: async () => await run('manual', 'manual'),
		staticData: () => structuredClone(stored[`node:${NODE_NAME}`] ?? {}),
		setParameters(changes) {
			node = triggerNode({ ...node.parameters, ...changes });
		},
	};
}

/** Fetch Test Event through n8n's WorkflowExecute, as the editor runs a trigger in manual mode. */
export async function fetchTestEventInEngine({ parameters, credentials }) {
	const node = triggerNode(parameters);
	const run = await runWorkflow({
		nodes: [node],
		startNode: node,
		items: [{ json: {} }],
		credentials,
		mode: 'manual',
	});
	const taskData = run.data.resultData.runData[NODE_NAME]?.[0];
	return {
		error: run.data.resultData.error,
		items: (taskData?.data?.main?.[0] ?? []).map((item) => item.json),
	};
}
