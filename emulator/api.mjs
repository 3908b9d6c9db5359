// Kaleyra's number API as its documents describe it (verify, retry_otp) and as NOTES.md
// infers it (add, list, details): routing, then the checks in the order README.md lists.
// Pure apart from the state changes a successful call makes (state.mjs).
import { RESPONSES, numberAdded, numberDetails, numberList, verified } from './responses.mjs';

// /v2/<sid>/whatsapp/<waba_id>/number[/add|/verify|/retry_otp]
const NUMBER_ROUTE = /^\/v2\/([^/]+)\/whatsapp\/([^/]+)\/number(?:\/(add|verify|retry_otp))?$/;
// /v2/<sid>/whatsapp/<business_phone_number>/phone_number_details: no WABA in this path.
const DETAILS_ROUTE = /^\/v2\/([^/]+)\/whatsapp\/([^/]+)\/phone_number_details$/;
const JSON_CONTENT_TYPE = /^application\/json\s*(?:;\s*charset=utf-8\s*)?$/i;
const E164 = /^\+[1-9]\d{7,14}$/;
// ASSUMED: details takes the E.164 number's digits without '+' (a '+' or %2B is refused).
const E164_DIGITS = /^[1-9]\d{7,14}$/;
const OTP = /^\d{6}$/;
const DIGITS = /^\d+$/;
// ASSUMED: add's country_code is the calling code's digits (1-3, no leading 0), e.g. "91".
const COUNTRY_CODE = /^[1-9]\d{0,2}$/;
// ASSUMED: Meta's display-name length, after trimming, in characters (code points).
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

/** Answer one API request. Returns one of the frozen replies from responses.mjs. */
export function answerApi(state, method, url, headers, parsed) {
	const queryAt = url.indexOf('?');
	const match = route(method, queryAt === -1 ? url : url.slice(0, queryAt));
	if (!match) return RESPONSES.notFound;

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

// ASSUMED: the list's `status` and details' fields for each internal state. An
// `unavailable` number (its verify answers "try again later") still looks pending here.
const STATUS = { pending: 'PENDING', approved: 'CONNECTED', unavailable: 'PENDING' };

function listNumbers(state, parsed, { wabaId }) {
	const list = [];
	for (const [id, number] of state.numbers) {
		if (number.wabaId !== wabaId) continue; // only the numbers of the WABA in the path
		const approved = number.state === 'approved';
		list.push({
			id,
			phone_number: number.phoneNumber, // ASSUMED: E.164 with '+'
			name: number.name, // ASSUMED
			status: STATUS[number.state], // ASSUMED: PENDING | CONNECTED
			// ASSUMED: only for numbers added here (a fixture's first OTP channel is unknown)
			...(number.verificationType ? { verification_type: number.verificationType } : {}),
			quality_rating: approved ? 'GREEN' : 'UNKNOWN', // ASSUMED
			messaging_limit_tier: approved ? 'TIER_1K' : null, // ASSUMED
			verified_name: number.name, // ASSUMED: the display name, reviewed or not
		});
	}
	return numberList(list);
}

/** ASSUMED: every field name and value of details' `data` (NOTES.md's list of them). */
export function detailsOf(number) {
	if (number.state === 'approved') {
		return {
			messaging_limit_tier: 'TIER_1K', // ASSUMED
			name_status: 'APPROVED', // ASSUMED
			quality_rating: 'GREEN', // ASSUMED
			quality_score: 'GREEN', // ASSUMED: a string, not Meta's { score, date }
			status: 'CONNECTED', // ASSUMED
			throughput_level: 'STANDARD', // ASSUMED
			verified_name: number.name, // ASSUMED
			can_receive_call: false, // ASSUMED: a boolean; no calling set up
			can_send_message: true, // ASSUMED: a boolean
			entity_type: 'PHONE_NUMBER', // ASSUMED
			error: '', // ASSUMED: empty strings when there is no error
			error_description: '', // ASSUMED
			possible_solution: '', // ASSUMED
		};
	}
	return {
		messaging_limit_tier: null, // ASSUMED: no tier before verification
		name_status: 'PENDING_REVIEW', // ASSUMED
		quality_rating: 'UNKNOWN', // ASSUMED
		quality_score: 'UNKNOWN', // ASSUMED
		status: 'PENDING', // ASSUMED (also for an unavailable number)
		throughput_level: 'NOT_APPLICABLE', // ASSUMED
		verified_name: number.name, // ASSUMED
		can_receive_call: false, // ASSUMED
		can_send_message: false, // ASSUMED
		entity_type: 'PHONE_NUMBER', // ASSUMED
		error: 'number not verified', // ASSUMED
		error_description: 'The phone number has not been verified with the OTP sent to it.', // ASSUMED
		possible_solution: 'Verify the number with the OTP it received', // ASSUMED
	};
}

function numberDetailsOf(state, parsed, { target }) {
	// ASSUMED: 400 "invalid phone number" for a malformed or unknown number alike.
	if (!E164_DIGITS.test(target)) return RESPONSES.invalidPhoneNumber;
	const found = state.findByPhone(`+${target}`);
	if (!found) return RESPONSES.invalidPhoneNumber;
	return numberDetails(detailsOf(found.number));
}

// Checks 4-9 of add, in this order; then the number is created and its first OTP sent.
function addNumber(state, { json }, { wabaId }) {
	// 4. Exactly the four keys, each a JSON string.
	const wellFormed =
		isObject(json) &&
		Object.keys(json).length === ADD_KEYS.length &&
		ADD_KEYS.every((key) => typeof json[key] === 'string');
	if (!wellFormed) return RESPONSES.badPayload;
	// 5. country_code: 1-3 digits, no leading 0. ASSUMED body.
	if (!COUNTRY_CODE.test(json.country_code)) return RESPONSES.invalidCountryCode;
	// 6. '+' + country_code + phone_number is E.164 (8-15 digits): the documented body.
	const phoneNumber = `+${json.country_code}${json.phone_number}`;
	if (!E164.test(phoneNumber)) return RESPONSES.invalidPhoneNumber;
	// 7. name: 3-512 characters once trimmed. ASSUMED rule and body.
	const name = json.name.trim();
	const nameLength = [...name].length;
	if (nameLength < NAME_MIN || nameLength > NAME_MAX) return RESPONSES.invalidName;
	// 8. verification_type: SMS or VOICE. ASSUMED body (retry_otp's text).
	if (!isChannel(json.verification_type)) return RESPONSES.badVerificationType;
	// 9. Not already on the account, in any WABA. ASSUMED body.
	if (state.findByPhone(phoneNumber)) return RESPONSES.phoneNumberExists;

	const verificationType = json.verification_type;
	const id = state.addNumber({ wabaId, phoneNumber, name, verificationType });
	// ASSUMED: the whole success shape; `name` as stored (trimmed).
	return numberAdded({
		id,
		phone_number: phoneNumber,
		name,
		verification_type: verificationType,
		status: 'PENDING',
	});
}

// 7. The id is known, is a number of the path's WABA, and phone_number is its number.
// ASSUMED: an id of another WABA of the account is as unknown as a made-up one.
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
	number.state = 'approved';
	return verified(parsed.idDigits);
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
	// The same OTP again (tests go on using the fixture's), over the channel asked for.
	state.sendOtp(number, parsed.json.type_verification, 'retry');
	return RESPONSES.otpResent;
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
