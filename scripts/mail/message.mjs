// Mail messages as text (RFC 5322 with MIME, RFC 2045-2047): writing a plain-text one, and
// reading back what matters to a test from any message n8n or a person's client would send:
// addresses, subject, ids for threading, and the plain text of the body.
import { randomUUID } from 'node:crypto';

const CRLF = '\r\n';
const isAscii = (text) => /^[\x00-\x7f]*$/.test(text);

// ---------- writing ----------

/** A header value as RFC 2047 encoded-words (UTF-8, base64), each within the 75-character limit. */
function encodeWords(text) {
	const words = [];
	let chunk = '';
	for (const char of text) {
		// 45 bytes of UTF-8 make 60 characters of base64: with `=?UTF-8?B?` and `?=`, 72.
		if (Buffer.byteLength(chunk + char) > 45) {
			words.push(chunk);
			chunk = '';
		}
		chunk += char;
	}
	words.push(chunk);
	return words
		.map((word) => `=?UTF-8?B?${Buffer.from(word).toString('base64')}?=`)
		.join(`${CRLF} `);
}

// A header value on one line: a line break in it would end the header (or start the body).
const oneLine = (text) => String(text).replace(/[\r\n]+/g, ' ');
const encodeHeader = (text) =>
	isAscii(oneLine(text)) ? oneLine(text) : encodeWords(oneLine(text));

/** `Name <a@b>` with a non-ASCII name gets the name encoded; the address stays as it is. */
function encodeAddress(address) {
	address = oneLine(address);
	const match = /^\s*(.*?)\s*<([^>]*)>\s*$/.exec(address);
	if (!match || isAscii(match[1])) return address.trim();
	return `${encodeWords(match[1].replace(/^"(.*)"$/, '$1'))} <${match[2]}>`;
}

const bracketed = (id) => {
	const trimmed = oneLine(id).trim();
	return trimmed.startsWith('<') ? trimmed : `<${trimmed}>`;
};
const bareAddress = (address) => (/<([^>]*)>/.exec(address)?.[1] ?? address).trim();

/** RFC 5322's date form, e.g. `Tue, 01 Dec 2026 10:00:00 +0000`. */
const formatDate = (date) => date.toUTCString().replace(/GMT$/, '+0000');

/** Quoted-printable (RFC 2045 6.7) of UTF-8 text with CRLF line breaks. */
export function encodeQuotedPrintable(text) {
	return text
		.split(CRLF)
		.map((line) => {
			const bytes = Buffer.from(line, 'utf8');
			let out = '';
			let width = 0;
			bytes.forEach((byte, i) => {
				const last = i === bytes.length - 1;
				const literal =
					(byte >= 33 && byte <= 126 && byte !== 61) || ((byte === 32 || byte === 9) && !last);
				const piece = literal
					? String.fromCharCode(byte)
					: `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
				// Soft line break: no encoded line longer than 76 characters.
				if (width + piece.length > 75) {
					out += `=${CRLF}`;
					width = 0;
				}
				out += piece;
				width += piece.length;
			});
			return out;
		})
		.join(CRLF);
}

/**
 * A plain-text mail (an HTML-only one when `html` is given) as RFC 5322 text: CRLF line breaks,
 * UTF-8; the body 7bit when it is ASCII with short lines, quoted-printable otherwise.
 * @param {{ from: string, to: string | string[], subject?: string, text?: string, html?: string,
 *   inReplyTo?: string, references?: string | string[], messageId?: string, date?: Date,
 *   headers?: Record<string, string> }} opts
 *   references: defaults to inReplyTo; messageId: made up (`<uuid@from's domain>`) when not given.
 * @returns {{ raw: string, messageId: string }}
 */
export function composeMessage({
	from,
	to,
	subject = '',
	text = '',
	html,
	inReplyTo,
	references,
	messageId,
	date = new Date(),
	headers = {},
}) {
	const recipients = Array.isArray(to) ? to : [to];
	const domain = bareAddress(from).split('@')[1] || 'localhost';
	const id = bracketed(messageId ?? `${randomUUID()}@${domain}`);
	const refs = references ?? inReplyTo;
	const body = (html ?? text).replace(/\r?\n/g, CRLF);
	const plain = isAscii(body) && body.split(CRLF).every((line) => line.length <= 998);
	const lines = [
		`From: ${encodeAddress(from)}`,
		`To: ${recipients.map(encodeAddress).join(', ')}`,
		`Subject: ${encodeHeader(subject)}`,
		`Date: ${formatDate(date)}`,
		`Message-ID: ${id}`,
		inReplyTo && `In-Reply-To: ${bracketed(inReplyTo)}`,
		refs && `References: ${(Array.isArray(refs) ? refs : [refs]).map(bracketed).join(' ')}`,
		...Object.entries(headers).map(([name, value]) => `${name}: ${encodeHeader(value)}`),
		'MIME-Version: 1.0',
		`Content-Type: text/${html === undefined ? 'plain' : 'html'}; charset=utf-8`,
		`Content-Transfer-Encoding: ${plain ? '7bit' : 'quoted-printable'}`,
	].filter(Boolean);
	const encoded = plain ? body : encodeQuotedPrintable(body);
	return {
		raw: `${lines.join(CRLF)}${CRLF}${CRLF}${encoded.replace(/(\r\n)?$/, CRLF)}`,
		messageId: id,
	};
}

// ---------- reading ----------

function decodeCharset(bytes, charset = 'utf-8') {
	try {
		return new TextDecoder(charset.trim().toLowerCase()).decode(bytes);
	} catch {
		return new TextDecoder('utf-8').decode(bytes);
	}
}

function decodeQuotedPrintableBytes(text) {
	const soft = text.replace(/=\r?\n/g, '');
	const bytes = [];
	for (let i = 0; i < soft.length; i++) {
		const hex = soft[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(soft.slice(i + 1, i + 3));
		if (hex) {
			bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
			i += 2;
		} else bytes.push(soft.charCodeAt(i) & 0xff);
	}
	return Buffer.from(bytes);
}

/**
 * RFC 2047 encoded-words (`=?charset?B|Q?...?=`) decoded; adjacent words are joined first, so a
 * character split between two words comes out whole.
 */
export function decodeWords(value) {
	const word = /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g;
	let out = '';
	let pending = null; // { charset, bytes[] } of adjacent words not yet decoded
	let last = 0;
	const flush = () => {
		if (pending) out += decodeCharset(Buffer.concat(pending.bytes), pending.charset);
		pending = null;
	};
	for (const match of value.matchAll(word)) {
		const between = value.slice(last, match.index);
		// Whitespace between two encoded-words is not part of the text.
		if (!(pending && /^\s*$/.test(between))) {
			flush();
			out += between;
		}
		const charset = match[1].split('*')[0];
		const bytes =
			match[2].toUpperCase() === 'B'
				? Buffer.from(match[3], 'base64')
				: decodeQuotedPrintableBytes(match[3].replace(/_/g, ' '));
		if (pending && pending.charset.toLowerCase() !== charset.toLowerCase()) flush();
		pending ??= { charset, bytes: [] };
		pending.bytes.push(bytes);
		last = match.index + match[0].length;
	}
	flush();
	return out + value.slice(last);
}

/** Header lines unfolded; names lower-cased. @returns {Array<[string, string]>} */
function parseHeaderBlock(text) {
	const fields = [];
	for (const line of text.split(/\r?\n/)) {
		if (/^[ \t]/.test(line) && fields.length) fields[fields.length - 1][1] += line;
		else {
			const colon = line.indexOf(':');
			if (colon > 0)
				fields.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1)]);
		}
	}
	return fields.map(([name, value]) => [name, value.trim()]);
}

/** `text/plain; charset="utf-8"` → `{ value: 'text/plain', params: { charset: 'utf-8' } }`. */
function parseParams(header = '') {
	const [value, ...rest] = header.split(';');
	const params = {};
	for (const match of rest.join(';').matchAll(/([^=;\s]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/g)) {
		const raw = match[2].trim();
		params[match[1].toLowerCase()] = raw.startsWith('"')
			? raw.slice(1, -1).replace(/\\(.)/g, '$1')
			: raw;
	}
	return { value: value.trim().toLowerCase(), params };
}

/** Splits head from body at the first empty line. Works on bytes, so bodies stay exact. */
function splitEntity(bytes) {
	const text = bytes.toString('latin1');
	const match = /\r?\n\r?\n/.exec(text);
	if (!match) return { head: text, body: Buffer.alloc(0) };
	return { head: text.slice(0, match.index), body: bytes.subarray(match.index + match[0].length) };
}

function decodeBody(body, headers) {
	const encoding = (headers.get('content-transfer-encoding') ?? '7bit').trim().toLowerCase();
	const { params } = parseParams(headers.get('content-type'));
	let bytes = body;
	if (encoding === 'base64')
		bytes = Buffer.from(body.toString('latin1').replace(/\s+/g, ''), 'base64');
	else if (encoding === 'quoted-printable')
		bytes = decodeQuotedPrintableBytes(body.toString('latin1'));
	return decodeCharset(bytes, params.charset);
}

/** Crude text of an HTML body: no tags, scripts or styles; block ends as line breaks. */
export function htmlToText(html) {
	const entities = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
	return html
		.replace(/<(script|style|head)\b[\s\S]*?<\/\1>/gi, '')
		.replace(/<br\s*\/?>/gi, '\n')
		.replace(/<\/(p|div|h[1-6]|li|tr|table|blockquote)>/gi, '\n')
		.replace(/<[^>]*>/g, '')
		.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name) => {
			if (name[0] === '#') {
				const code =
					name[1].toLowerCase() === 'x' ? parseInt(name.slice(2), 16) : Number(name.slice(1));
				return String.fromCodePoint(code);
			}
			return entities[name.toLowerCase()] ?? whole;
		})
		.replace(/[ \t]+\n/g, '\n')
		.replace(/\n{3,}/g, '\n\n')
		.trim();
}

/** The first text/plain and text/html bodies (not attachments) of an entity, walking multiparts. */
function findBodies(bytes, found = {}) {
	const { head, body } = splitEntity(bytes);
	const headers = new Map(parseHeaderBlock(head).reverse());
	const type = parseParams(headers.get('content-type') ?? 'text/plain');
	const attachment = /^\s*attachment/i.test(headers.get('content-disposition') ?? '');
	if (type.value.startsWith('multipart/') && type.params.boundary) {
		const text = body.toString('latin1');
		const delimiter = `--${type.params.boundary}`;
		const parts = text.split(new RegExp(`(?:^|\\r?\\n)${escapeRegExp(delimiter)}`));
		// parts[0] is the preamble; a part beginning with `--` follows the closing delimiter.
		for (const part of parts.slice(1)) {
			if (part.startsWith('--')) break;
			findBodies(Buffer.from(part.replace(/^[ \t]*\r?\n/, ''), 'latin1'), found);
		}
	} else if (!attachment && type.value === 'text/plain') {
		found.text ??= decodeBody(body, headers);
	} else if (!attachment && type.value === 'text/html') {
		found.html ??= decodeBody(body, headers);
	}
	return found;
}

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every address in an address header (`Name <a@b>, c@d` → `['a@b', 'c@d']`). */
export function addressesOf(header = '') {
	return [...header.matchAll(/<([^<>\s]+@[^<>\s]+)>|([^\s<>,;:"]+@[^\s<>,;:"]+)/g)].map(
		(match) => match[1] ?? match[2],
	);
}

/**
 * @param {string | Buffer} raw a whole message.
 * @returns {{ headers: Record<string, string>, from: string, fromAddress: string | null,
 *   to: string, toAddresses: string[], subject: string, messageId: string | null,
 *   inReplyTo: string | null, references: string | null, date: Date | null, text: string,
 *   html: string | null }}
 *   headers: each header's first occurrence, names lower-cased, unfolded, undecoded. from, to,
 *   subject: encoded-words decoded. text: the first text/plain body (or the HTML one's text),
 *   decoded, line breaks as \n, without trailing line breaks.
 */
export function parseMessage(raw) {
	const bytes = Buffer.isBuffer(raw) ? raw : Buffer.from(raw, 'utf8');
	const { head } = splitEntity(bytes);
	// Header text is read as UTF-8 (RFC 6532 allows it raw); encoded-words cover the rest.
	const fields = parseHeaderBlock(Buffer.from(head, 'latin1').toString('utf8'));
	const headers = {};
	for (const [name, value] of fields) headers[name] ??= value;
	const bodies = findBodies(bytes);
	const text = bodies.text ?? (bodies.html !== undefined ? htmlToText(bodies.html) : '');
	const from = decodeWords(headers.from ?? '');
	const to = decodeWords(headers.to ?? '');
	const date = headers.date ? new Date(headers.date) : null;
	return {
		headers,
		from,
		fromAddress: addressesOf(from)[0] ?? null,
		to,
		toAddresses: addressesOf(to),
		subject: decodeWords(headers.subject ?? ''),
		messageId: headers['message-id'] ?? null,
		inReplyTo: headers['in-reply-to'] ?? null,
		references: headers.references ?? null,
		date: date && !Number.isNaN(date.getTime()) ? date : null,
		text: text.replace(/\r\n/g, '\n').replace(/\n+$/, ''),
		html: bodies.html ?? null,
	};
}
