// Runs the node the way an AI Agent uses it: as the "<type>Tool" variant n8n derives
// from a `usableAsTool` node, called through n8n-core's own tool wrapper
// (getInputConnectionData → createNodeAsTool → makeHandleToolInvocation).
import { createRequire } from 'node:module';
import path from 'node:path';

import { KALEYRA_CREDENTIAL_REFERENCE, NODE_TYPE, nodeTypes, runWorkflow } from './engine.mjs';

const require = createRequire(import.meta.url);
const { NodeConnectionTypes, NodeHelpers } = require('n8n-workflow');
// The agent's model sees each tool as LangChain's OpenAI tool format gives it, from the copy
// of @langchain/core that n8n-core builds its tools with.
const { convertToOpenAITool } = require(
	require.resolve('@langchain/core/utils/function_calling', {
		paths: [path.dirname(require.resolve('n8n-core'))],
	}),
);

export const TOOL_NODE_TYPE = `${NODE_TYPE}Tool`;
const AGENT_NODE_TYPE = 'test.agent';
const TOOLS_AGENT_NODE_TYPE = 'test.toolsAgent';

/**
 * The description changes n8n's loader makes for a tool (convertNodeToAiTool in n8n's cli):
 * renamed, an AI tool output only, and the "Tool Description" parameters in front: Set
 * Automatically (from the operation) by default, or Set Manually.
 */
function toolVariantOf(nodeType) {
	const tool = Object.create(nodeType);
	const { properties } = nodeType.description;
	const hasOperation = properties.some(({ name }) => ['resource', 'operation'].includes(name));
	const toolDescription = {
		displayName: 'Description',
		name: 'toolDescription',
		type: 'string',
		default: nodeType.description.description,
		required: true,
		typeOptions: { rows: 2 },
		...(hasOperation ? { displayOptions: { show: { descriptionType: ['manual'] } } } : {}),
	};
	const descriptionType = {
		displayName: 'Tool Description',
		name: 'descriptionType',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Set Automatically', value: 'auto' },
			{ name: 'Set Manually', value: 'manual' },
		],
		default: 'auto',
	};
	tool.description = {
		...nodeType.description,
		name: `${nodeType.description.name}Tool`,
		displayName: `${nodeType.description.displayName} Tool`,
		inputs: [],
		outputs: [NodeConnectionTypes.AiTool],
		usableAsTool: undefined,
		properties: [...(hasOperation ? [descriptionType] : []), toolDescription, ...properties],
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

// What the model of a tools agent decides, by id (a node parameter holds only the id).
const MODELS = new Map();
let modelCount = 0;

/**
 * Stands in for n8n's AI Agent with any number of tools: offers the model every connected
 * tool (name, description, parameters as the model receives them), then calls the tools the
 * model picks, one at a time, each with the arguments the model gives, until it picks none.
 */
const toolsAgentNodeType = {
	description: {
		...agentNodeType.description,
		displayName: 'Test Tools Agent',
		name: TOOLS_AGENT_NODE_TYPE,
		description: 'Calls the tools its model picks',
		inputs: [NodeConnectionTypes.Main, { type: NodeConnectionTypes.AiTool, required: true }],
		properties: [{ displayName: 'Model', name: 'model', type: 'string', default: '' }],
	},
	async execute() {
		const connected = await this.getInputConnectionData(NodeConnectionTypes.AiTool, 0);
		const tools = [connected].flat();
		const offered = tools.map((tool) => convertToOpenAITool(tool).function);
		const decide = MODELS.get(this.getNodeParameter('model', 0));
		const calls = [];
		for (;;) {
			const next = await decide({ tools: offered, calls });
			if (!next) break;
			const tool = tools.find(({ name }) => name === next.tool);
			if (!tool)
				throw new Error(`The model asked for a tool the agent does not have: ${next.tool}`);
			// The text the model reads back: n8n-core's JSON of the tool's first output. A tool
			// that throws (arguments not matching its schema included) fails the run.
			const received = await tool.invoke(next.args);
			calls.push({ tool: next.tool, args: next.args, received });
		}
		return [[{ json: { tools: offered, calls }, pairedItem: { item: 0 } }]];
	},
};

const toolNodeTypes = {
	getByName(type) {
		if (type === AGENT_NODE_TYPE) return agentNodeType;
		if (type === TOOLS_AGENT_NODE_TYPE) return toolsAgentNodeType;
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

/**
 * One turn of an agent whose tools are Kaleyra nodes, one per entry of `tools`
 * (`{ name, parameters }`: the node's name, which n8n makes the tool's name, and its
 * parameters, typically with `$fromAI(...)` values). `model({ tools, calls })` is called
 * before each tool call with what the model sees: the tools (name, description, JSON schema
 * of the parameters) and the calls of this turn so far (`{ tool, args, received }`,
 * `received` the exact text the tool gave back); it returns `{ tool, args }` or null to end
 * the turn. Returns the tools and calls as the agent recorded them, and the run.
 */
export async function runAgentTurn({ tools, model, credentials }) {
	const modelId = `model-${++modelCount}`;
	MODELS.set(modelId, model);
	const agent = {
		id: 'agent',
		name: 'Agent',
		type: TOOLS_AGENT_NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: { model: modelId },
	};
	const toolNodes = tools.map(({ name, parameters }, index) => ({
		id: `kaleyra-tool-${index}`,
		name,
		type: TOOL_NODE_TYPE,
		typeVersion: 1,
		position: [index * 200, 200],
		parameters,
		credentials: KALEYRA_CREDENTIAL_REFERENCE,
	}));
	try {
		const run = await runWorkflow({
			nodes: [agent, ...toolNodes],
			connections: Object.fromEntries(
				toolNodes.map(({ name }) => [
					name,
					{
						[NodeConnectionTypes.AiTool]: [
							[{ node: agent.name, type: NodeConnectionTypes.AiTool, index: 0 }],
						],
					},
				]),
			),
			startNode: agent,
			items: [{ json: {} }],
			credentials,
			types: toolNodeTypes,
		});
		const output = run.data.resultData.runData.Agent?.[0]?.data?.main?.[0]?.[0]?.json;
		return {
			run,
			error: run.data.resultData.error,
			tools: output?.tools ?? [],
			calls: output?.calls ?? [],
		};
	} finally {
		MODELS.delete(modelId);
	}
}
