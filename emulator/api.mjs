// Kaleyra's number API as its documents describe it (verify, retry_otp) and as
// docs/kaleyra-api.md infers it (add, list, details): routing, then the checks in the order
// README.md lists, answered in the state's dialect (dialect.mjs).
// Pure apart from the state changes a successful call makes (state.mjs).
import { RESPONSES, accepted } from './responses.mjs';
import { addedData, detailsOf, indexOfCursor, listData, listEntry } from './shapes.mjs';

// /v2/<sid>/whatsapp/<waba_id>/number[/add|/verify|/retry_otp]
const NUMBER_ROUTE = /^\/v2\/([^/]+)\/whatsapp\/([^/]+)\/number(?:\/(add|verify|retry_otp))?$/;
// /v2/<sid>/whatsapp/<business_phone_number>/phone_number_details: no WABA in this path.
const DETAILS_ROUTE = /^\/v2\/([^/]+)\/whatsapp\/([^/]+)\/phone_number_details$/;
const JSON_CONTENT_TYPE = /^application\/json\s*(?:;\s*charset=utf-8\s*)?$/i;
const E164 = /^\+[1-9]\d{7,14}$/;
// details' number: '+' (literal or %2B, any case) or nothing, then E.164's digits.
const DETAILS_NUMBER = /^(\+|%2B)?([1-9]\d{7,14})$/i;
const OTP = /^\d{6}$/;
const DIGITS = /^\d+$/;
// ASSUMED (docs/kaleyra-api.md#add-fields): add's country_code is the calling code's digits
// (1-3, no leading 0), e.g. "91".
const COUNTRY_CODE = /^[1-9]\d{0,2}$/;
// ASSUMED (docs/kaleyra-api.md#display-name): Meta's display-name length, after trimming, in
// characters (code points).
const NAME_MIN = 3;
const NAME_MAX = 512;
const ADD_KEYS = ['country_code', 'name', 'phone_number', 'verification_type'];
const isChannel = (type) => type === 'SMS' || type === 'VOICE';
// The id's literal in the raw text, to tell 100 from 100.0 or 1e2 (JSON.parse cannot).
const RAW_ID = /"id"\s*:\s*([-+.\deE]+)/;

const isObject = (json) => json !== null && typeof json === 'object' && !Array.isArray(json);

/**
 * Parse a request body once: the payload, how `id` arrived, and its digit string.
 * idDigits is null when the id is neither a digit string nor an exact, safe JSON integer
 * (a 16+ digit bare number has already lost precision in any JSON client).
 */
export function parseBody(rawBody) {
	let json = null;
	try {
		json = JSON.parse(rawBody);
	} catch {
		return { json: null, idType: null, idDigits: null, faultKeys: [] };
	}
	if (!isObject(json)) return { json, idType: null, idDigits: null, faultKeys: [] };
	if (!('id' in json)) return { json, idType: null, idDigits: null, faultKeys: addKeys(json) };
	const idDigits = idDigitsOf(json.id, rawBody);
	return { json, idType: typeof json.id, idDigits, faultKeys: idDigits === null ? [] : [idDigits] };
}

// add has no id yet: byPhoneNumberId may name its number instead, as E.164 digits, with
// '+', or as the national number (tried in that order).
function addKeys({ country_code: cc, phone_number: phone }) {
	if (typeof cc !== 'string' || typeof phone !== 'string') return [];
	return [`${cc}${phone}`, `+${cc}${phone}`, phone];
}

function idDigitsOf(id, rawBody) {
	if (typeof id === 'string') return DIGITS.test(id) ? id : null;
	if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) return null;
	return RAW_ID.exec(rawBody)?.[1] === String(id) ? String(id) : null;
}

// `${method} ${route}` -> operation(state, parsed, match), match from route() below
const OPERATIONS = {
	'GET number': listNumbers,
	'POST number/add': addNumber,
	'POST number/verify': verifyNumber,
	'POST number/retry_otp': retryOtp,
	'GET phone_number_details': numberDetailsOf,
};

// { sid, wabaId (null for details), target (details' phone number), operation } or null.
function route(method, path) {
	const number = NUMBER_ROUTE.exec(path);
	if (number) {
		const operation = OPERATIONS[`${method} number${number[3] ? `/${number[3]}` : ''}`];
		return operation ? { sid: number[1], wabaId: number[2], target: null, operation } : null;
	}
	const details = DETAILS_ROUTE.exec(path);
	const operation = details && OPERATIONS[`${method} phone_number_details`];
	return operation ? { sid: details[1], wabaId: null, target: details[2], operation } : null;
}

/** Answer one API request. Returns a frozen reply (responses.mjs). */
export function answerApi(state, method, url, headers, parsed) {
	const queryAt = url.indexOf('?');
	const path = queryAt === -1 ? url : url.slice(0, queryAt);
	const match = route(method, path);
	if (!match) return RESPONSES.notFound;
	match.path = path;
	match.query = new URLSearchParams(queryAt === -1 ? '' : url.slice(queryAt + 1));
	match.host = headers.host;

	const { account } = state;
	// 1. Only the `api-key` header counts; Authorization or ?api-key= do not.
	if (headers['api-key'] !== account.apiKey || match.sid !== account.sid) {
		return RESPONSES.authFailed;
	}
	// 2. POST bodies must be declared as JSON.
	if (method === 'POST' && !JSON_CONTENT_TYPE.test(headers['content-type'] ?? '')) {
		return RESPONSES.badPayload;
	}
	// 3. The WABA must belong to the account (details has none in its path).
	if (match.wabaId !== null && !account.wabaIds.includes(match.wabaId)) {
		return RESPONSES.wabaNotOwned;
	}
	return match.operation(state, parsed, match);
}

function listNumbers(state, parsed, { wabaId, path, query, host }) {
	const { dialect } = state;
	const entries = [];
	for (const [id, number] of state.numbers) {
		if (number.wabaId !== wabaId) continue; // only the numbers of the WABA in the path
		entries.push(listEntry(id, number, dialect));
	}
	const after = query.get('after');
	const start = after === null || dialect.paging === 'none' ? 0 : indexOfCursor(after);
	// ASSUMED (docs/kaleyra-api.md#list-paging): a cursor that is not one of ours is a 400.
	if (start === null || start > entries.length) return RESPONSES.invalidCursor;
	const pageUrl = (cursor) => `http://${host}${path}?after=${encodeURIComponent(cursor)}`;
	return accepted(listData(entries, start, dialect, pageUrl), dialect);
}

// The path forms the dialect's detailsPath accepts.
const PATH_FORMS = { plus: ['plus'], digits: ['digits'], both: ['plus', 'digits'] };

function numberDetailsOf(state, parsed, { target }) {
	const { dialect } = state;
	const form = DETAILS_NUMBER.exec(target);
	// ASSUMED (docs/kaleyra-api.md#details-path): a malformed number gets the documented 400.
	if (!form) return RESPONSES.invalidPhoneNumber;
	const found = state.findByPhone(`+${form[2]}`);
	const accepts = PATH_FORMS[dialect.detailsPath].includes(form[1] ? 'plus' : 'digits');
	// ASSUMED (docs/kaleyra-api.md#details-path): Kaleyra looks the path's text up as it
	// comes, so a number in the form it does not use is as unknown as a number not there.
	if (!found || !accepts) {
		return dialect.wrongPathAnswer === 'wa401'
			? RESPONSES.unauthorizedPhoneNumber
			: RESPONSES.invalidPhoneNumber;
	}
	return accepted(detailsOf(found.number, dialect), dialect);
}

// Checks 4-9 of add, in this order; then the number is created and its first OTP sent.
function addNumber(state, { json }, { wabaId }) {
	// 4. Exactly the four keys, each a JSON string.
	const wellFormed =
		isObject(json) &&
		Object.keys(json).length === ADD_KEYS.length &&
		ADD_KEYS.every((key) => typeof json[key] === 'string');
	if (!wellFormed) return RESPONSES.badPayload;
	// 5. country_code: 1-3 digits, no leading 0. ASSUMED (docs/kaleyra-api.md#add-errors): body.
	if (!COUNTRY_CODE.test(json.country_code)) return RESPONSES.invalidCountryCode;
	// 6. '+' + country_code + phone_number is E.164 (8-15 digits): the documented body.
	const phoneNumber = `+${json.country_code}${json.phone_number}`;
	if (!E164.test(phoneNumber)) return RESPONSES.invalidPhoneNumber;
	// 7. name: 3-512 characters once trimmed. ASSUMED (docs/kaleyra-api.md#display-name).
	const name = json.name.trim();
	const nameLength = [...name].length;
	if (nameLength < NAME_MIN || nameLength > NAME_MAX) return RESPONSES.invalidName;
	// 8. verification_type: SMS or VOICE. ASSUMED (docs/kaleyra-api.md#add-errors): body.
	if (!isChannel(json.verification_type)) return RESPONSES.badVerificationType;
	// 9. Not already on the account, in any WABA. ASSUMED (docs/kaleyra-api.md#add-errors).
	if (state.findByPhone(phoneNumber)) return RESPONSES.phoneNumberExists;

	const verificationType = json.verification_type;
	const id = state.addNumber({ wabaId, phoneNumber, name, verificationType });
	return accepted(addedData(id, state.numbers.get(id), state.dialect), state.dialect);
}

// 7. The id is known, is a number of the path's WABA, and phone_number is its number.
// ASSUMED (docs/kaleyra-api.md#unknown-id): an id of another WABA of the account is as
// unknown as a made-up one.
function numberFor(state, { idDigits, json }, wabaId) {
	const number = state.numbers.get(idDigits);
	const matches = number && number.wabaId === wabaId && number.phoneNumber === json.phone_number;
	return matches ? number : null;
}

function verifyNumber(state, parsed, { wabaId }) {
	const problem = payloadProblem(parsed, 'otp', (otp) => OTP.test(otp), RESPONSES.badOtpFormat);
	if (problem) return problem;
	const number = numberFor(state, parsed, wabaId);
	if (!number) return RESPONSES.unknownPhoneNumberId;
	if (parsed.json.otp !== number.otp) return RESPONSES.wrongOtp;
	const stateProblem = stateReply(number);
	if (stateProblem) return stateProblem;
	state.approve(number);
	// verify's data: the phone number id as a string (the seed page's sample).
	return accepted(parsed.idDigits, state.dialect);
}

function retryOtp(state, parsed, { wabaId }) {
	const problem = payloadProblem(
		parsed,
		'type_verification',
		isChannel,
		RESPONSES.badTypeVerification,
	);
	if (problem) return problem;
	const number = numberFor(state, parsed, wabaId);
	if (!number) return RESPONSES.unknownPhoneNumberId;
	const stateProblem = stateReply(number);
	if (stateProblem) return stateProblem;
	// A new code over the channel asked for; the previous one stops verifying.
	state.sendOtp(number, parsed.json.type_verification, 'retry');
	return accepted(true, state.dialect);
}

/**
 * Checks 4-6: exactly the keys id, phone_number and `thirdKey`, each of its JSON type;
 * then an E.164 phone number; then the operation's own third field.
 */
function payloadProblem({ json, idDigits }, thirdKey, thirdIsValid, thirdReply) {
	const keys = isObject(json) ? Object.keys(json) : [];
	const wellFormed =
		keys.length === 3 &&
		idDigits !== null &&
		typeof json.phone_number === 'string' &&
		typeof json[thirdKey] === 'string';
	if (!wellFormed) return RESPONSES.badPayload;
	if (!E164.test(json.phone_number)) return RESPONSES.invalidPhoneNumber;
	if (!thirdIsValid(json[thirdKey])) return thirdReply;
	return null;
}

// Check 8: states that refuse both operations.
function stateReply(number) {
	if (number.state === 'approved') return RESPONSES.alreadyApproved;
	if (number.state === 'unavailable') return RESPONSES.tryLater;
	return null;
}
