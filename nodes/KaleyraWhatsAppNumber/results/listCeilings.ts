/**
 * What one input item may make of a list, whatever the server sends: n8n keeps every item of an
 * execution in memory and saves it whole, so the node caps its own output.
 */

/** The most Success items one input item may make; a longer list goes to Error. */
export const MAX_LIST_ITEMS = 10_000;

/** The most pages followed for one input item (10,000 numbers in pages of 25). */
export const MAX_LIST_PAGES = 400;

/** The most JSON text one input item's Success items may hold together (800 characters a number). */
export const MAX_LIST_OUTPUT_CHARS = 8 * 1024 * 1024;
