// The package in n8n's queue mode: one main, two workers, Redis and PostgreSQL, all on this
// machine (scripts/queue/cluster.mjs). Run by `npm run test:queue` (test/queue/run.mjs), which
// installs what is missing, packs the package and passes the tarball in KALEYRA_QUEUE_TARBALL.
// The checks run in order on one cluster; each prints its figures, and the last lines of the
// run are a summary of them all.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { DEFAULT_ACCOUNT, NUMBERS } from '../../emulator/fixtures.mjs';
import {
	leftoverProcesses,
	listeningPorts,
	startQueueCluster,
} from '../../scripts/queue/cluster.mjs';
import { sleep, waitFor } from '../../scripts/n8n/ports.mjs';
import { MIX_OF_50, checkOutputs, checkRequests, faultsOf, makeBatches } from './lib/batches.mjs';
import { addNumbers, emulatorControl, verifyRequests } from './lib/emulator.mjs';
import {
	executions,
	latestExecutionId,
	nodesThatRan,
	outputsOf,
	waitForFinished,
	webhookItems,
	whoRan,
} from './lib/executions.mjs';
import {
	BRANCHES,
	MANUAL_CASES,
	MANUAL_TRIGGER,
	MANUAL_VERIFY_NODE,
	MANUAL_WORKFLOW_ID,
	NODE_TYPE,
	NUMBER_TRIGGER,
	TRIGGER_WORKFLOW_ID,
	WABA,
	WEBHOOK_WORKFLOW_ID,
	manualWorkflow,
	numberTriggerWorkflow,
	verifyNode,
	webhookPath,
	webhookWorkflow,
} from './lib/workflows.mjs';

const TARBALL = process.env.KALEYRA_QUEUE_TARBALL;
// KALEYRA_QUEUE_KEEP=1 keeps the cluster's folder (logs, user folders, Postgres) for a look.
const KEEP = process.env.KALEYRA_QUEUE_KEEP === '1';
const API_KEY = DEFAULT_ACCOUNT.apiKey;
// What the node writes to n8n's log as each request leaves, once it does (see README.md here):
// the suite checks those lines after the kill when the packed node contains this text.
const LEAVING_LINE = 'request leaving:';

const report = {};
const note = (section, figures) => {
	report[section] = { ...report[section], ...figures };
	console.log(`[queue] ${section}: ${JSON.stringify(figures)}`);
};
const seconds = (ms) => Math.round(ms / 100) / 10;

let cluster;
let emulator;
let stopping = null;

// A SIGTERM (the runner's timeout, Ctrl-C) stops every process and removes the folder first.
async function stopCluster(keepFolder = false) {
	stopping ??= cluster?.stop({ keepFolder }) ?? Promise.resolve();
	return await stopping;
}
for (const signal of ['SIGINT', 'SIGTERM']) {
	process.once(signal, () => {
		console.error(`[queue] ${signal}: stopping the cluster`);
		stopCluster().finally(() => process.exit(1));
	});
}

async function postWebhook(branch, body) {
	const started = Date.now();
	const res = await fetch(`${cluster.main.url}/webhook/${webhookPath(branch)}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
	const text = await res.text();
	return { status: res.status, text, ms: Date.now() - started };
}

/** The batch an execution ran, by the `case` its webhook received. */
function batchOf(execution, branch, batches) {
	const items = webhookItems(execution, `Webhook (${branch})`);
	const prefix = items?.[0]?.case?.split('/')[0];
	const batch = batches.find((b) => b.id === prefix);
	assert.ok(
		batch,
		`execution ${execution.id}: no batch of this check in its webhook data (${prefix})`,
	);
	return batch;
}

/** Which worker ran each execution: started and finished by exactly one worker, logged by main. */
async function ranOnOneWorker(ids) {
	// A worker logs "finished" after its last after-run hooks, a moment after the database says
	// the run is done: give the log lines that moment.
	let runs = whoRan(cluster);
	for (let waited = 0; waited < 15_000; waited += 250) {
		if (ids.every((id) => (runs.get(id)?.finished.length ?? 0) >= 1)) break;
		await sleep(250);
		runs = whoRan(cluster);
	}
	const perWorker = {};
	for (const id of ids) {
		const run = runs.get(id);
		assert.ok(run, `execution ${id}: no process logged it`);
		assert.equal(
			run.enqueued,
			1,
			`execution ${id}: main logged "Enqueued execution ${id}" ${run.enqueued} times`,
		);
		assert.equal(
			run.started.length,
			1,
			`execution ${id}: started by ${JSON.stringify(run.started)}`,
		);
		assert.deepEqual(
			run.finished,
			run.started,
			`execution ${id}: finished by ${JSON.stringify(run.finished)}`,
		);
		perWorker[run.started[0]] = (perWorker[run.started[0]] ?? 0) + 1;
	}
	return perWorker;
}

function assertNoApiKey(where) {
	const places = {
		...cluster.readLogs(),
		'pg_dump of the whole database': cluster.postgres.dump(),
	};
	for (const [name, text] of Object.entries(places)) {
		assert.ok(!text.includes(API_KEY), `${where}: the API key is in ${name}`);
	}
	return Object.keys(places);
}

const STATUS_DONE = (status) => !['new', 'running', 'waiting'].includes(status);

if (!TARBALL) {
	test(
		'queue mode (run with npm run test:queue)',
		{ skip: 'KALEYRA_QUEUE_TARBALL not set' },
		() => {},
	);
} else {
	const suiteStarted = Date.now();

	before(async () => {
		const started = Date.now();
		cluster = await startQueueCluster({
			tarball: TARBALL,
			workers: 2,
			concurrency: 10,
			workflows: [webhookWorkflow(), manualWorkflow(), numberTriggerWorkflow()],
			publish: [WEBHOOK_WORKFLOW_ID],
			say: (line) => console.log(`[queue] ${line}`),
		});
		emulator = emulatorControl(cluster.emulator.url);
		// Main answers before it has registered the published webhooks. A GET to a POST-only
		// webhook says "not registered for GET … Did you mean … POST" once it is, and starts nothing.
		for (const branch of Object.keys(BRANCHES)) {
			await waitFor(
				async () => {
					const res = await fetch(`${cluster.main.url}/webhook/${webhookPath(branch)}`);
					return (await res.text()).includes('POST');
				},
				{ timeoutMs: 60_000, what: `the ${branch} webhook to be registered` },
			);
		}
		note('startup', {
			seconds: seconds(Date.now() - started),
			main: cluster.main.url,
			workers: cluster.workers.map((w) => `${w.name} health ${w.health}`),
			postgresPort: cluster.postgres.port,
			redisPort: cluster.redis.port,
			emulator: cluster.emulator.url,
		});
	});

	after(async () => {
		if (!cluster) return;
		const ports = [...cluster.ports];
		const started = Date.now();
		await stopCluster(KEEP);
		if (KEEP) console.log(`[queue] kept ${cluster.dir}`);
		const open = await listeningPorts(cluster);
		const alive = leftoverProcesses(cluster);
		note('shutdown', {
			seconds: seconds(Date.now() - started),
			portsChecked: ports.length,
			stillListening: open,
			processesLeft: alive,
			folderLeft: fs.existsSync(cluster.dir),
		});
		note('total', { seconds: seconds(Date.now() - suiteStarted) });
		console.log(`[queue] SUMMARY ${JSON.stringify(report, null, 2)}`);
		assert.deepEqual(open, [], 'ports still listening after the cluster stopped');
		assert.deepEqual(alive, [], 'processes of the cluster still alive after it stopped');
		if (!KEEP) assert.equal(fs.existsSync(cluster.dir), false, `${cluster.dir} is left behind`);
	});

	test(
		'triggered (production webhook) and manual executions run on the workers',
		{ timeout: 180_000 },
		async () => {
			const numbers = await addNumbers(cluster.emulator.url, 20);
			const mix = { right: 3, wrong: 2, invalid: 2, busy: 1, busyOnce: 2 };
			const batches = makeBatches(numbers, 2, mix, 'trigger');
			await emulator.setFaults({ latencyMs: 20, byPhoneNumberId: faultsOf(batches) });
			const afterId = await latestExecutionId(cluster.postgres);
			const logBefore = (await emulator.requests()).length;

			// Respond "when last node finishes": main answers only once a worker has run it.
			const answers = [];
			for (const batch of batches)
				answers.push(await postWebhook('trigger', { items: batch.items }));
			for (const [i, answer] of answers.entries()) {
				assert.equal(answer.status, 200, `webhook call ${i}: ${answer.text}`);
				const body = JSON.parse(answer.text);
				assert.equal(
					body.length,
					batches[i].cases.filter((c) => c.expect.output === 'success').length,
					'webhook answer: the Success items',
				);
			}
			// A manual run, as the editor's "Execute workflow" starts it, offloaded to a worker.
			const manual = await cluster.rest.post(`/workflows/${MANUAL_WORKFLOW_ID}/run`, {
				triggerToStartFrom: { name: MANUAL_TRIGGER },
			});
			assert.ok(manual?.executionId, `manual run: ${JSON.stringify(manual)}`);

			const webhookRuns = await waitForFinished(cluster.postgres, {
				workflowId: WEBHOOK_WORKFLOW_ID,
				afterId,
				count: 2,
				timeoutMs: 60_000,
				what: 'trigger webhooks',
			});
			const [manualRun] = await waitForFinished(cluster.postgres, {
				workflowId: MANUAL_WORKFLOW_ID,
				afterId,
				count: 1,
				timeoutMs: 60_000,
				what: 'manual run',
			});
			assert.equal(manualRun.id, String(manual.executionId));

			const outputs = [];
			for (const execution of webhookRuns) {
				assert.equal(execution.mode, 'webhook');
				assert.equal(execution.status, 'success', `execution ${execution.id}`);
				const batch = batchOf(execution, 'trigger', batches);
				outputs.push(
					checkOutputs(
						outputsOf(execution, verifyNode('trigger')),
						batch.cases,
						`execution ${execution.id}`,
					),
				);
			}
			assert.equal(manualRun.mode, 'manual');
			assert.equal(manualRun.status, 'success');
			const manualCases = MANUAL_CASES.map((c) => ({
				...c,
				number: { id: c.item.phoneNumberId },
				item: { ...c.item, case: `manual/${c.kind}` },
			}));
			const manualOut = checkOutputs(
				outputsOf(manualRun, MANUAL_VERIFY_NODE),
				manualCases,
				`manual execution ${manualRun.id}`,
			);

			const ids = [...webhookRuns.map((e) => e.id), manualRun.id];
			const perWorker = await ranOnOneWorker(ids);
			const runs = whoRan(cluster);
			const requests = verifyRequests((await emulator.requests()).slice(logBefore));
			const sent = checkRequests(
				requests,
				[...batches.flatMap((b) => b.cases), ...manualCases],
				'trigger and manual',
			);
			assert.equal(requests.length, sent, 'requests for numbers outside the check');
			note('triggered and manual', {
				executions: ids.map(
					(id) =>
						`${id} ${id === manualRun.id ? 'manual' : 'webhook'} on ${runs.get(id).started[0]}`,
				),
				items: batches.reduce((n, b) => n + b.items.length, 0) + MANUAL_CASES.length,
				outputs: [...outputs, manualOut],
				requests: sent,
				perWorker,
			});
		},
	);

	test(
		'Number Trigger: main polls; one change gives exactly one execution, on one worker',
		{ timeout: 360_000 },
		async () => {
			await emulator.setFaults({});
			// Either form of the number in the details path: this check is about where polls run.
			const { detailsPath } = await emulator.dialect();
			await emulator.setDialect({ detailsPath: 'both' });
			const listPath = `/v2/${DEFAULT_ACCOUNT.sid}/whatsapp/${WABA}/number`;
			const inWaba = Object.values(await emulator.numbers()).filter((n) => n.wabaId === WABA);
			const logBefore = (await emulator.requests()).length;
			/** Each poll since the check began: when its list request came, and whether all its reads did. */
			const polls = async () => {
				const log = (await emulator.requests()).slice(logBefore);
				return log
					.map((request, index) => ({ ...request, index }))
					.filter((request) => request.method === 'GET' && request.path === listPath)
					.map((start) => ({
						at: start.receivedAt,
						complete: log.length - start.index >= 1 + inWaba.length,
					}));
			};
			const afterId = await latestExecutionId(cluster.postgres);
			const activatedAt = Date.now();
			const { versionId } = await cluster.rest.get(`/workflows/${TRIGGER_WORKFLOW_ID}`);
			await cluster.rest.post(`/workflows/${TRIGGER_WORKFLOW_ID}/activate`, { versionId });
			try {
				// The activation poll records the baseline and starts nothing.
				await waitFor(async () => (await polls())[0]?.complete, {
					timeoutMs: 60_000,
					what: 'the activation poll',
				});
				await emulator.updateNumber(NUMBERS.approved.id, { status: 'FLAGGED' });
				const changedAt = Date.now();
				const [run] = await waitForFinished(cluster.postgres, {
					workflowId: TRIGGER_WORKFLOW_ID,
					afterId,
					count: 1,
					timeoutMs: 150_000,
					what: 'the execution the change starts',
				});
				assert.equal(run.mode, 'trigger');
				assert.equal(run.status, 'success', `execution ${run.id}`);
				const [items] = outputsOf(run, NUMBER_TRIGGER);
				assert.deepEqual(
					items.map(({ event, phoneNumberId, previous, current }) => [
						event,
						phoneNumberId,
						previous,
						current,
					]),
					[['statusChanged', NUMBERS.approved.id, 'CONNECTED', 'FLAGGED']],
				);
				const perWorker = await ranOnOneWorker([run.id]);
				// The next poll sees the same values: no second execution, on any process.
				const seen = (await polls()).length;
				await waitFor(
					async () => {
						const all = await polls();
						return all.length > seen && all.at(-1).complete;
					},
					{ timeoutMs: 90_000, what: 'the next poll' },
				);
				const all = await executions(cluster.postgres, {
					workflowId: TRIGGER_WORKFLOW_ID,
					afterId,
				});
				assert.deepEqual(
					all.map((e) => e.id),
					[run.id],
				);
				const log = (await emulator.requests()).slice(logBefore);
				assert.ok(
					log.every((request) => request.method === 'GET'),
					'the trigger only reads',
				);
				const pollTimes = (await polls()).map(({ at }) => seconds(at - activatedAt));
				note('number trigger', {
					numbersInWaba: inWaba.length,
					execution: `${run.id} ${run.mode} on ${Object.keys(perWorker)[0]}`,
					secondsFromChangeToExecution: seconds(new Date(run.startedAt) - changedAt),
					pollsSecondsAfterActivation: pollTimes,
					requests: log.length,
				});
			} finally {
				await cluster.rest.post(`/workflows/${TRIGGER_WORKFLOW_ID}/deactivate`, {});
				await emulator.setDialect({ detailsPath });
			}
		},
	);

	test(
		'load: 20 executions of 50 mixed items at once, over both workers',
		{ timeout: 300_000 },
		async () => {
			const count = 20;
			const perBatch = Object.values(MIX_OF_50).reduce((a, b) => a + b, 0);
			const numbers = await addNumbers(cluster.emulator.url, count * perBatch);
			const batches = makeBatches(numbers, count, MIX_OF_50, 'load');
			await emulator.setFaults({ latencyMs: 50, byPhoneNumberId: faultsOf(batches) });
			const afterId = await latestExecutionId(cluster.postgres);
			const logBefore = (await emulator.requests()).length;
			const countersBefore = await emulator.counters();

			const started = Date.now();
			const answers = await Promise.all(
				batches.map((batch) => postWebhook('load', { items: batch.items })),
			);
			const wall = Date.now() - started;
			answers.forEach((a, i) => assert.equal(a.status, 200, `load webhook ${i}: ${a.text}`));

			const runs = await waitForFinished(cluster.postgres, {
				workflowId: WEBHOOK_WORKFLOW_ID,
				afterId,
				count,
				timeoutMs: 120_000,
				what: 'load',
			});
			assert.equal(runs.length, count, `${runs.length} executions for ${count} webhook calls`);
			const totals = { success: 0, error: 0 };
			const seenBatches = new Set();
			for (const execution of runs) {
				assert.equal(
					execution.status,
					'success',
					`execution ${execution.id}: ${execution.data?.resultData?.error?.message}`,
				);
				const batch = batchOf(execution, 'load', batches);
				assert.ok(!seenBatches.has(batch.id), `${batch.id} ran twice`);
				seenBatches.add(batch.id);
				const out = checkOutputs(
					outputsOf(execution, verifyNode('load')),
					batch.cases,
					`execution ${execution.id} (${batch.id})`,
				);
				totals.success += out.success;
				totals.error += out.error;
			}
			assert.equal(seenBatches.size, count, 'every batch ran');

			const perWorker = await ranOnOneWorker(runs.map((e) => e.id));
			assert.equal(
				Object.keys(perWorker).length,
				2,
				`executions per worker: ${JSON.stringify(perWorker)}`,
			);

			const requests = verifyRequests((await emulator.requests()).slice(logBefore));
			const cases = batches.flatMap((b) => b.cases);
			const sent = checkRequests(requests, cases, 'load');
			assert.equal(requests.length, sent, 'requests for numbers outside the check');
			const unanswered = requests.filter((r) => r.status === null);
			assert.equal(
				unanswered.length,
				0,
				`${unanswered.length} requests never got their answer written`,
			);
			const counters = await emulator.counters();
			const places = assertNoApiKey('after the load');
			const spans = runs.map((e) => new Date(e.stoppedAt) - new Date(e.startedAt));
			note('load', {
				executions: runs.length,
				items: cases.length,
				mix: MIX_OF_50,
				success: totals.success,
				error: totals.error,
				requests: sent,
				requestsExpected: cases.reduce((n, c) => n + c.expect.attempts, 0),
				duplicates: 0,
				perWorker,
				webhookCallsSeconds: seconds(wall),
				executionSecondsMax: seconds(Math.max(...spans)),
				emulatorMaxInFlight: counters.maxInFlight,
				emulatorRequestsCounted: counters.requests - countersBefore.requests,
				apiKeySearched: places,
			});
		},
	);

	test(
		'pacing is per node run: 20 executions at Max Requests per Second 10',
		{ timeout: 300_000 },
		async () => {
			const count = 20;
			const perExecution = 30;
			const numbers = await addNumbers(cluster.emulator.url, count * perExecution);
			const batches = makeBatches(numbers, count, { right: perExecution }, 'pace');
			await emulator.setFaults({ latencyMs: 20 });
			const afterId = await latestExecutionId(cluster.postgres);
			const logBefore = (await emulator.requests()).length;

			const answers = await Promise.all(
				batches.map((batch) => postWebhook('pace', { items: batch.items })),
			);
			answers.forEach((a, i) => assert.equal(a.status, 200, `pace webhook ${i}: ${a.text}`));
			const runs = await waitForFinished(cluster.postgres, {
				workflowId: WEBHOOK_WORKFLOW_ID,
				afterId,
				count,
				timeoutMs: 120_000,
				what: 'pacing',
			});
			for (const execution of runs) {
				assert.equal(execution.status, 'success');
				checkOutputs(
					outputsOf(execution, verifyNode('pace')),
					batchOf(execution, 'pace', batches).cases,
					`execution ${execution.id}`,
				);
			}
			const perWorker = await ranOnOneWorker(runs.map((e) => e.id));

			const requests = verifyRequests((await emulator.requests()).slice(logBefore));
			checkRequests(
				requests,
				batches.flatMap((b) => b.cases),
				'pacing',
			);
			const batchOfId = new Map(batches.flatMap((b) => b.cases.map((c) => [c.number.id, b.id])));
			const times = requests.map((r) => r.receivedAt).sort((a, b) => a - b);
			// The most requests received within any window of `ms` (sliding over each request).
			const peak = (ts, ms = 1000) => {
				let best = 0;
				for (let i = 0, j = 0; i < ts.length; i++) {
					while (ts[i] - ts[j] >= ms) j++;
					best = Math.max(best, i - j + 1);
				}
				return best;
			};
			const perRun = batches.map((b) => {
				const ts = requests
					.filter((r) => batchOfId.get(r.json.id) === b.id)
					.map((r) => r.receivedAt)
					.sort((x, y) => x - y);
				return {
					first: ts[0],
					last: ts.at(-1),
					count: ts.length,
					peak: peak(ts),
					peak3s: peak(ts, 3000),
					rate: ((ts.length - 1) * 1000) / (ts.at(-1) - ts[0]),
				};
			});
			// How many executions were sending at once, at the busiest moment.
			let overlap = 0;
			for (const t of times)
				overlap = Math.max(overlap, perRun.filter((r) => r.first <= t && t <= r.last).length);
			const span = times.at(-1) - times[0];
			const combined = {
				peakPerSecond: peak(times),
				averagePerSecond: Math.round((times.length * 10000) / span) / 10,
			};
			const runPeaks = perRun.map((r) => r.peak);
			const runPeaks3s = perRun.map((r) => r.peak3s);
			const runRates = perRun.map((r) => Math.round(r.rate * 100) / 100);
			note('pacing', {
				executions: count,
				itemsEach: perExecution,
				requests: requests.length,
				perWorker,
				spanSeconds: seconds(span),
				combinedPeakInAnySecond: combined.peakPerSecond,
				combinedAveragePerSecond: combined.averagePerSecond,
				executionsSendingAtOnceMax: overlap,
				perExecutionPeakInAnySecond: { min: Math.min(...runPeaks), max: Math.max(...runPeaks) },
				perExecutionPeakInAny3Seconds: {
					min: Math.min(...runPeaks3s),
					max: Math.max(...runPeaks3s),
				},
				perExecutionAverageRate: { min: Math.min(...runRates), max: Math.max(...runRates) },
			});
			// Each run keeps to its own limit. The pacer spaces the starts of its requests; between a
			// start and the emulator reading the request lies n8n's own work on a worker running ten
			// executions on two shared cores, so arrivals jitter by up to a few hundred ms: a few
			// requests of slack in any window, whatever its length.
			const SLACK = 3;
			assert.ok(
				Math.max(...runPeaks) <= 10 + SLACK,
				`a run sent ${Math.max(...runPeaks)} requests within one second`,
			);
			assert.ok(
				Math.max(...runPeaks3s) <= 30 + SLACK,
				`a run sent ${Math.max(...runPeaks3s)} requests within three seconds`,
			);
			// The long-run rate, with the same slack: a first request that arrives late shortens the
			// span the arrivals show, not the one the pacer kept.
			const slackRates = perRun.map((r) => ((r.count - 1 - SLACK) * 1000) / (r.last - r.first));
			assert.ok(
				Math.max(...slackRates) <= 10,
				`a run averaged ${Math.max(...runRates)} requests/s`,
			);
			// …and nothing holds the runs to one limit together: the emulator sees several times 10/s.
			assert.ok(overlap >= 5, `only ${overlap} executions were sending at once`);
			assert.ok(
				combined.peakPerSecond >= 30,
				`combined peak ${combined.peakPerSecond}/s: pacing looks global`,
			);
		},
	);

	/**
	 * Starts `count` executions of `perExecution` right-OTP items each through the respond-at-once
	 * webhook, with Kaleyra answering after `latencyMs`; waits until every one has had one answer
	 * and has its next request in flight; SIGKILLs the worker running the most of them.
	 */
	async function startAndKill({ label, count, perExecution, latencyMs }) {
		const numbers = await addNumbers(cluster.emulator.url, count * perExecution);
		const batches = makeBatches(numbers, count, { right: perExecution }, label);
		const cases = batches.flatMap((b) => b.cases);
		const caseOfId = new Map(cases.map((c) => [c.number.id, c]));
		const batchOfCase = (c) => batches.find((b) => b.id === c.item.case.split('/')[0]);
		await emulator.setFaults({ latencyMs });
		const afterId = await latestExecutionId(cluster.postgres);
		const logBefore = (await emulator.requests()).length;
		const sentSoFar = async () =>
			verifyRequests((await emulator.requests()).slice(logBefore)).filter((r) =>
				caseOfId.has(r.json?.id),
			);
		const rows = () => executions(cluster.postgres, { workflowId: WEBHOOK_WORKFLOW_ID, afterId });

		// Respond immediately: the caller has its 200 before any worker has the job.
		const answers = await Promise.all(
			batches.map((batch) => postWebhook('kill', { items: batch.items })),
		);
		answers.forEach((a, i) => assert.equal(a.status, 200, `kill webhook ${i}: ${a.text}`));
		const ids = await waitFor(
			async () => ((await rows()).length === count ? (await rows()).map((r) => r.id) : false),
			{
				timeoutMs: 30_000,
				what: `the ${label} executions to be stored`,
			},
		);
		await waitFor(
			async () => {
				const runs = whoRan(cluster);
				if (!ids.every((id) => runs.get(id)?.started.length === 1)) return false;
				if (!(await rows()).every((r) => r.status === 'running')) return false;
				const perBatch = new Map();
				for (const r of await sentSoFar()) {
					const b = batchOfCase(caseOfId.get(r.json.id)).id;
					perBatch.set(b, (perBatch.get(b) ?? 0) + 1);
				}
				return batches.every((b) => (perBatch.get(b.id) ?? 0) >= 2);
			},
			{
				timeoutMs: 60_000,
				everyMs: 200,
				what: `every ${label} execution to have one answer and one request in flight`,
			},
		);
		// Which batch each execution runs: until it ends, its stored data holds the webhook's items.
		const batchOfExecution = new Map();
		for (const execution of await executions(cluster.postgres, {
			workflowId: WEBHOOK_WORKFLOW_ID,
			afterId,
			withData: true,
		})) {
			const items =
				execution.data?.executionData?.nodeExecutionStack?.[0]?.data?.main?.[0]?.[0]?.json?.body
					?.items ?? webhookItems(execution, 'Webhook (kill)');
			const prefix = items?.[0]?.case?.split('/')[0];
			assert.ok(prefix, `execution ${execution.id}: no webhook data stored before the kill`);
			batchOfExecution.set(
				execution.id,
				batches.find((b) => b.id === prefix),
			);
		}
		const byWorker = {};
		const runs = whoRan(cluster);
		for (const id of ids) (byWorker[runs.get(id).started[0]] ??= []).push(id);
		const [victimName, victimIds] = Object.entries(byWorker).sort(
			(a, b) => b[1].length - a[1].length,
		)[0];
		const victim = cluster.workers.find((w) => w.name === victimName);
		const survivorIds = ids.filter((id) => !victimIds.includes(id));
		const victimNumbers = new Set(
			victimIds.flatMap((id) => batchOfExecution.get(id).cases.map((c) => c.number.id)),
		);

		// Kill while each of the victim's executions has a request well inside Kaleyra's delay
		// (not in the few milliseconds between an answer and the next request).
		await waitFor(
			async () => {
				const sent = await sentSoFar();
				const now = Date.now();
				return victimIds.every((id) => {
					const numbersOfRun = new Set(batchOfExecution.get(id).cases.map((c) => c.number.id));
					const latest = Math.max(
						...sent.filter((r) => numbersOfRun.has(r.json.id)).map((r) => r.receivedAt),
					);
					return now - latest > 200 && now - latest < latencyMs - 500;
				});
			},
			{
				timeoutMs: 20_000,
				everyMs: 50,
				what: `the ${label} executions to each have a request in flight`,
			},
		);
		const killedAt = Date.now();
		await victim.kill('SIGKILL');
		const victimSent = (await sentSoFar()).filter((r) => victimNumbers.has(r.json.id));
		const statusAtKill = Object.fromEntries((await rows()).map((r) => [r.id, r.status]));
		for (const id of victimIds)
			assert.equal(statusAtKill[id], 'running', `execution ${id} right after the kill`);

		const statusSeen = Object.fromEntries(victimIds.map((id) => [id, ['running']]));
		const firstSeen = {};
		/**
		 * Polls until `done(statuses of the killed executions)`; at every poll fails if a killed
		 * execution was started again, or a number reached Kaleyra twice, or a killed execution
		 * sent anything after the kill. `onStatus(id, status)` sees each new status once.
		 */
		const watch = async ({ done, timeoutMs, what, onStatus = async () => {} }) =>
			await waitFor(
				async () => {
					const again = whoRan(cluster);
					for (const id of victimIds) {
						assert.deepEqual(
							again.get(id).started,
							[victimName],
							`execution ${id} was started again after the kill: n8n re-runs stalled jobs now`,
						);
					}
					const perNumber = new Map();
					const sent = await sentSoFar();
					for (const r of sent) perNumber.set(r.json.id, (perNumber.get(r.json.id) ?? 0) + 1);
					assert.deepEqual(
						[...perNumber].filter(([, n]) => n > 1),
						[],
						'a number was sent to Kaleyra twice',
					);
					const late = sent.filter((r) => victimNumbers.has(r.json.id) && r.receivedAt > killedAt);
					assert.deepEqual(
						late.map((r) => r.json.id),
						[],
						'a killed execution sent requests after the kill',
					);
					const current = Object.fromEntries((await rows()).map((r) => [r.id, r.status]));
					for (const id of victimIds) {
						if (statusSeen[id].at(-1) !== current[id]) {
							statusSeen[id].push(current[id]);
							firstSeen[`${id} ${current[id]}`] = Date.now() - killedAt;
							await onStatus(id, current[id]);
						}
					}
					return done(victimIds.map((id) => current[id]));
				},
				{ timeoutMs, everyMs: 1000, what },
			);

		/** The checks once every killed execution is `error`: stored data, survivors, Kaleyra's side. */
		const checkEnd = async () => {
			const finalRows = await executions(cluster.postgres, {
				workflowId: WEBHOOK_WORKFLOW_ID,
				afterId,
				withData: true,
			});
			for (const id of victimIds) {
				const row = finalRows.find((r) => r.id === id);
				assert.equal(row.status, 'error', `execution ${id}`);
				assert.equal(row.finished, false);
				const message = row.data?.resultData?.error?.message ?? '';
				assert.ok(message.includes(STALLED_MESSAGE), `execution ${id}: stored error "${message}"`);
				// The stored data is the error only: no node's run data, no item, no trace of what was sent.
				assert.deepEqual(
					nodesThatRan(row),
					[],
					`execution ${id}: stored run data of ${JSON.stringify(nodesThatRan(row))}`,
				);
				for (const c of batchOfExecution.get(id).cases) {
					assert.ok(
						!row.rawData.includes(c.number.phoneNumber),
						`execution ${id}: ${c.number.phoneNumber} is still in its stored data`,
					);
				}
			}
			// The other worker's executions ran to their end, untouched.
			for (const id of survivorIds) {
				const row = finalRows.find((r) => r.id === id);
				assert.equal(row.status, 'success', `surviving execution ${id}`);
				checkOutputs(
					outputsOf(row, verifyNode('kill')),
					batchOfExecution.get(id).cases,
					`surviving execution ${id}`,
				);
			}
			// Requests sent before the kill stand: each verified its number, the one in flight too.
			const emulatorNumbers = await emulator.numbers();
			const approved = [...victimNumbers].filter((id) => emulatorNumbers[id].state === 'approved');
			assert.deepEqual(
				approved.sort(),
				victimSent.map((r) => r.json.id).sort(),
				'numbers verified by the killed executions',
			);
			const inFlight = victimSent.filter((r) => r.status === null);
			assert.equal(
				inFlight.length,
				victimIds.length,
				'one request per killed execution in flight at the kill, its answer never read',
			);
			return { approved: approved.length, inFlight: inFlight.length };
		};

		/** The node's own log lines, when the packed node writes them: the numbers that left, per execution. */
		const checkLeavingLines = () => {
			if (
				!execFileSync('tar', ['-xzOf', TARBALL], { maxBuffer: 1 << 28 })
					.toString()
					.includes(LEAVING_LINE)
			) {
				return 'the packed node writes no per-request log line';
			}
			const log = victim.output();
			for (const id of victimIds) {
				const logged = new Set(
					[
						// The line masks the phone number; the phone number ID names it.
						...log.matchAll(new RegExp(`${LEAVING_LINE} execution ${id}\\b.*?phoneNumberId (\\d+)`, 'g')),
					].map((m) => m[1]),
				);
				const numbersOfRun = new Set(batchOfExecution.get(id).cases.map((c) => c.number.id));
				const sent = new Set(
					victimSent.filter((r) => numbersOfRun.has(r.json.id)).map((r) => String(r.json.id)),
				);
				assert.deepEqual(
					[...logged].sort(),
					[...sent].sort(),
					`execution ${id}: numbers in the killed worker's log vs. at Kaleyra`,
				);
			}
			return "the killed worker's log lists exactly the numbers Kaleyra received";
		};

		return {
			victim,
			victimName,
			victimIds,
			survivorIds,
			victimSent,
			killedAt,
			statusSeen,
			firstSeen,
			watch,
			checkEnd,
			checkLeavingLines,
			sentSoFar,
			rows,
			figures: {
				executions: count,
				itemsEach: perExecution,
				emulatorLatencyMs: latencyMs,
				killed: `${victimName} (SIGKILL to its process group) running executions ${victimIds.join(', ')}`,
				survivors: survivorIds,
				requestsSentByKilledExecutions: victimSent.length,
			},
		};
	}

	const STALLED_MESSAGE = 'failed to be processed too many times';
	const afterKill = (run) =>
		Object.fromEntries(Object.entries(run.firstSeen).map(([key, ms]) => [key, seconds(ms)]));

	test(
		'a worker killed (SIGKILL) mid-run and left down: not re-run, running then error, data replaced, sent requests stand, Retry sends nothing',
		{ timeout: 420_000 },
		async () => {
			const run = await startAndKill({ label: 'kill', count: 4, perExecution: 8, latencyMs: 3000 });
			// Bull's stall check (on the other worker) fails the job once the dead worker's lock expires.
			await run.watch({
				done: (statuses) => statuses.every(STATUS_DONE),
				timeoutMs: 300_000,
				what: 'the killed executions to end',
			});
			for (const id of run.victimIds)
				assert.deepEqual(
					run.statusSeen[id],
					['running', 'error'],
					`execution ${id}: statuses seen`,
				);
			const end = await run.checkEnd();

			// Retry on a killed execution: what n8n answers, and that nothing reaches Kaleyra.
			const before = (await run.sentSoFar()).length;
			const retries = [];
			for (const id of run.victimIds) {
				try {
					retries.push(
						`${id}: ${JSON.stringify(await cluster.rest.post(`/executions/${id}/retry`, { loadWorkflow: false })).slice(0, 160)}`,
					);
				} catch (error) {
					retries.push(`${id}: refused, ${error.message.slice(0, 160)}`);
				}
			}
			await sleep(5000);
			const retryRuns = (await run.rows()).filter(
				(r) => r.retryOf && run.victimIds.includes(r.retryOf),
			);
			assert.equal((await run.sentSoFar()).length, before, 'Retry sent requests to Kaleyra');

			// The worker returns, with its own folder: it does not pick up what it was running either.
			await run.victim.start();
			await run.watch({ done: () => true, timeoutMs: 1000, what: 'one more look' });
			await sleep(10_000);
			await run.watch({ done: () => true, timeoutMs: 1000, what: 'one more look' });
			for (const id of run.victimIds)
				assert.deepEqual(
					run.statusSeen[id],
					['running', 'error'],
					`execution ${id} after the worker returned`,
				);

			note('worker killed, left down', {
				...run.figures,
				inFlightAtKill: end.inFlight,
				numbersVerifiedByKilledExecutions: end.approved,
				numbersSentTwice: 0,
				statusesSeen: run.statusSeen,
				secondsAfterKill: afterKill(run),
				storedError: STALLED_MESSAGE,
				retry: retries,
				retryExecutions: retryRuns.map(
					(r) =>
						`${r.id} (${r.mode}, retry of ${r.retryOf}) ${r.status} on ${whoRan(cluster).get(r.id)?.started.join(', ') || 'no worker'}`,
				),
				requestsAfterRetry: 0,
				afterTheWorkerReturned: 'statuses unchanged, no execution started again, nothing sent',
				nodeLogLines: run.checkLeavingLines(),
			});
		},
	);

	test(
		'a worker killed (SIGKILL) mid-run that comes straight back with its folder: crashed, then error, still not re-run',
		{ timeout: 420_000 },
		async () => {
			const run = await startAndKill({ label: 'back', count: 3, perExecution: 8, latencyMs: 3000 });
			// A restarting container with a volume, or a process manager: the worker is back at once.
			await run.victim.start();
			const returnedAt = Date.now();
			const crashedData = {};
			await run.watch({
				done: (statuses) => statuses.every(STATUS_DONE) && statuses.every((s) => s === 'error'),
				timeoutMs: 300_000,
				what: 'the killed executions to end in error',
				onStatus: async (id, status) => {
					if (status !== 'crashed') return;
					const [row] = (
						await executions(cluster.postgres, {
							workflowId: WEBHOOK_WORKFLOW_ID,
							afterId: Number(id) - 1,
							withData: true,
						})
					).filter((r) => r.id === id);
					const runData = row?.data?.resultData?.runData ?? {};
					crashedData[id] = Object.fromEntries(
						Object.entries(runData).map(([node, runs]) => [
							node,
							runs.map((r) => ({
								items: (r.data?.main ?? []).map((o) => o?.length ?? 0),
								error: r.error?.message,
							})),
						]),
					);
				},
			});
			for (const id of run.victimIds) {
				assert.deepEqual(
					run.statusSeen[id],
					['running', 'crashed', 'error'],
					`execution ${id}: statuses seen`,
				);
				// What "crashed" showed: the nodes the worker's event log says started, but no item.
				const kaleyraRuns = crashedData[id]?.[verifyNode('kill')] ?? [];
				assert.ok(
					kaleyraRuns.every((r) => r.items.every((n) => n === 0)),
					`execution ${id}: items in the crashed data ${JSON.stringify(crashedData[id])}`,
				);
			}
			const end = await run.checkEnd();
			note('worker killed, back at once', {
				...run.figures,
				workerBackAfterSeconds: seconds(returnedAt - run.killedAt),
				inFlightAtKill: end.inFlight,
				numbersVerifiedByKilledExecutions: end.approved,
				numbersSentTwice: 0,
				statusesSeen: run.statusSeen,
				secondsAfterKill: afterKill(run),
				whileCrashed: crashedData,
				storedErrorAtTheEnd: STALLED_MESSAGE,
				nodeLogLines: run.checkLeavingLines(),
			});
		},
	);

	test(
		'a worker without the package: healthy, then fails each execution with "Unrecognized node type"',
		{ timeout: 240_000 },
		async () => {
			// Only that worker takes jobs: the two with the package stop first (gracefully, idle).
			for (const worker of cluster.workers) await worker.stop();
			const bare = await cluster.addWorker({ withPackage: false });
			const health = await fetch(`${bare.health}/healthz`);
			const readiness = await fetch(`${bare.health}/healthz/readiness`);
			assert.equal(health.status, 200);
			assert.equal(readiness.status, 200);

			const numbers = await addNumbers(cluster.emulator.url, 6);
			const batches = makeBatches(numbers, 3, { right: 2 }, 'bare');
			await emulator.setFaults({ latencyMs: 20 });
			const afterId = await latestExecutionId(cluster.postgres);
			const logBefore = (await emulator.requests()).length;
			const answers = [];
			for (const batch of batches)
				answers.push(await postWebhook('noPackage', { items: batch.items }));
			answers.forEach((a, i) => assert.equal(a.status, 200, `webhook ${i}: ${a.text}`));

			const runs = await waitForFinished(cluster.postgres, {
				workflowId: WEBHOOK_WORKFLOW_ID,
				afterId,
				count: batches.length,
				timeoutMs: 60_000,
				what: 'the no-package worker',
			});
			const who = whoRan(cluster);
			const durations = [];
			for (const execution of runs) {
				assert.equal(execution.status, 'error', `execution ${execution.id}`);
				assert.deepEqual(
					who.get(execution.id).started,
					[bare.name],
					`execution ${execution.id} started by`,
				);
				const message = execution.data?.resultData?.error?.message ?? '';
				assert.match(message, /Unrecognized node type/, `execution ${execution.id}: "${message}"`);
				assert.ok(message.includes(NODE_TYPE), `execution ${execution.id}: "${message}"`);
				durations.push(new Date(execution.stoppedAt) - new Date(execution.startedAt));
			}
			const requests = verifyRequests((await emulator.requests()).slice(logBefore));
			assert.equal(requests.length, 0, 'the emulator received requests');
			const workerLog = bare.output();
			const logged = (workerLog.match(/Unrecognized node type/g) ?? []).length;
			note('worker without the package', {
				worker: `${bare.name}, healthz ${health.status}, readiness ${readiness.status}`,
				webhookAnswers: answers.map((a) => `${a.status} in ${a.ms} ms: ${a.text.slice(0, 60)}`),
				executions: runs.map((e) => `${e.id} ${e.status}`),
				storedError: runs[0].data.resultData.error.message,
				secondsStartToError: durations.map((ms) => ms / 1000),
				workerLogMentions: logged,
				requests: 0,
			});
			await bare.stop();
		},
	);

	test("the API key is in no process's log and nowhere in PostgreSQL", () => {
		const places = assertNoApiKey('at the end');
		note('api key', { searched: places, found: 0 });
	});
}
