// Control API for a test harness in another process (e.g. an end-to-end suite driving a real
// n8n), and the page a person reads OTPs on. Paths under /__emulator/ need no api-key and
// never get faults or latency.
import { renderPage } from './page.mjs';

export const CONTROL_PREFIX = '/__emulator/';

/** `/__emulator/...`, and `/__emulator` itself (the page, for a person typing the address). */
export const isControl = (url) =>
	url.startsWith(CONTROL_PREFIX) || url === '/__emulator' || url.startsWith('/__emulator?');

const JSON_HEADERS = Object.freeze({ 'content-type': 'application/json' });
const HTML_HEADERS = Object.freeze({
	'content-type': 'text/html; charset=utf-8',
	// Nothing external, no script: the page shows names that came in through the API.
	'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
	'cache-control': 'no-store',
});

// '+' in a query string reads as a space, so `?phone=+91...` and `?phone=%2B91...` (and
// `?phone=91...`) all name the same number: compare digits only.
const digits = (text) => text.replace(/\D/g, '');
function otpsFor(emulator, query) {
	const phone = query.get('phone');
	const all = emulator.otps();
	if (phone === null || digits(phone) === '') return all;
	return all.filter((message) => digits(message.phoneNumber) === digits(phone));
}

const ROUTES = {
	'GET requests': (emulator) => emulator.requests,
	'GET numbers': (emulator) => emulator.numbers(),
	// The OTP messages sent, oldest first; ?phone=+919765400001 keeps one number's.
	'GET otps': (emulator, rawBody, query) => otpsFor(emulator, query),
	'GET counters': (emulator) => emulator.counters,
	'GET dialect': (emulator) => emulator.dialect(),
	// Body: a partial dialect; answers the full one. A bad axis or value answers 400.
	'POST dialect': (emulator, rawBody) => emulator.setDialect(rawBody ? JSON.parse(rawBody) : {}),
	// What reached the redirect faults' target (method, path, headers, rawBody, receivedAt).
	'GET catcher': (emulator) => emulator.catcher.requests,
	'POST reset': (emulator) => {
		emulator.reset();
		return { ok: true };
	},
	// Body: the same cfg as setFaults(); an empty body clears all faults.
	'POST faults': (emulator, rawBody) => {
		emulator.setFaults(rawBody ? JSON.parse(rawBody) : {});
		return { ok: true };
	},
};

// POST /__emulator/numbers/<id>, body any of { status, nameStatus, qualityRating, limit }:
// answers the number as numbers() shows it; an unknown id, key or value answers 400.
const NUMBER_ROUTE = /^numbers\/(\d+)$/;
const updateNumber = (id) => (emulator, rawBody) =>
	emulator.updateNumber(id, rawBody ? JSON.parse(rawBody) : {});

const json = (status, value) => ({ status, body: JSON.stringify(value), headers: JSON_HEADERS });

/** Returns { status, body, headers } for a request isControl() accepted. */
export function answerControl(emulator, method, url, rawBody) {
	const queryAt = url.indexOf('?');
	const path = queryAt === -1 ? url : url.slice(0, queryAt);
	const name = path.slice(CONTROL_PREFIX.length);
	if (method === 'GET' && (name === '' || path === '/__emulator')) {
		const html = renderPage({
			numbers: emulator.numbers(),
			otps: emulator.otps(),
			dialect: emulator.dialect(),
		});
		return { status: 200, body: html, headers: HTML_HEADERS };
	}
	const numberId = method === 'POST' ? NUMBER_ROUTE.exec(name)?.[1] : undefined;
	const route = numberId === undefined ? ROUTES[`${method} ${name}`] : updateNumber(numberId);
	if (!route) return json(404, { error: `no control route ${method} ${url}` });
	try {
		const query = new URLSearchParams(queryAt === -1 ? '' : url.slice(queryAt + 1));
		return json(200, route(emulator, rawBody, query));
	} catch (error) {
		// A bad faults cfg (unknown kind, invalid JSON...) is the caller's mistake.
		return json(400, { error: error.message });
	}
}
