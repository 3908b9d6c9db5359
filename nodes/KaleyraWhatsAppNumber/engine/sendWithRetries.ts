/** One request's tries: paced, logged, repeated as the retry policy allows, stopped by Stop. */
import type { IExecuteFunctions, IPollFunctions } from 'n8n-workflow';

import type { Delivery, KaleyraAccount, KaleyraCall } from '../transport/kaleyraRequest';
import { deliveryClass } from '../results/deliveryClass';
import { sendKaleyraCall } from '../transport/kaleyraRequest';
import type { RetrySettings } from './retryPolicy';
import { retryVerdict } from './retryPolicy';
import type { Pacer } from './scheduler';
import { pause } from './scheduler';

/** A request's last delivery and how many tries it took. */
export interface Sent {
	delivery: Delivery;
	attempts: number;
	/** A try before the last may have reached Kaleyra (its delivery was uncertain). */
	earlierMayHaveArrived: boolean;
}

export async function sendWithRetries(
	// The action node's run, or the Number Trigger's poll.
	fns: IExecuteFunctions | IPollFunctions,
	run: { account: KaleyraAccount; pacer: Pacer; stop?: AbortSignal },
	// The run logs each try as it leaves (helpers/requestLog.ts); a poll's reads log nothing, as
	// a read leaves nothing to reconstruct after a worker dies.
	logLeaving: ((attempt: number) => void) | undefined,
	call: KaleyraCall,
	retry: RetrySettings,
): Promise<Sent | undefined> {
	// Undefined when a Stop came before the first try left.
	let last: Sent | undefined;
	let mayHaveArrived = false;
	for (let attempt = 1; ; attempt++) {
		await run.pacer.wait(run.stop);
		// After a Stop no request leaves; an item stopped during a retry wait keeps what it got.
		if (run.stop?.aborted) break;
		logLeaving?.(attempt);
		const delivery = await sendKaleyraCall.call(fns, run.account, call, run.stop);
		last = { delivery, attempts: attempt, earlierMayHaveArrived: mayHaveArrived };
		mayHaveArrived ||= deliveryClass(delivery) === 'uncertain';
		const verdict = retryVerdict(delivery, attempt, retry);
		if (!verdict.retry || run.stop?.aborted) break;
		await pause(verdict.delayMs, run.stop);
	}
	return last;
}
