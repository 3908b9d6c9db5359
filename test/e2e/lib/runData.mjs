// Reading what `n8n execute` printed: a node's outputs, as arrays of item JSON.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * The items a node put on each of its outputs in its (only) run. Fails, naming the nodes that
 * did run, when the node has no run data: `n8n execute` can exit 0 having run nothing.
 */
export function outputsOf(execution, nodeName) {
	const runData = execution?.data?.resultData?.runData ?? {};
	const runs = runData[nodeName];
	assert.ok(
		runs && runs.length === 1,
		`node "${nodeName}" has no run data; nodes that ran: ${JSON.stringify(Object.keys(runData))}`,
	);
	const [run] = runs;
	assert.equal(run.error, undefined, `node "${nodeName}" failed: ${JSON.stringify(run.error)}`);
	return (run.data?.main ?? []).map((items) => (items ?? []).map((item) => item.json));
}

/**
 * A compact view of items for deepEqual, so a failure prints what differed item by item.
 * `alreadyApproved` only where the item has it: Verify Number's successes always do, Retry
 * OTP's only when Kaleyra answered "already approved".
 */
export const summary = (items) =>
	items.map((json) => ({
		phoneNumber: json.phoneNumber,
		...(json.success
			? 'alreadyApproved' in json && { alreadyApproved: json.alreadyApproved }
			: { code: json.error?.code }),
	}));

/**
 * How many requests the node says it sent for each input item (`attempts` on its output
 * items, found through pairedItem), indexed like the node's input. The emulator's log must
 * then hold exactly that many copies of each item's request: retries included, none hidden.
 */
export function attemptsPerInputItem(execution, nodeName) {
	const [run] = execution.data.resultData.runData[nodeName];
	const attempts = [];
	for (const item of (run.data?.main ?? []).flat()) {
		if (item) attempts[item.pairedItem.item] = item.json.attempts;
	}
	assert.ok(
		attempts.length > 0 && [...attempts].every(Number.isInteger),
		`node "${nodeName}": every output item needs pairedItem and a whole-number attempts; got ${JSON.stringify(attempts)}`,
	);
	return attempts;
}

/**
 * An execution as n8n's REST API gives it (`GET /rest/executions/:id`, its `data` a `flatted`
 * string), in the shape `n8n execute --rawOutput` prints, so outputsOf reads both. Parsed with
 * the copy of flatted the n8n under test ships, so the format is always the one it wrote.
 */
export function executionFromRest(target, execution) {
	const n8nRequire = createRequire(path.join(target.dir, 'node_modules', 'n8n', 'package.json'));
	const { parse } = n8nRequire('flatted');
	return { ...execution, data: parse(execution.data) };
}
