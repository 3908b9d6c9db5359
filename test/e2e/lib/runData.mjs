// Reading what `n8n execute` printed: a node's outputs, as arrays of item JSON.
import assert from 'node:assert/strict';

/**
 * The items a node put on each of its outputs in its (only) run. Fails, naming the nodes that
 * did run, when the node has no run data: `n8n execute` can exit 0 having run nothing.
 */
export function outputsOf(execution, nodeName) {
	const runData = execution?.data?.resultData?.runData ?? {};
	const runs = runData[nodeName];
	assert.ok(runs && runs.length === 1, `node "${nodeName}" has no run data; nodes that ran: ${JSON.stringify(Object.keys(runData))}`);
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
