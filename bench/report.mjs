// The benchmark's markdown: README-ready tables from run.mjs's runs, with the date, the
// machine, its load, and which figures compare across machines.
import process from 'node:process';

import { HOP_HEADERS } from './harness.mjs';
import { PEER_VERSION } from './peer.mjs';
import { cores, cpuModel, fmt, loadText, spread, summary } from './stats.mjs';

const CONTENDERS = ['node', 'peer', 'bare'];
const GOALS = { atLeastPeer: 1, bareAtConcurrency1: 0.85 };

export function renderReport({ settings, machine, runs, growth, pacing, probe, problems }) {
	const { items, repeats, concurrencies, latencyMs } = settings;
	const at = (concurrency, contender) =>
		runs
			.filter((run) => run.concurrency === concurrency && run.contender === contender)
			.sort((a, b) => a.repeat - b.repeat)
			.map((run) => run.result);
	const rate = (result) => result.itemsPerSecond;
	const cpu = (result) => result.cpuMs / items;
	const rss = (result) => result.memory.peakRssMiB;
	const over = (result) => result.memory.peakRssMiB - result.memory.baselineRssMiB;
	/** A ratio taken within each repeat (same minutes, same load), then summarised. */
	const ratios = (concurrency, a, b, pick) => {
		const [as, bs] = [at(concurrency, a), at(concurrency, b)];
		return as.map((result, i) => pick(result) / pick(bs[i]));
	};
	const busiest = Math.max(...runs.map((run) => run.result.load.one), machine.loadAtEnd.one);
	const baselineName = {
		fetch: "Node's `fetch`",
		'http-keepalive': '`node:http` with one keep-alive agent',
	}[settings.baseline];

	const sentHeaders = Object.keys(probe.headers)
		.filter((name) => !HOP_HEADERS.has(name))
		.join(', ');
	const peerMode =
		settings.peerMode === 'lanes'
			? 'one-item runs, N side by side'
			: 'N items per run, one run after the other';

	const lines = [];
	const add = (...more) => lines.push(...more);
	add(`### Benchmark: the node, n8n's HTTP Request node and a bare loop`, '');
	add(
		`${machine.started.slice(0, 16).replace('T', ' ')} UTC; ${cores()} cores (${cpuModel()}); Node ${process.version}, ${process.platform}/${process.arch}; load average (1, 5, 15 min) ${loadText(machine.loadAtStart)} at the start, ${loadText(machine.loadAtEnd)} at the end, at most ${busiest.toFixed(2)} (1 min) before a case.`,
		'',
	);
	if (busiest > cores())
		add(
			`> **Warning: the machine was busy** (load average above its ${cores()} cores during the run). Other work takes CPU from the contenders unevenly; trust the ratios over the absolute figures, and rerun on a quiet machine.`,
			'',
		);
	add(
		`**What compares across machines:** the ratios (node/bare, node/peer), since the three contenders run in turns on the same machine within the same minutes. Absolute items/s, CPU per item and RSS depend on the CPU, its clock, Node's version and what else runs, and do not compare across machines.`,
		'',
	);
	add(
		`Kaleyra emulator in its own process on 127.0.0.1, ${latencyMs} ms added to every answer; ${items} items per case, Verify Number on distinct pending numbers (each answers 200 WA200), parameters mapped from each item by expression. Contenders: **node** (this package in n8n-core's WorkflowExecute, \`options.concurrency\`), **peer** (n8n-nodes-base's HTTP Request ${PEER_VERSION} with a Header Auth credential, in the same engine, ${peerMode}), **bare** (${baselineName}). All three send the same method, path, body and headers (${sentHeaders}), checked on a probe request. Each case is a fresh process; the contenders take turns (node, peer, bare, node, ...) for ${repeats} repeat${repeats === 1 ? '' : 's'}. Figures are the median and, in brackets, the min–max over the repeats; CPU per item is the case process's user + system CPU during the run; peak RSS its \`maxRSS\`, and over idle what it grew from just before the run (contender loaded, items built). Ideal at ${latencyMs} ms: ${fmt(1000 / latencyMs, 0)} × concurrency items/s.`,
		'',
	);

	add(
		'| concurrency | contender | items/s | CPU per item (ms) | peak RSS (MiB) | RSS over idle (MiB) | max in flight |',
	);
	add('| ---: | --- | ---: | ---: | ---: | ---: | ---: |');
	for (const concurrency of concurrencies) {
		for (const contender of CONTENDERS) {
			const results = at(concurrency, contender);
			add(
				`| ${concurrency} | ${contender} | ${spread(summary(results.map(rate)))} | ${spread(summary(results.map(cpu)), 2)} | ${spread(summary(results.map(rss)), 0)} | ${spread(summary(results.map(over)), 0)} | ${Math.max(...results.map((r) => r.counters.maxInFlight))} |`,
			);
		}
	}
	add('');

	add('Ratios, each taken within one repeat, then summarised (median, min–max):', '');
	add('| concurrency | node / bare items/s | node / peer items/s | node / peer CPU per item |');
	add('| ---: | ---: | ---: | ---: |');
	for (const concurrency of concurrencies) {
		const cell = (a, b, pick) => spread(summary(ratios(concurrency, a, b, pick)), 2);
		add(
			`| ${concurrency} | ${cell('node', 'bare', rate)} | ${cell('node', 'peer', rate)} | ${cell('node', 'peer', cpu)} |`,
		);
	}
	add('');

	const verdict = (values, ok) => {
		const met = values.filter(ok).length;
		if (met === values.length) return `yes, in all ${met} repeats`;
		const middle = summary(values).median;
		return ok(middle)
			? `yes by the median, in ${met} of ${values.length} repeats`
			: `**no**, met in ${met} of ${values.length} repeats`;
	};
	add('Goals, judged on the per-repeat ratios:', '');
	add(
		"| concurrency | items/s at least the peer's | CPU per item at most the peer's | items/s within 0.85 of the bare loop |",
	);
	add('| ---: | --- | --- | --- |');
	for (const concurrency of concurrencies) {
		add(
			`| ${concurrency} | ${verdict(ratios(concurrency, 'node', 'peer', rate), (r) => r >= GOALS.atLeastPeer)} | ${verdict(ratios(concurrency, 'node', 'peer', cpu), (r) => r <= GOALS.atLeastPeer)} | ${concurrency === 1 ? verdict(ratios(concurrency, 'node', 'bare', rate), (r) => r >= GOALS.bareAtConcurrency1) : '(goal at concurrency 1 only)'} |`,
		);
	}
	add('');
	add(
		"The last goal, the package's own code under 5 % of the node's CPU, is read from a CPU profile: `node bench/investigate.mjs` (not part of this run).",
		'',
	);

	if (growth.length > 0) {
		const { growthItems, growthConcurrency: concurrency } = settings;
		add(`### Memory, ${items} → ${growthItems} items (concurrency ${concurrency})`, '');
		add(
			`Peak RSS is the case process's \`process.resourceUsage().maxRSS\`; "over idle" subtracts its RSS just before the measured run (n8n and the contender loaded, items built); retained heap is what the run's result still holds after a full GC. ${items} items: median of the repeats; ${growthItems} items: one run each. "Marginal" is the extra per extra item, which leaves out what any run costs.`,
			'',
		);
		add(
			'| contender | peak RSS (MiB) | RSS over idle (MiB) | growth | marginal RSS (KiB per item) | retained heap (MiB) |',
		);
		add('| --- | ---: | ---: | ---: | ---: | ---: |');
		for (const { contender, result } of growth) {
			const small = summary(at(concurrency, contender).map(over)).median;
			const retainedSmall = summary(
				at(concurrency, contender).map((r) => r.memory.retainedHeapMiB),
			).median;
			const large = over(result);
			add(
				`| ${contender} | ${fmt(summary(at(concurrency, contender).map(rss)).median, 0)} → ${fmt(rss(result), 0)} | ${fmt(small, 0)} → ${fmt(large, 0)} | ×${fmt(large / small)} | ${fmt(((large - small) * 1024) / (growthItems - items))} | ${fmt(retainedSmall, 1)} → ${fmt(result.memory.retainedHeapMiB, 1)} |`,
			);
		}
		add('');
	}

	const { rps, items: pacedItems, concurrency: pacedConcurrency } = settings.pacing;
	add(
		`### Pacing: Max Requests per Second ${rps}, concurrency ${pacedConcurrency}, ${pacedItems} items`,
		'',
	);
	add(
		'| target (requests/s) | achieved (at the emulator) | deviation | busiest 1-second window (requests) |',
	);
	add('| ---: | ---: | ---: | ---: |');
	add(
		`| ${rps} | ${fmt(pacing.achieved, 2)} | ${fmt(pacing.deviation * 100, 2)} % | ${pacing.busiestWindow} |`,
		'',
	);
	add(
		"Achieved = (requests − 1) / (last arrival − first arrival); busiest window = the most arrivals within any sliding second; both from the emulator's own arrival times, one run.",
		'',
	);

	if (problems.length > 0) {
		add('### Problems', '');
		for (const problem of problems) add(`- ${problem}`);
		add('');
	}
	return `${lines.join('\n')}\n`;
}
