// Response bodies exactly as Kaleyra's two pages show them (note `data` is [] in some samples
// and {} in others), each with the HTTP status NOTES.md gives for its code; then the bodies
// Kaleyra does not publish (add, list, details, unknown id...), each marked ASSUMED. `json` is the
// body serialized once, so answering costs no JSON.stringify per request.
import { deepFreeze } from './fixtures.mjs';

const reply = (status, body) => deepFreeze({ status, body, json: JSON.stringify(body) });

const OK_MESSAGE = 'Request Processed Successfully';
const TYPE_VERIFICATION_ERROR =
	"key: 'cloudapinumberotpretryrequest.type_verification' error:field validation for 'type_verification' failed on the 'isvalidtypeverification' tag";

export const RESPONSES = deepFreeze({
	// Documented (identical in both pages unless noted).
	authFailed: reply(401, {
		code: 'RBC001',
		message: 'Incorrect SID or API key.',
		data: [],
		error: { body: 'Incorrect SID or API key.', error: 'record not found' },
	}),
	wabaNotOwned: reply(401, {
		code: 'WA401',
		message: 'Waba_id is not present or does not belong to the account.',
		data: {},
		error: { waba_id: 'Waba_id is not present or does not belong to the account.' },
	}),
	badPayload: reply(400, {
		code: 'WA400',
		message: 'Refer to correct payload format',
		data: {},
		error: { payload: 'Incorrect payload format' },
	}),
	badOtpFormat: reply(400, {
		// verify only
		code: 'WA400',
		message: 'Incorrect OTP format',
		data: {},
		error: { error: 'Incorrect OTP format' },
	}),
	badTypeVerification: reply(400, {
		// retry_otp only
		code: 'WA400',
		message: TYPE_VERIFICATION_ERROR,
		data: [],
		error: { type_verification: TYPE_VERIFICATION_ERROR },
	}),
	invalidPhoneNumber: reply(400, {
		code: 'WA400',
		message: 'invalid phone number',
		data: [],
		error: { phone_number: 'invalid phone number' },
	}),
	alreadyApproved: reply(500, {
		code: 'WA500',
		message: 'wa phone number already approved',
		data: [],
		error: { error: 'wa phone number already approved' },
	}),
	tryLater: reply(500, {
		code: 'WA500',
		message: 'Please try again later',
		data: {},
		error: { error: 'Internal server error' },
	}),
	otpResent: reply(200, { code: 'WA200', message: OK_MESSAGE, data: true, error: {} }),

	// NOT documented by Kaleyra: plausible bodies chosen for this emulator.
	// ASSUMED: unknown id, an id of another WABA, or a phone number that is not the id's.
	unknownPhoneNumberId: reply(400, {
		code: 'WA400',
		message: 'invalid phone number id',
		data: [],
		error: { id: 'invalid phone number id' },
	}),
	// ASSUMED: a well-formed OTP that is not the number's.
	wrongOtp: reply(400, {
		code: 'WA400',
		message: 'Incorrect OTP',
		data: {},
		error: { otp: 'Incorrect OTP' },
	}),
	// ASSUMED (add; Kaleyra publishes no error body for add): the documented envelope, one
	// `error` key naming the field, `data` [] like the documented invalidPhoneNumber.
	invalidCountryCode: reply(400, {
		code: 'WA400',
		message: 'invalid country code',
		data: [],
		error: { country_code: 'invalid country code' },
	}),
	// ASSUMED: 3 to 512 characters is Meta's display-name rule, not something Kaleyra states.
	invalidName: reply(400, {
		code: 'WA400',
		message: 'name must be 3 to 512 characters',
		data: [],
		error: { name: 'name must be 3 to 512 characters' },
	}),
	// ASSUMED: retry_otp's documented validator text, reused as is, under add's own key.
	badVerificationType: reply(400, {
		code: 'WA400',
		message: TYPE_VERIFICATION_ERROR,
		data: [],
		error: { verification_type: TYPE_VERIFICATION_ERROR },
	}),
	// ASSUMED: a number already on the account (in any of its WABAs).
	phoneNumberExists: reply(400, {
		code: 'WA400',
		message: 'phone number already exists',
		data: [],
		error: { phone_number: 'phone number already exists' },
	}),
	// ASSUMED: any method and path the emulator does not serve.
	notFound: reply(404, {
		code: 'WA404',
		message: 'Not Found',
		data: {},
		error: { path: 'Not Found' },
	}),
});

// verify success: `data` is the phone number id as a string.
export const verified = (id) =>
	reply(200, { code: 'WA200', message: OK_MESSAGE, data: id, error: {} });

// The WA200 envelope around `data`, for the answers built per request below.
const ok = (data) => reply(200, { code: 'WA200', message: OK_MESSAGE, data, error: {} });

// ASSUMED (add success): `data` = { id, phone_number, name, verification_type, status }.
export const numberAdded = (data) => ok(data);

// GET .../number (list). ASSUMED: `data` an array of { id, phone_number, name, status,
// verification_type?, quality_rating, messaging_limit_tier, verified_name }.
export const numberList = (numbers) => ok(numbers);

// GET .../<phone>/phone_number_details. ASSUMED: `data` an object with the fields Kaleyra's
// fetch-phone-number-details page lists (see api.mjs's detailsOf).
export const numberDetails = (details) => ok(details);
