/**
 * What to do about each field, and about the failures that are the package's own, written once:
 * error items and validation messages quote these. Kaleyra's codes have theirs in
 * results/errorCatalogue.ts.
 */
export const HINTS = {
	otp: 'The OTP is the 6-digit code sent by SMS or voice call. If it was mistyped or has expired, use Retry OTP to get a new one.',
	phoneNumberId:
		'Check the phone number ID: it is the ID Kaleyra returned when the number was added to the WABA.',
	phoneNumber: 'Check the phone number: the one added to this WABA, with "+" and its country code.',
	typeVerification: 'Choose SMS or VOICE as the channel for the code.',
	displayName:
		"Give the display name Meta will review: your business's name as customers know it, 3 to 512 characters, matching the business's website or documents, with no URL and no generic words alone.",
	countryCode:
		'Check the country calling code: it must be the digits right after the "+" of the phone number, such as 91 for +91….',
	wabaId: 'Check the WABA ID in the WhatsApp settings of your Kaleyra account.',
	rateLimited:
		'Send fewer requests at once: lower Concurrency or set Max Requests per Second in the node options, then run the item again.',
	gatewayTrouble:
		'Kaleyra or a gateway in front of it is having trouble. Try again in a few minutes.',
	notKaleyra:
		'Check the region or the custom base URL in the credential: the server that answered does not look like Kaleyra.',
	redirect:
		"Check the region or the custom base URL in the credential: Kaleyra's API does not redirect. If a proxy or load balancer redirects (from http to https, say), use the address it redirects to as the base URL.",
	unreachable:
		'Check that n8n can reach the Kaleyra API domain of the chosen region (or the custom base URL), then run the item again: the request was not sent.',
	mayHaveArrived:
		'The request may have reached Kaleyra: a Verify Number may have used up one of the OTP\'s tries, a Retry OTP may have sent a code. Check the number before sending it again.',
	readAgain:
		'Nothing was changed at Kaleyra by this request, whatever became of its answer: run the item again.',
	customApiCall:
		"For another Kaleyra endpoint, use n8n's HTTP Request node with Authentication: Predefined Credential Type and the Kaleyra WhatsApp API credential.",
	stoppedBeforeSending: 'The execution was stopped before this item was sent; run it again when ready.',
	nodeFault:
		'This is a fault in the node, not in your data. Please report it with the workflow that shows it.',
} as const;
