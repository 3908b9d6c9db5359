// Runs the node the way an AI Agent uses it: as the "<type>Tool" variant n8n derives
// from a `usableAsTool` node, called through n8n-core's own tool wrapper
// (getInputConnectionData → createNodeAsTool → makeHandleToolInvocation).
import { createRequire } from 'node:module';

import { KALEYRA_CREDENTIAL_REFERENCE, NODE_TYPE, nodeTypes, runWorkflow } from './engine.mjs';

const require = createRequire(import.meta.url);
const { NodeConnectionTypes, NodeHelpers } = require('n8n-workflow');

export const TOOL_NODE_TYPE = `${NODE_TYPE}Tool`;
const AGENT_NODE_TYPE = 'test.agent';

/** The description changes n8n's loader makes for a tool (convertNodeToAiTool in n8n's cli). */
function toolVariantOf(nodeType) {
	const tool = Object.create(nodeType);
	tool.description = {
		...nodeType.description,
		name: `${nodeType.description.name}Tool`,
		displayName: `${nodeType.description.displayName} Tool`,
		inputs: [],
		outputs: [NodeConnectionTypes.AiTool],
		usableAsTool: undefined,
	};
	return tool;
}

/** Stands in for the AI Agent: calls the connected tool once per item with `item.json.toolArgs`. */
const agentNodeType = {
	description: {
		displayName: 'Test Agent',
		name: AGENT_NODE_TYPE,
		group: ['transform'],
		version: 1,
		description: 'Calls its one tool with each item',
		defaults: { name: 'Agent' },
		inputs: [
			NodeConnectionTypes.Main,
			{ type: NodeConnectionTypes.AiTool, required: true, maxConnections: 1 },
		],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	},
	async execute() {
		const tool = await this.getInputConnectionData(NodeConnectionTypes.AiTool, 0);
		const output = [];
		for (const [index, item] of this.getInputData().entries()) {
			const answer = await tool.invoke(item.json.toolArgs);
			output.push({
				json: { toolName: tool.name, answer: JSON.parse(answer) },
				pairedItem: { item: index },
			});
		}
		return [output];
	},
};

const toolNodeTypes = {
	getByName(type) {
		if (type === AGENT_NODE_TYPE) return agentNodeType;
		if (type === TOOL_NODE_TYPE) return toolVariantOf(nodeTypes.getByName(NODE_TYPE));
		return nodeTypes.getByName(type);
	},
	getByNameAndVersion(type, version) {
		return NodeHelpers.getVersionedNodeType(toolNodeTypes.getByName(type), version);
	},
	getKnownTypes: () => nodeTypes.getKnownTypes(),
};

/**
 * Runs an agent whose one tool is the Kaleyra node with `parameters` (typically
 * `$fromAI(...)` expressions), calling it once per entry of `toolCalls`.
 * Returns what the agent received from each call.
 */
export async function callAsTool({ parameters, toolCalls, credentials }) {
	const agent = {
		id: 'agent',
		name: 'Agent',
		type: AGENT_NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	const kaleyraTool = {
		id: 'kaleyra-tool',
		name: 'Kaleyra Tool',
		type: TOOL_NODE_TYPE,
		typeVersion: 1,
		position: [0, 200],
		parameters,
		credentials: KALEYRA_CREDENTIAL_REFERENCE,
	};
	const run = await runWorkflow({
		nodes: [agent, kaleyraTool],
		connections: {
			[kaleyraTool.name]: {
				[NodeConnectionTypes.AiTool]: [
					[{ node: agent.name, type: NodeConnectionTypes.AiTool, index: 0 }],
				],
			},
		},
		startNode: agent,
		items: toolCalls.map((toolArgs) => ({ json: { toolArgs } })),
		credentials,
		types: toolNodeTypes,
	});
	return {
		run,
		error: run.data.resultData.error,
		answers: (run.data.resultData.runData.Agent?.[0]?.data?.main?.[0] ?? []).map(
			(item) => item.json,
		),
	};
}
