// The workflows the queue suite imports. One published workflow holds a production webhook per
// check (a workflow may have several triggers; an execution runs only the branch of the one
// that fired), so a single `n8n publish:workflow` activates them all. Each branch: Webhook →
// Split Out (one item per entry of the body's `items`) → Verify Number, with the Options the
// check needs. A second workflow, never published, is run by hand (Manual Trigger).
import { EXAMPLE_CREDENTIAL } from '../../../scripts/n8n/credentials.mjs';
import { DEFAULT_ACCOUNT, NUMBERS } from '../../../emulator/fixtures.mjs';

export const NODE_TYPE = 'n8n-nodes-kaleyra-whatsapp.kaleyraWhatsAppNumber';
export const WEBHOOK_WORKFLOW_ID = 'kaleyraQueueHook';
export const MANUAL_WORKFLOW_ID = 'kaleyraQueueMan1';
export const TRIGGER_WORKFLOW_ID = 'kaleyraQueuePoll';
export const NUMBER_TRIGGER = 'Number changed';
export const [WABA] = DEFAULT_ACCOUNT.wabaIds;

/**
 * Each webhook branch: its path under /webhook/, when it answers (`lastNode`: once the worker
 * has finished; `onReceived`: at once, before any worker has the job) and the node's Options.
 */
export const BRANCHES = {
	trigger: { responseMode: 'lastNode', options: { concurrency: 2, maxTries: 2, retryDelay: 200 } },
	load: { responseMode: 'lastNode', options: { concurrency: 4, maxTries: 2, retryDelay: 200 } },
	pace: {
		responseMode: 'lastNode',
		options: { requestsPerSecond: 10, concurrency: 4, maxTries: 1 },
	},
	kill: { responseMode: 'onReceived', options: { concurrency: 1, maxTries: 1, timeout: 120000 } },
	noPackage: { responseMode: 'onReceived', options: {} },
};

export const webhookPath = (branch) => `kaleyra-queue-${branch}`;
export const verifyNode = (branch) => `Verify (${branch})`;
export const MANUAL_VERIFY_NODE = 'Verify (manual)';
export const MANUAL_TRIGGER = 'Run by hand';

const verifyParameters = (options) => ({
	operation: 'verifyNumber',
	wabaId: '={{ $json.wabaId }}',
	phoneNumberId: '={{ $json.phoneNumberId }}',
	phoneNumber: '={{ $json.phoneNumber }}',
	otp: '={{ $json.otp }}',
	options,
});

const kaleyra = (id, name, position, options) => ({
	id,
	name,
	type: NODE_TYPE,
	typeVersion: 1,
	position,
	parameters: verifyParameters(options),
	credentials: { kaleyraWhatsAppApi: EXAMPLE_CREDENTIAL },
});

const link = (to) => ({ main: [[{ node: to, type: 'main', index: 0 }]] });

export function webhookWorkflow() {
	const nodes = [];
	const connections = {};
	Object.entries(BRANCHES).forEach(([branch, { responseMode, options }], i) => {
		const y = i * 220;
		const hook = `Webhook (${branch})`;
		const split = `Items (${branch})`;
		nodes.push(
			{
				id: `queue-hook-${i}`,
				name: hook,
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, y],
				webhookId: `6b1f0c2e-0000-4000-8000-00000000000${i}`,
				parameters: {
					httpMethod: 'POST',
					path: webhookPath(branch),
					responseMode,
					...(responseMode === 'lastNode' && { responseData: 'allEntries' }),
					options: {},
				},
			},
			{
				id: `queue-split-${i}`,
				name: split,
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [220, y],
				parameters: { fieldToSplitOut: 'body.items', options: {} },
			},
			kaleyra(`queue-verify-${i}`, verifyNode(branch), [440, y], options),
		);
		connections[hook] = link(split);
		connections[split] = link(verifyNode(branch));
	});
	return {
		id: WEBHOOK_WORKFLOW_ID,
		name: 'Kaleyra queue suite: webhooks',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes,
		connections,
		pinData: {},
	};
}

/**
 * The manual run's items: the emulator's own fixtures (their OTPs are known before it starts),
 * one of each kind the suite checks, and what each must become.
 */
export const MANUAL_CASES = [
	{
		kind: 'right OTP',
		item: {
			wabaId: WABA,
			phoneNumberId: NUMBERS.pending1.id,
			phoneNumber: NUMBERS.pending1.phoneNumber,
			otp: NUMBERS.pending1.otp,
		},
		expect: { output: 'success', code: 'WA200', attempts: 1 },
	},
	{
		kind: 'wrong OTP',
		item: {
			wabaId: WABA,
			phoneNumberId: NUMBERS.pending2.id,
			phoneNumber: NUMBERS.pending2.phoneNumber,
			otp: '999999',
		},
		expect: { output: 'error', code: 'WA400', attempts: 1 },
	},
	{
		kind: 'invalid input',
		item: {
			wabaId: WABA,
			phoneNumberId: NUMBERS.pendingZeroOtp.id,
			phoneNumber: NUMBERS.pendingZeroOtp.phoneNumber,
			otp: '12a45',
		},
		expect: { output: 'error', code: 'INVALID_INPUT', attempts: 0 },
	},
	{
		kind: 'Kaleyra busy',
		item: {
			wabaId: WABA,
			phoneNumberId: NUMBERS.unavailable.id,
			phoneNumber: NUMBERS.unavailable.phoneNumber,
			otp: NUMBERS.unavailable.otp,
		},
		expect: { output: 'error', code: 'WA500', attempts: 2, retryable: true },
	},
];

export function manualWorkflow() {
	const items = 'Items (manual)';
	const split = 'One item each (manual)';
	return {
		id: MANUAL_WORKFLOW_ID,
		name: 'Kaleyra queue suite: run by hand',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: 'queue-manual-trigger',
				name: MANUAL_TRIGGER,
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			{
				id: 'queue-manual-items',
				name: items,
				type: 'n8n-nodes-base.set',
				typeVersion: 3.4,
				position: [220, 0],
				parameters: {
					mode: 'raw',
					jsonOutput: JSON.stringify({ items: MANUAL_CASES.map((c) => c.item) }),
					options: {},
				},
			},
			{
				id: 'queue-manual-split',
				name: split,
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [440, 0],
				parameters: { fieldToSplitOut: 'items', options: {} },
			},
			kaleyra('queue-manual-verify', MANUAL_VERIFY_NODE, [660, 0], BRANCHES.trigger.options),
		],
		connections: {
			[MANUAL_TRIGGER]: link(items),
			[items]: link(split),
			[split]: link(MANUAL_VERIFY_NODE),
		},
		pinData: {},
	};
}

/** The Number Trigger alone, every minute, published by its check (the main process polls). */
export function numberTriggerWorkflow() {
	return {
		id: TRIGGER_WORKFLOW_ID,
		name: 'Kaleyra queue: Number Trigger',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: 'b1d3c0de-0000-4000-8000-000000000001',
				name: NUMBER_TRIGGER,
				type: 'n8n-nodes-kaleyra-whatsapp.kaleyraWhatsAppNumberTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: { pollTimes: { item: [{ mode: 'everyMinute' }] }, wabaId: WABA },
				credentials: { kaleyraWhatsAppApi: EXAMPLE_CREDENTIAL },
			},
		],
		connections: {},
	};
}
