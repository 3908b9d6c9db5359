// The Kaleyra emulator, from the suite's side: its control API (faults with latency, the request
// log, numbers, counters) and numbers added through Kaleyra's own add endpoint, so every item of
// every check has a number of its own, pending, with an OTP only the emulator "sent".
import { DEFAULT_ACCOUNT } from '../../../emulator/fixtures.mjs';
import { WABA } from './workflows.mjs';

export function emulatorControl(url) {
	const call = async (method, name, body) => {
		const res = await fetch(`${url}/__emulator/${name}`, {
			method,
			headers: body === undefined ? {} : { 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await res.text();
		if (!res.ok) throw new Error(`emulator ${method} ${name}: HTTP ${res.status} ${text}`);
		return JSON.parse(text);
	};
	return {
		url,
		/** Replaces the whole fault configuration (latencyMs, byPhoneNumberId, …). */
		setFaults: (cfg) => call('POST', 'faults', cfg),
		requests: () => call('GET', 'requests'),
		numbers: () => call('GET', 'numbers'),
		counters: () => call('GET', 'counters'),
		dialect: () => call('GET', 'dialect'),
		setDialect: (partial) => call('POST', 'dialect', partial),
		/** Sets a number's raw { status, nameStatus, qualityRating, limit }. */
		updateNumber: (id, changes) => call('POST', `numbers/${id}`, changes),
	};
}

let serial = 0;

/**
 * Adds `count` numbers to the account's WABA through POST …/number/add (as a user onboarding
 * them would), then reads the OTP each one "received" from the emulator.
 * @returns {Promise<{ id: string, phoneNumber: string, otp: string }[]>}
 */
export async function addNumbers(url, count, { parallel = 8 } = {}) {
	const made = [];
	const todo = Array.from({ length: count }, () => (serial += 1));
	const addOne = async (n) => {
		const national = `8${String(n).padStart(9, '0')}`;
		const res = await fetch(`${url}/v2/${DEFAULT_ACCOUNT.sid}/whatsapp/${WABA}/number/add`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'api-key': DEFAULT_ACCOUNT.apiKey },
			body: JSON.stringify({
				phone_number: national,
				name: `Queue suite number ${n}`,
				verification_type: 'SMS',
				country_code: '91',
			}),
		});
		const body = await res.json();
		if (res.status !== 200)
			throw new Error(`emulator add ${national}: HTTP ${res.status} ${JSON.stringify(body)}`);
		made.push({ n, id: String(body.data.id), phoneNumber: `+91${national}` });
	};
	for (let i = 0; i < todo.length; i += parallel) {
		await Promise.all(todo.slice(i, i + parallel).map(addOne));
	}
	const numbers = await emulatorControl(url).numbers();
	return made
		.sort((a, b) => a.n - b.n)
		.map(({ id, phoneNumber }) => ({ id, phoneNumber, otp: numbers[id].otp }));
}

/** Only Verify Number requests, in the order the emulator received them. */
export const verifyRequests = (log) =>
	log.filter((r) => r.method === 'POST' && r.path.endsWith('/number/verify'));
