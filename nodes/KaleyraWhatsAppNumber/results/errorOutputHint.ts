/**
 * n8n opens the output panel on the first output (Success), green, even when items went to Error:
 * this hint, shown above the output, says so, with how many items and which codes.
 */
import type { NodeExecutionHint } from 'n8n-workflow';

// A code as Kaleyra and the package write them (WA400, RBC001, INVALID_INPUT); any other text a
// server sent as its code is not quoted: it could be long, or hold a number.
const CODE = /^[A-Za-z][\w-]{0,23}$/;
const MOST_CODES = 3;

/** The hint for the input items that went to Error, by their codes; none when none did. */
export function errorOutputHint(
	inputItems: number,
	errorCodes: readonly string[],
): NodeExecutionHint | undefined {
	if (errorCodes.length === 0) return undefined;
	const counts = new Map<string, number>();
	for (const code of errorCodes) {
		const named = CODE.test(code) ? code : 'another code';
		counts.set(named, (counts.get(named) ?? 0) + 1);
	}
	const codes = [...counts].map(([code, count]) => `${code} ×${count}`);
	if (codes.length > MOST_CODES) codes.splice(MOST_CODES, Infinity, '…');
	const went =
		inputItems === 1 ? 'The item went' : `${errorCodes.length} of ${inputItems} items went`;
	return {
		type: 'warning',
		location: 'outputPane',
		message: `${went} to the Error output (${codes.join(', ')}): open the Error output to see why and what to do.`,
	};
}
