// Kaleyra WhatsApp number API emulator: an HTTP server on 127.0.0.1 that answers add,
// verify, retry_otp, the number list and number details (verify and retry_otp as strictly as
// Kaleyra's documents, the rest as NOTES.md infers them), with a request log, the OTP
// messages it "sent", fault injection and a control API. See README.md.
import { createServer } from 'node:http';

import { answerApi, parseBody } from './api.mjs';
import { startCatcher } from './catcher.mjs';
import { answerControl, isControl } from './control.mjs';
import { createFaultPicker, deliverFault, isAfterProcessing } from './faults.mjs';
import { DEFAULT_ACCOUNT, DEFAULT_NUMBERS } from './fixtures.mjs';
import { createState } from './state.mjs';

export { DEFAULT_ACCOUNT, DEFAULT_NUMBERS, NUMBERS } from './fixtures.mjs';
export { RESPONSES } from './responses.mjs';
export { FAULT_KINDS } from './faults.mjs';
export { FAULT_CLASSES, faultClass } from './faultClasses.mjs';
export { CATCHER_PATH } from './catcher.mjs';
export { FIRST_ADDED_ID, otpAt, otpText } from './state.mjs';

const NO_BODY = Object.freeze({ json: null, idType: null, idDigits: null, faultKeys: [] });

function readBody(req) {
	return new Promise((resolve, reject) => {
		let body = '';
		req.setEncoding('utf8');
		req.on('data', (chunk) => {
			body += chunk;
		});
		req.on('end', () => resolve(body));
		req.on('error', reject);
	});
}

function send(res, status, json, headers = { 'content-type': 'application/json' }) {
	res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(json) });
	res.end(json);
	return status;
}

// unref: pending latency must not keep the process alive once the emulator is closed.
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref());

const newCounters = () => ({
	requests: 0,
	processed: 0,
	faults: {},
	codes: {},
	inFlight: 0,
	maxInFlight: 0,
});
const bump = (table, key) => {
	table[key] = (table[key] ?? 0) + 1;
};

/**
 * @param {{ port?: number, account?: object, numbers?: object, recordRequests?: boolean,
 *   onOtp?: (message: { phoneNumber: string, channel: string, otp: string, sentAt: number,
 *   reason: 'add' | 'retry' }) => void }} options
 * onOtp is called synchronously for every OTP the emulator "sends" (even with
 * recordRequests: false); it must not throw.
 */
export async function startKaleyraEmulator(options = {}) {
	const account = Object.freeze({ ...DEFAULT_ACCOUNT, ...options.account });
	const fixture = options.numbers ?? DEFAULT_NUMBERS;
	const recordRequests = options.recordRequests !== false;
	const faults = createFaultPicker();
	// recordRequests: false keeps no OTP messages either: a benchmark keeps no logs at all.
	const state = createState({ account, fixture, keepOtps: recordRequests, onOtp: options.onOtp });
	const requests = [];
	const counters = newCounters();
	// Where the redirect faults send a client; started first so a Location is always valid.
	const catcher = await startCatcher();

	const emulator = {
		url: '',
		port: 0,
		account,
		requests, // same array for the emulator's lifetime: reset() empties it in place
		counters, // kept even with recordRequests: false
		// The redirect faults' target: what a client that follows them sent there.
		catcher: { url: catcher.url, requests: catcher.requests },
		/** The most API requests the emulator held at once since the last reset. */
		maxInFlight: () => counters.maxInFlight,
		/** `{ [id]: { phoneNumber, name, wabaId, verificationType, otp, state, otpSentCount } }` */
		numbers: () => state.snapshot(),
		/** The OTP messages sent since the last reset, oldest first (copies). */
		otps: () => state.otps.map((message) => ({ ...message })),
		reset() {
			// Fixtures back, added numbers and OTP messages gone, id and OTP counters restarted.
			state.reset();
			requests.length = 0;
			catcher.requests.length = 0;
			Object.assign(counters, newCounters());
			faults.set({});
		},
		setFaults: (cfg) => faults.set(cfg),
		close: () =>
			Promise.all([
				new Promise((resolve) => {
					server.close(() => resolve());
					// Includes hanging, keep-alive and streaming sockets: destroying them stops
					// every fault writer (each one stops on the response's 'close').
					server.closeAllConnections();
				}),
				catcher.close(),
			]).then(() => undefined),
	};

	async function handleApi(req, res, rawBody, receivedAt) {
		const parsed = rawBody ? parseBody(rawBody) : NO_BODY;
		const fault = faults.pick(parsed.faultKeys);
		const cfg = faults.config();
		// Faults before processing leave the state untouched; see faults.mjs.
		const processed = !fault || isAfterProcessing(fault);
		const reply = processed ? answerApi(state, req.method, req.url, req.headers, parsed) : null;

		counters.requests += 1;
		if (processed) {
			counters.processed += 1;
			bump(counters.codes, reply.body.code);
		}
		if (fault) bump(counters.faults, fault);
		// Every logged request reached the server: its body was read before any fault.
		const entry = recordRequests
			? {
					method: req.method,
					path: req.url,
					headers: req.headers,
					rawBody,
					receivedAt,
					json: parsed.json,
					idType: parsed.idType,
					status: null,
					code: reply?.body.code ?? null,
					fault,
					reached: true,
					processed,
				}
			: null;
		if (entry) requests.push(entry);

		if (cfg.latencyMs > 0) await sleep(cfg.latencyMs);
		if (req.socket.destroyed) return; // closed by the client or by close()
		const status = fault
			? await deliverFault(fault, req, res, cfg, reply, { rawBody, catcherUrl: catcher.url })
			: send(res, reply.status, reply.json);
		if (entry) entry.status = status;
	}

	async function handle(req, res) {
		const receivedAt = Date.now();
		const rawBody = await readBody(req);
		if (isControl(req.url)) {
			const { status, body, headers } = answerControl(emulator, req.method, req.url, rawBody);
			send(res, status, body, headers);
			return;
		}
		counters.inFlight += 1;
		counters.maxInFlight = Math.max(counters.maxInFlight, counters.inFlight);
		// Until the answer is sent, or the socket is gone (reset, hang, client timeout).
		res.once('close', () => {
			counters.inFlight -= 1;
		});
		await handleApi(req, res, rawBody, receivedAt);
	}

	const server = createServer((req, res) => {
		handle(req, res).catch((error) => {
			// Aborted uploads land here too; answer only if the socket can still take it.
			if (res.headersSent || req.socket.destroyed) res.destroy();
			else send(res, 500, JSON.stringify({ emulatorError: error.message }));
		});
	});

	try {
		await new Promise((resolve, reject) => {
			server.once('error', reject);
			server.listen(options.port ?? 0, '127.0.0.1', resolve);
		});
	} catch (error) {
		await catcher.close(); // e.g. the port is taken: leave nothing listening
		throw error;
	}
	emulator.port = server.address().port;
	emulator.url = `http://127.0.0.1:${emulator.port}`;
	return emulator;
}
