// Fault injection: which fault (if any) a request gets, and how each fault is delivered.
import { RESPONSES } from './responses.mjs';

// Gateway-style faults are answered before the request is processed: nothing changes.
// Response-loss faults are delivered after processing: the verify or OTP resend took
// effect and only the answer is lost, the worst case a client has to survive.
const BEFORE_PROCESSING = [
	'http429',
	'http429RetryAfter',
	'http500',
	'http503',
	'wa500TryLater',
	'html',
];
const AFTER_PROCESSING = ['reset', 'hang', 'malformedJson', 'empty', 'tooLarge'];
export const FAULT_KINDS = Object.freeze([...BEFORE_PROCESSING, ...AFTER_PROCESSING]);
const AFTER = new Set(AFTER_PROCESSING);

export const isAfterProcessing = (kind) => AFTER.has(kind);

const DEFAULTS = Object.freeze({
	latencyMs: 0,
	seed: 1,
	probabilities: {},
	queue: [],
	byPhoneNumberId: {},
	retryAfterSeconds: 1,
	retryAfterOn503: false,
	hangMs: 30000,
	tooLargeBytes: 5 * 1024 * 1024,
});

// Tiny seeded PRNG (mulberry32) so a fault mix is reproducible.
function mulberry32(seed) {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = Math.imul(a ^ (a >>> 15), a | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

// 'answer:<name>' answers one of the documented bodies in responses.mjs, unprocessed:
// how a test makes Kaleyra reject what a correct client never sends it.
const ANSWER_PREFIX = 'answer:';
const isScriptedAnswer = (kind) =>
	typeof kind === 'string' &&
	kind.startsWith(ANSWER_PREFIX) &&
	Object.hasOwn(RESPONSES, kind.slice(ANSWER_PREFIX.length));

function checkKind(kind, allowOk) {
	if (FAULT_KINDS.includes(kind) || isScriptedAnswer(kind) || (allowOk && kind === 'ok')) return;
	throw new TypeError(`unknown fault kind ${JSON.stringify(kind)}`);
}

function checkNonNegative(cfg, key) {
	if (!(Number.isFinite(cfg[key]) && cfg[key] >= 0)) {
		throw new TypeError(`fault option ${key} must be a non-negative number`);
	}
}

/** Validate a setFaults() cfg and fill defaults. Throws TypeError on anything unknown. */
export function normalizeFaults(cfg = {}) {
	for (const key of Object.keys(cfg)) {
		if (!(key in DEFAULTS)) throw new TypeError(`unknown fault option ${key}`);
	}
	const full = { ...DEFAULTS, ...cfg };
	for (const key of ['latencyMs', 'seed', 'retryAfterSeconds', 'hangMs', 'tooLargeBytes']) {
		checkNonNegative(full, key);
	}
	let cumulative = 0;
	const thresholds = Object.entries(full.probabilities).map(([kind, p]) => {
		checkKind(kind, false);
		if (!(p >= 0 && p <= 1)) throw new TypeError(`probability of ${kind} must be within 0..1`);
		cumulative += p;
		return [kind, cumulative];
	});
	if (cumulative > 1 + 1e-9) throw new TypeError('fault probabilities add up to more than 1');
	for (const sequence of [full.queue, ...Object.values(full.byPhoneNumberId)]) {
		if (!Array.isArray(sequence)) throw new TypeError('fault sequences must be arrays');
		sequence.forEach((kind) => checkKind(kind, true));
	}
	return { ...full, thresholds };
}

/** Holds the active fault configuration and picks a fault per API request. */
export function createFaultPicker() {
	let cfg;
	let queue;
	let byId;
	let random;

	const set = (input) => {
		const next = normalizeFaults(input);
		cfg = next;
		queue = [...next.queue];
		byId = new Map(Object.entries(next.byPhoneNumberId).map(([id, seq]) => [id, [...seq]]));
		random = mulberry32(next.seed);
	};
	set({});

	// Order: the global queue, then the id's own sequence, then the probabilities.
	// 'ok' consumes a slot and means "no fault".
	const pick = (idDigits) => {
		const next = queue.length > 0 ? queue.shift() : byId.get(idDigits)?.shift();
		if (next !== undefined) return next === 'ok' ? null : next;
		if (cfg.thresholds.length === 0) return null;
		const draw = random();
		return cfg.thresholds.find(([, upTo]) => draw < upTo)?.[0] ?? null;
	};

	return { set, pick, config: () => cfg };
}

const JSON_TYPE = { 'content-type': 'application/json' };
const HTML_502 =
	'<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>';

// Returns the HTTP status it sent, for the request log.
const send = (res, status, headers, body) => {
	res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
	res.end(body);
	return status;
};
// Deliberately not a Kaleyra body: what a gateway in front of it would say.
const gateway = (res, status, message, headers = {}) =>
	send(res, status, { ...JSON_TYPE, ...headers }, JSON.stringify({ message }));
const retryAfter = (cfg) => ({ 'retry-after': String(cfg.retryAfterSeconds) });

// A valid WA200-shaped JSON document of exactly `bytes` bytes (cached: the default is 5 MiB).
let tooLargeCache = { bytes: -1, body: null };
function tooLargeBody(bytes) {
	if (tooLargeCache.bytes !== bytes) {
		const shell =
			'{"code":"WA200","message":"Request Processed Successfully","data":"","error":{}}';
		const padding = 'x'.repeat(Math.max(0, bytes - shell.length));
		tooLargeCache = { bytes, body: Buffer.from(shell.replace('"data":""', `"data":"${padding}"`)) };
	}
	return tooLargeCache.body;
}

/** Delivers fault `kind`; returns the HTTP status sent, or null when nothing was sent. */
export function deliverFault(kind, req, res, cfg, reply) {
	if (isScriptedAnswer(kind)) {
		const { status, json } = RESPONSES[kind.slice(ANSWER_PREFIX.length)];
		return send(res, status, JSON_TYPE, json);
	}
	return DELIVER[kind](req, res, cfg, reply);
}

// kind -> (req, res, cfg, reply) => HTTP status sent, or null when nothing was sent.
// `reply` is what the emulator would have answered (only set for faults after processing).
const DELIVER = Object.freeze({
	http429: (req, res) => gateway(res, 429, 'Too Many Requests'),
	http429RetryAfter: (req, res, cfg) => gateway(res, 429, 'Too Many Requests', retryAfter(cfg)),
	http500: (req, res) => gateway(res, 500, 'Internal Server Error'),
	http503: (req, res, cfg) =>
		gateway(res, 503, 'Service Unavailable', cfg.retryAfterOn503 ? retryAfter(cfg) : {}),
	wa500TryLater: (req, res) =>
		send(res, RESPONSES.tryLater.status, JSON_TYPE, RESPONSES.tryLater.json),
	html: (req, res) => send(res, 502, { 'content-type': 'text/html' }, HTML_502),
	reset: (req) => {
		req.socket.resetAndDestroy(); // TCP RST: the client sees ECONNRESET
		return null;
	},
	hang: (req, res, cfg) => {
		// unref: a hanging request must not keep the process alive; close() destroys it.
		setTimeout(() => req.socket.destroy(), cfg.hangMs).unref();
		return null;
	},
	malformedJson: (req, res, cfg, reply) =>
		send(res, 200, JSON_TYPE, reply.json.slice(0, Math.floor(reply.json.length / 2))),
	empty: (req, res) => send(res, 200, JSON_TYPE, ''),
	tooLarge: (req, res, cfg) => send(res, 200, JSON_TYPE, tooLargeBody(cfg.tooLargeBytes)),
});
