// Fault injection: which fault (if any) a request gets, and how each fault is delivered.
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

import { CATCHER_PATH } from './catcher.mjs';
import { FAULT_CLASSES } from './faultClasses.mjs';
import { RESPONSES } from './responses.mjs';

// Which faults answer before processing (nothing changes) and which after (the add, verify or
// OTP resend took effect, only the answer is faulty): see faultClasses.mjs, the one place.
export const FAULT_KINDS = Object.freeze(Object.keys(FAULT_CLASSES));

export const isAfterProcessing = (kind) =>
	Object.hasOwn(FAULT_CLASSES, kind) && FAULT_CLASSES[kind].server === 'processed';

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
	trickleMs: 100,
	oversizedBytes: 50 * 1024 * 1024,
	gzipBombBytes: 512 * 1024 * 1024,
});
const NUMBER_OPTIONS = [
	'latencyMs',
	'seed',
	'retryAfterSeconds',
	'hangMs',
	'tooLargeBytes',
	'trickleMs',
	'oversizedBytes',
	'gzipBombBytes',
];

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
	for (const key of NUMBER_OPTIONS) checkNonNegative(full, key);
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
		// Compress the bomb now rather than on the first request (~1.5 s for 512 MiB), so
		// that request is not also a slow one. A failure surfaces on delivery instead.
		const kinds = [next.queue, ...Object.values(next.byPhoneNumberId)].flat();
		if ([...kinds, ...Object.keys(next.probabilities)].includes('gzipBomb')) {
			gzipBomb(Math.floor(next.gzipBombBytes)).catch(() => {});
		}
	};
	set({});

	// Order: the global queue, then the request's own sequence, then the probabilities.
	// 'ok' consumes a slot and means "no fault". `keys`: the byPhoneNumberId keys this
	// request answers to, first match wins: [id digits] for verify and retry, the number's
	// digits for add (see api.mjs's parseBody), none for a GET.
	const pick = (keys) => {
		let next = queue.length > 0 ? queue.shift() : undefined;
		for (let i = 0; next === undefined && i < keys.length; i++) next = byId.get(keys[i])?.shift();
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
const OK_MESSAGE = 'Request Processed Successfully';
const KiB = 1024;
const MiB = 1024 * KiB;

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

// Streams the chunks next() returns (null ends the body) as fast as the socket takes them:
// on a full buffer it waits for 'drain' instead of queueing more, so a slow or silent client
// never makes the emulator buffer without bound. Stops for good once the response closes
// (client gone, reset, or close() destroying the socket).
function pump(res, next) {
	let closed = false;
	res.once('close', () => {
		closed = true;
	});
	const fill = () => {
		while (!closed && !res.destroyed) {
			const chunk = next();
			if (chunk === null) {
				res.end();
				return;
			}
			if (!res.write(chunk)) {
				res.once('drain', fill);
				return;
			}
		}
	};
	fill();
}

// Shared, never modified filler: writing the same buffer again costs no allocation.
const FILLER = Buffer.alloc(64 * KiB, 'x');
// How endless and gzipBomb bodies start: a WA200 whose message never seems to end.
const MESSAGE_OPEN = Buffer.from('{"code":"WA200","message":"');

// oversized: prefix, `x` padding, suffix = a valid WA200 document of exactly max(bytes, shell).
const OVERSIZED_HEAD = Buffer.from(`{"code":"WA200","message":"${OK_MESSAGE}","data":"`);
const OVERSIZED_TAIL = Buffer.from('","error":{}}');
function oversizedChunks(bytes) {
	let padding = Math.max(0, bytes - OVERSIZED_HEAD.length - OVERSIZED_TAIL.length);
	let stage = 0;
	const next = () => {
		if (stage === 0) {
			stage = 1;
			return OVERSIZED_HEAD;
		}
		if (padding > 0) {
			const size = Math.min(padding, FILLER.length);
			padding -= size;
			return size === FILLER.length ? FILLER : FILLER.subarray(0, size);
		}
		if (stage === 1) {
			stage = 2;
			return OVERSIZED_TAIL;
		}
		return null;
	};
	return { length: Math.max(bytes, OVERSIZED_HEAD.length + OVERSIZED_TAIL.length), next };
}

// gzipBomb: `{"code":"WA200","message":"` + spaces + `","data":true,"error":{}}`, `bytes` long
// once inflated. Deflate tops out near 1032:1, so 512 MiB compresses to ~510 KiB (521905
// bytes at the default; ~1.5 s to build). Built once per size with 1 MiB chunks, never
// holding the inflated document, and cached for the process's life.
const BOMB_TAIL = Buffer.from('","data":true,"error":{}}');
const SPACES = Buffer.alloc(MiB, ' ');
const gzipBombs = new Map(); // bytes -> Promise<Buffer>
function gzipBomb(bytes) {
	if (!gzipBombs.has(bytes)) {
		const build = async () => {
			let spaces = Math.max(0, bytes - MESSAGE_OPEN.length - BOMB_TAIL.length);
			const parts = [];
			await pipeline(
				async function* inflated() {
					yield MESSAGE_OPEN;
					for (; spaces > 0; spaces -= SPACES.length) {
						yield spaces >= SPACES.length ? SPACES : SPACES.subarray(0, spaces);
					}
					yield BOMB_TAIL;
				},
				createGzip({ level: 9 }),
				async function collect(compressed) {
					for await (const part of compressed) parts.push(part);
				},
			);
			return Buffer.concat(parts);
		};
		const body = build();
		body.catch(() => gzipBombs.delete(bytes)); // the next request tries again
		gzipBombs.set(bytes, body);
	}
	return gzipBombs.get(bytes);
}

// A gzip header, then a deflate block of the reserved type 11: a decoder accepts the magic
// bytes and fails on the data ("invalid block type"), like a body mangled on the way.
const GZIP_CORRUPT = Buffer.concat([
	Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xff, 0xff]),
	Buffer.from('{"code":"WA200","message":"Request Processed Successfully"}'),
]);

const REDIRECT_TITLES = {
	301: '301 Moved Permanently',
	302: '302 Found',
	303: '303 See Other',
	307: '307 Temporary Redirect',
	308: '308 Permanent Redirect',
};
// nginx's page; Location is absolute, at another origin (the catcher), with a path and a
// query that must never show up in a message.
function redirect(res, status, ctx) {
	const title = REDIRECT_TITLES[status];
	const html = `<html><head><title>${title}</title></head><body><center><h1>${title}</h1></center><hr><center>nginx</center></body></html>`;
	return send(
		res,
		status,
		{ 'content-type': 'text/html', location: ctx.catcherUrl + CATCHER_PATH },
		html,
	);
}

// A genuine-looking WA500 whose "code" only comes after 300+ characters, keys in the order
// Kaleyra's Go backend may well emit them: a client peeking at the start of the body for the
// code finds none. Says neither "try again later" nor "already approved" on purpose.
const WA500_LATE_DETAIL =
	'Internal server error: upstream request to the whatsapp cloud api failed: context deadline ' +
	'exceeded (Client.Timeout exceeded while awaiting headers) after 3 attempts; circuit breaker ' +
	'wa-number-service is half-open after 5 consecutive failures; trace ' +
	'7f3c9a2e41b84d6a9c0e2b5d8e1f6a03 span 41b84d6a9c0e2b5d host wa-number-7c9f8d6b5-x2k4q';
const WA500_LATE = JSON.stringify({
	error: { error: WA500_LATE_DETAIL },
	data: {},
	message: 'Internal server error',
	code: 'WA500',
});

// What a misconfigured proxy or a debugging server answers: the request echoed back, api key
// included. A client that puts the body or message in its output leaks the key.
const echo = (req, ctx, code, message) =>
	JSON.stringify({
		code,
		message,
		data: { headers: req.headers, body: ctx.rawBody },
		error: code === 'WA200' ? {} : { payload: ctx.rawBody },
	});

/**
 * Delivers fault `kind`; returns (or resolves to) the HTTP status sent, or null when nothing
 * was sent. ctx: { rawBody, catcherUrl }.
 */
export function deliverFault(kind, req, res, cfg, reply, ctx) {
	if (isScriptedAnswer(kind)) {
		const { status, json } = RESPONSES[kind.slice(ANSWER_PREFIX.length)];
		return send(res, status, JSON_TYPE, json);
	}
	return DELIVER[kind](req, res, cfg, reply, ctx);
}

// kind -> (req, res, cfg, reply, ctx) => HTTP status sent (or a promise of it), or null when
// nothing was sent. `reply` is what the emulator would have answered (only set for faults
// after processing).
const DELIVER = Object.freeze({
	http429: (req, res) => gateway(res, 429, 'Too Many Requests'),
	http429RetryAfter: (req, res, cfg) => gateway(res, 429, 'Too Many Requests', retryAfter(cfg)),
	http500: (req, res) => gateway(res, 500, 'Internal Server Error'),
	http503: (req, res, cfg) =>
		gateway(res, 503, 'Service Unavailable', cfg.retryAfterOn503 ? retryAfter(cfg) : {}),
	// A gateway that forwarded the request, then gave up on Kaleyra's answer (Envoy, Varnish).
	forwarded503: (req, res) =>
		send(res, 503, { 'content-type': 'text/plain' }, 'upstream request timeout'),
	wa500TryLater: (req, res) =>
		send(res, RESPONSES.tryLater.status, JSON_TYPE, RESPONSES.tryLater.json),
	html: (req, res) => send(res, 502, { 'content-type': 'text/html' }, HTML_502),
	redirect301: (req, res, cfg, reply, ctx) => redirect(res, 301, ctx),
	redirect302: (req, res, cfg, reply, ctx) => redirect(res, 302, ctx),
	redirect303: (req, res, cfg, reply, ctx) => redirect(res, 303, ctx),
	redirect307: (req, res, cfg, reply, ctx) => redirect(res, 307, ctx),
	redirect308: (req, res, cfg, reply, ctx) => redirect(res, 308, ctx),
	wa500Late: (req, res) => send(res, 500, JSON_TYPE, WA500_LATE),

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
	trickle: (req, res, cfg, reply) => {
		// Every byte arrives well within any idle timeout; only an overall deadline ends it.
		const body = Buffer.from(reply.json);
		res.writeHead(reply.status, { ...JSON_TYPE, 'content-length': body.length });
		res.flushHeaders();
		let sent = 0;
		let timer = null;
		const drip = () => {
			if (res.destroyed) return;
			res.write(body.subarray(sent, sent + 1));
			sent += 1;
			if (sent < body.length) timer = setTimeout(drip, cfg.trickleMs).unref();
			else res.end();
		};
		res.once('close', () => clearTimeout(timer));
		if (body.length > 0) drip();
		else res.end();
		return reply.status;
	},
	endless: (req, res) => {
		// Chunked (no content-length): only the client can decide it has had enough.
		res.writeHead(200, JSON_TYPE);
		let started = false;
		pump(res, () => {
			if (started) return FILLER;
			started = true;
			return MESSAGE_OPEN;
		});
		return 200;
	},
	oversized: (req, res, cfg) => {
		const { length, next } = oversizedChunks(Math.floor(cfg.oversizedBytes));
		res.writeHead(200, { ...JSON_TYPE, 'content-length': length });
		pump(res, next);
		return 200;
	},
	gzipBomb: async (req, res, cfg) => {
		const body = await gzipBomb(Math.floor(cfg.gzipBombBytes));
		if (req.socket.destroyed) return null; // gone while the bomb was being built
		return send(res, 200, { ...JSON_TYPE, 'content-encoding': 'gzip' }, body);
	},
	gzipCorrupt: (req, res) =>
		send(res, 200, { ...JSON_TYPE, 'content-encoding': 'gzip' }, GZIP_CORRUPT),
	midBodyReset: (req, res, cfg, reply) => {
		const body = Buffer.from(reply.json);
		res.writeHead(reply.status, { ...JSON_TYPE, 'content-length': body.length });
		let timer = null;
		res.once('close', () => clearTimeout(timer));
		// Once the half is in the kernel, give the client a moment to read it before the RST
		// (a reset may discard data the peer has not read yet).
		res.write(body.subarray(0, Math.floor(body.length / 2)), (error) => {
			if (error || req.socket.destroyed) return; // the client left first
			timer = setTimeout(() => req.socket.resetAndDestroy(), 20).unref();
		});
		return reply.status;
	},
	echoError: (req, res, cfg, reply, ctx) => {
		const message = `Refer to correct payload format: ${ctx.rawBody} api-key=${req.headers['api-key'] ?? ''}`;
		return send(res, 400, JSON_TYPE, echo(req, ctx, 'WA400', message));
	},
	echoSuccess: (req, res, cfg, reply, ctx) => {
		const message = `${OK_MESSAGE} ${ctx.rawBody} ${req.headers['api-key'] ?? ''}`;
		return send(res, 200, JSON_TYPE, echo(req, ctx, 'WA200', message));
	},
});
