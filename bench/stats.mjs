// Summaries of repeated measurements, and the machine they were taken on.
import { readFileSync } from 'node:fs';
import os from 'node:os';

export function median(values) {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Median, min and max of a list of numbers. */
export const summary = (values) => ({
	median: median(values),
	min: Math.min(...values),
	max: Math.max(...values),
	n: values.length,
});

export const fmt = (value, digits = 1) =>
	Number.isFinite(value)
		? value.toLocaleString('en-US', {
				minimumFractionDigits: digits,
				maximumFractionDigits: digits,
			})
		: 'n/a';

/** "median (min–max)", or the one value when there is one. */
export function spread({ median, min, max, n }, digits = 1) {
	return n > 1
		? `${fmt(median, digits)} (${fmt(min, digits)}–${fmt(max, digits)})`
		: fmt(median, digits);
}

export const cores = () => os.availableParallelism?.() ?? os.cpus().length;

export function cpuModel() {
	try {
		const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
		if (match) return match[1].trim();
	} catch {}
	return os.cpus()[0]?.model ?? 'unknown CPU';
}

/** The 1, 5 and 15 minute load averages, and whether the machine was busier than its cores. */
export function loadNow() {
	const [one, five, fifteen] = os.loadavg();
	return { one, five, fifteen, busy: one > cores() };
}

export const loadText = ({ one, five, fifteen }) =>
	[one, five, fifteen].map((value) => value.toFixed(2)).join(' ');
