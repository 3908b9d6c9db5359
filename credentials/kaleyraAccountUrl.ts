/**
 * Kaleyra's account URL (`<base URL>/v2/<SID>`) from the credential: trimmed, checked and
 * built in one place, for the node's requests and for the credential test alike.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

/** Kaleyra's API domain per region ("pod"), from Kaleyra's WhatsApp API pages. */
export const KALEYRA_REGION_BASE_URLS = {
	in: 'https://api.in.kaleyra.io',
	sg: 'https://api.ap.kaleyra.io',
	eu: 'https://api.eu.kaleyra.io',
	na: 'https://api.na.kaleyra.io',
} as const;

export type KaleyraRegion = keyof typeof KALEYRA_REGION_BASE_URLS | 'custom';

export type InvalidCredentialField =
	| 'credentials.region'
	| 'credentials.baseUrl'
	| 'credentials.sid';

/**
 * A credential that cannot give a Kaleyra URL. Thrown before any request is sent. The message
 * never holds the API key, the base URL (it may hold a password) or a long value.
 */
export class InvalidCredentialError extends Error {
	/** The credential field at fault, as `credentials.<field>`. */
	readonly field: InvalidCredentialField;

	/** What the person should do about it. */
	readonly hint: string;

	constructor(field: InvalidCredentialField, message: string, hint: string) {
		super(message);
		this.name = 'InvalidCredentialError';
		this.field = field;
		this.hint = hint;
	}
}

const SID_PATTERN = /^[A-Za-z0-9]{1,64}$/;
const MAX_SHOWN_LENGTH = 24;
const BASE_URL_EXAMPLE = 'https://kaleyra-proxy.example.com';

function shown(value: string): string {
	return JSON.stringify(value);
}

function regionOf(credentials: ICredentialDataDecryptedObject): KaleyraRegion {
	// n8n fills in a field's default; a credential object without one gets it here too.
	const region = String(credentials.region ?? 'in').trim();
	if (region === 'custom' || Object.prototype.hasOwnProperty.call(KALEYRA_REGION_BASE_URLS, region))
		return region as KaleyraRegion;
	throw new InvalidCredentialError(
		'credentials.region',
		region.length <= MAX_SHOWN_LENGTH
			? `The credential's region ${shown(region)} is not one of in, sg, eu, na or custom`
			: "The credential's region is not one of in, sg, eu, na or custom",
		'Open the credential and pick your Kaleyra region from the list, or Custom Base URL for a proxy or a test server.',
	);
}

function invalidBaseUrl(problem: string, hint: string): InvalidCredentialError {
	return new InvalidCredentialError('credentials.baseUrl', `The custom base URL ${problem}`, hint);
}

/**
 * The custom base URL, checked: http or https (any case), a host, an optional path prefix
 * (a proxy's), no user info, query or fragment. Trailing slashes are dropped.
 */
function customBaseUrlOf(credentials: ICredentialDataDecryptedObject): string {
	const raw = String(credentials.baseUrl ?? '').trim();
	const shape = `Give the scheme and host, optionally with a path prefix for a proxy, e.g. ${BASE_URL_EXAMPLE} or ${BASE_URL_EXAMPLE}/kaleyra.`;
	if (raw === '')
		throw invalidBaseUrl(
			'is empty',
			`${shape} Or choose your Kaleyra region instead of Custom Base URL.`,
		);
	let url: URL;
	try {
		url = new URL(raw);
	} catch {
		throw invalidBaseUrl('is not a URL', shape);
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		throw invalidBaseUrl(
			url.protocol.length <= MAX_SHOWN_LENGTH
				? `must start with http:// or https://, not ${shown(url.protocol)}`
				: 'must start with http:// or https://',
			shape,
		);
	}
	// "http://@host" parses with an empty user name: the "@" still says user info was meant.
	if (url.username !== '' || url.password !== '' || /^[^:/?#]*:\/*[^/?#]*@/.test(raw))
		throw invalidBaseUrl(
			'contains user info (user:password@ before the host): remove it',
			`Kaleyra takes the API key alone, sent in a header; a name or password in the URL would reach the server and its logs. ${shape}`,
		);
	if (raw.includes('?'))
		throw invalidBaseUrl(
			'contains a query (?): remove the ? and what follows it',
			`The node adds /v2/<SID>/… after the base URL, so a query there would end up inside the path. ${shape}`,
		);
	if (raw.includes('#'))
		throw invalidBaseUrl(
			'contains a fragment (#): remove the # and what follows it',
			`The node adds /v2/<SID>/… after the base URL, so a fragment there would cut the path off. ${shape}`,
		);
	return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function sidOf(credentials: ICredentialDataDecryptedObject): string {
	const sid = String(credentials.sid ?? '').trim();
	if (SID_PATTERN.test(sid)) return sid;
	const where = 'Copy the SID shown next to the API key under Developers → API Keys in kaleyra.io.';
	if (sid === '') throw new InvalidCredentialError('credentials.sid', 'The SID is empty', where);
	if (sid.length > 64)
		throw new InvalidCredentialError(
			'credentials.sid',
			`The SID is ${sid.length} characters long: Kaleyra SIDs are letters and digits, at most 64`,
			where,
		);
	const bad = [...sid].find((character) => !/[A-Za-z0-9]/.test(character)) ?? '';
	throw new InvalidCredentialError(
		'credentials.sid',
		sid.length <= MAX_SHOWN_LENGTH
			? `The SID ${shown(sid)} contains ${shown(bad)}: Kaleyra SIDs are letters and digits only`
			: `The SID contains ${shown(bad)}: Kaleyra SIDs are letters and digits only`,
		where,
	);
}

/**
 * Kaleyra's account URL for the credential, e.g. `https://api.in.kaleyra.io/v2/HXAP16000000097IN`.
 * Throws an InvalidCredentialError for a region, custom base URL or SID it cannot use.
 */
export function accountUrlOf(credentials: ICredentialDataDecryptedObject): string {
	const region = regionOf(credentials);
	const baseUrl =
		region === 'custom' ? customBaseUrlOf(credentials) : KALEYRA_REGION_BASE_URLS[region];
	return `${baseUrl}/v2/${sidOf(credentials)}`;
}
