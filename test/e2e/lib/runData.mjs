// Reading what `n8n execute` printed: a node's outputs, as arrays of item JSON.
import assert from 'node:assert/strict';

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

/** A compact view of items for deepEqual, so a failure prints what differed item by item. */
export const summary = (items) =>
	items.map((json) => ({
		phoneNumber: json.phoneNumber,
		...(json.success ? { alreadyApproved: json.alreadyApproved } : { code: json.error?.code }),
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
