// Control API for a test harness in another process (e.g. an end-to-end suite driving a real
// n8n). Paths under /__emulator/ need no api-key and never get faults or latency.
export const CONTROL_PREFIX = '/__emulator/';

const ROUTES = {
	'GET requests': (emulator) => emulator.requests,
	'GET numbers': (emulator) => emulator.numbers(),
	'GET counters': (emulator) => emulator.counters,
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

/** Returns { status, json } for a request whose path starts with CONTROL_PREFIX. */
export function answerControl(emulator, method, url, rawBody) {
	const name = url.slice(CONTROL_PREFIX.length).split('?')[0];
	const route = ROUTES[`${method} ${name}`];
	if (!route)
		return { status: 404, json: JSON.stringify({ error: `no control route ${method} ${url}` }) };
	try {
		return { status: 200, json: JSON.stringify(route(emulator, rawBody)) };
	} catch (error) {
		// A bad faults cfg (unknown kind, invalid JSON...) is the caller's mistake.
		return { status: 400, json: JSON.stringify({ error: error.message }) };
	}
}
