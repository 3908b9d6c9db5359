// What n8n recorded: executions and their run data, read from PostgreSQL (execution_entity and
// execution_data, whose `data` column is n8n's `flatted` JSON), and which process ran each,
// read from the processes' logs: a worker logs "Worker started execution N (job J)" and
// "Worker finished execution N (job J)"; main logs "Enqueued execution N (job J)". The database
// does not say which worker ran an execution; those log lines are the only record.
import assert from 'node:assert/strict';
import { requireFromN8n } from '../../../scripts/queue/n8nModules.mjs';
import { sleep } from '../../../scripts/n8n/ports.mjs';

// Loaded on first use: importing this file must not need the n8n install.
const parse = (text) => requireFromN8n('flatted').parse(text);

/** Execution id -> what each process logged about it: { enqueued, started: [worker…], finished: [worker…] }. */
export function whoRan(cluster) {
	const runs = new Map();
	const entry = (id) => {
		if (!runs.has(id)) runs.set(id, { enqueued: 0, started: [], finished: [], errored: [] });
		return runs.get(id);
	};
	for (const match of cluster.main.output().matchAll(/^Enqueued execution (\d+) \(job \d+\)/gm)) {
		entry(match[1]).enqueued += 1;
	}
	for (const worker of cluster.workers) {
		const log = worker.output();
		for (const [, id] of log.matchAll(/Worker started execution (\d+) \(job/g))
			entry(id).started.push(worker.name);
		for (const [, id] of log.matchAll(/Worker finished execution (\d+) \(job/g))
			entry(id).finished.push(worker.name);
		for (const [, id] of log.matchAll(/Worker errored while running execution (\d+) \(job/g))
			entry(id).errored.push(worker.name);
	}
	return runs;
}

/** The executions of a workflow, newest last, with their parsed run data when asked. */
export async function executions(postgres, { workflowId, afterId = 0, withData = false }) {
	const rows = await postgres.query(
		`SELECT e.id, e.status, e.mode, e.finished, e."startedAt", e."stoppedAt", e."createdAt", e."retryOf"
		        ${withData ? ', d.data' : ''}
		   FROM execution_entity e ${withData ? 'LEFT JOIN execution_data d ON d."executionId" = e.id' : ''}
		  WHERE e."workflowId" = $1 AND e.id > $2
		  ORDER BY e.id`,
		[workflowId, afterId],
	);
	return rows.map((row) => ({
		...row,
		id: String(row.id),
		...(withData && { data: row.data ? parse(row.data) : null, rawData: row.data }),
	}));
}

export async function latestExecutionId(postgres) {
	const [row] = await postgres.query('SELECT COALESCE(MAX(id), 0) AS id FROM execution_entity');
	return Number(row.id);
}

/** Waits until `count` executions of the workflow after `afterId` have left new/running. */
export async function waitForFinished(postgres, { workflowId, afterId, count, timeoutMs, what }) {
	const deadline = Date.now() + timeoutMs;
	let rows = [];
	while (Date.now() < deadline) {
		rows = await executions(postgres, { workflowId, afterId });
		const done = rows.filter((r) => !['new', 'running', 'waiting'].includes(r.status));
		if (rows.length >= count && done.length >= count) {
			return await executions(postgres, { workflowId, afterId, withData: true });
		}
		await sleep(500);
	}
	throw new Error(
		`timed out after ${timeoutMs} ms waiting for ${count} finished executions (${what}); saw ${JSON.stringify(rows.map((r) => [r.id, r.status]))}`,
	);
}

/** The node names that ran in an execution. */
export const nodesThatRan = (execution) => Object.keys(execution.data?.resultData?.runData ?? {});

/** [Success items, Error items] (item JSON) of a node's one run in an execution. */
export function outputsOf(execution, nodeName) {
	const runs = execution.data?.resultData?.runData?.[nodeName];
	assert.ok(
		runs && runs.length === 1,
		`execution ${execution.id}: node "${nodeName}" has no run data; nodes that ran: ${JSON.stringify(nodesThatRan(execution))}; error: ${JSON.stringify(execution.data?.resultData?.error?.message)}`,
	);
	assert.equal(
		runs[0].error,
		undefined,
		`execution ${execution.id}: node "${nodeName}" failed: ${JSON.stringify(runs[0].error)}`,
	);
	const [success = [], error = []] = runs[0].data?.main ?? [];
	return [(success ?? []).map((item) => item.json), (error ?? []).map((item) => item.json)];
}

/** The items a webhook trigger received in an execution (its body's `items`). */
export function webhookItems(execution, webhookNode) {
	const [run] = execution.data?.resultData?.runData?.[webhookNode] ?? [];
	return run?.data?.main?.[0]?.[0]?.json?.body?.items ?? null;
}
