// What the benchmark's processes share: the generated phone numbers, the items that map
// onto them, and the request each item becomes.
import { DEFAULT_ACCOUNT } from '../emulator/fixtures.mjs';

export const WABA_ID = DEFAULT_ACCOUNT.wabaIds[0];
export const LATENCY_MS = 20;

/** Number i (0-based): a pending number with its own id, phone and OTP. */
export function benchNumber(i) {
	const n = String(i).padStart(7, '0');
	return {
		id: `20000000${n}`, // 15 digits, a safe integer
		phoneNumber: `+91980${n}`,
		otp: String(100000 + (i % 900000)),
	};
}

/** `count` pending numbers keyed by id: the emulator's `numbers` option. */
export function benchNumbers(count) {
	const numbers = {};
	for (let i = 0; i < count; i++) {
		const { id, ...rest } = benchNumber(i);
		numbers[id] = { ...rest, state: 'pending' };
	}
	return numbers;
}

export function parseFlags(argv) {
	const flags = {};
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (!arg.startsWith('--')) continue;
		const next = argv[i + 1];
		if (next === undefined || next.startsWith('--')) flags[arg.slice(2)] = true;
		else flags[arg.slice(2)] = argv[++i];
	}
	return flags;
}

/** Peak resident set size so far, in MiB (resourceUsage().maxRSS is in KiB). */
export const maxRssMiB = () => process.resourceUsage().maxRSS / 1024;
